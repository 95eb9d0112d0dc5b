-- What each ledger balance row of a customer account contributes to the requirement side, in its own currency:
-- lines 1A cash, 1B securities, 2 open trade equity, 3A long options and 3B short options (negative), and the memo
-- figures the per-account computations use: NLE (1A+1B+2+3A+3B), IM (initial margin requirement) and OFFSET_SEC
-- (securities eligible to offset a deficit, Reg 1.32(b)). Balances of accounts not in a customer class (HOUSE, or
-- unknown to accounts.csv) contribute nothing. Also line 0 of the secured statement (foreign requirements).
with balances as (
    select * from stg_ledger__balances
),

accounts as (
    select * from int_seg_accounts
),

foreign_requirements as (
    select * from stg_ledger__foreign_requirements
),

figures as (
    select *
    from (
        values
            ('LINE', '1A'), ('LINE', '1B'), ('LINE', '2'), ('LINE', '3A'), ('LINE', '3B'),
            ('MEMO', 'NLE'), ('MEMO', 'IM'), ('MEMO', 'OFFSET_SEC')
    ) as figures (kind, figure)
),

customer_balances as (
    select
        balances.*,
        accounts.seg_class,
        accounts.unit_id
    from balances
    inner join accounts on accounts.account_id = balances.account_id
),

balance_figures as (
    select
        customer_balances.seg_class,
        figures.kind,
        figures.figure,
        customer_balances.currency,
        'src_ledger__balances' as source_table,
        customer_balances.source_file,
        customer_balances.record_id,
        customer_balances.account_id as subject,
        customer_balances.unit_id,
        case figures.figure
            when '1A' then cash_balance
            when '1B' then securities_value
            when '2' then open_trade_equity
            when '3A' then long_option_value
            when '3B' then -short_option_value
            when 'NLE' then cash_balance + securities_value + open_trade_equity + long_option_value - short_option_value
            when 'IM' then initial_margin_requirement
            when 'OFFSET_SEC' then offset_securities_value
        end as amount
    from customer_balances
    cross join figures
),

foreign_required as (
    select
        'SECURED' as seg_class,
        'LINE' as kind,
        '0' as figure,
        currency,
        'src_ledger__foreign_requirements' as source_table,
        source_file,
        record_id,
        jurisdiction as subject,
        cast(null as varchar) as unit_id,
        amount
    from foreign_requirements
)

select * from balance_figures
union all
select * from foreign_required
