-- Rows the routing quarantined (their account is not in the reference data in force on the business date: unknown, or
-- not yet or no longer in force), in the quarantine table's shape. The messages say so rather than call it unknown.
-- A cash journal entry keeps the bank account it names: later days' proof of cash counts it (int_bank_balance_explained).
with bank as (
    select * from int_bank_entries_routed where route = 'QUARANTINE'
),

journal as (
    select * from int_cash_journal_routed where route = 'QUARANTINE'
),

position_reports as (
    select * from int_position_reports_classified where route = 'QUARANTINE'
),

position_amounts as (
    select * from int_position_report_amounts
),

-- ledger rows whose customer account is not in force; a balance row's amount is its cash_balance
ledger_accounts as (
    select source_file, location, record_id, account_id, route_reason, currency, cash_balance as amount,
        concat('ledger balance of account ', account_id, ' in ', currency) as what,
        ': its money is in no segregation statement' as consequence
    from int_ledger_balances_routed where route = 'QUARANTINE'
    union all
    select source_file, location, record_id, account_id, route_reason, currency,
        cast(null as decimal(38, 9)) as amount,
        concat('ledger position of account ', account_id, ' in ', product_code, ' ', contract_month) as what,
        ': it rolls up to no position account' as consequence
    from int_ledger_positions_routed where route = 'QUARANTINE'
    union all
    select source_file, location, record_id, account_id, route_reason, '' as currency,
        cast(null as decimal(38, 9)) as amount,
        concat('ledger trade ', trade_id, ' of account ', account_id) as what,
        ': it falls under no position account' as consequence
    from int_ledger_trades_routed where route = 'QUARANTINE'
)

select
    'ROW' as scope,
    source_file,
    location,
    record_id,
    'bank_account_id' as field,
    route_reason as code,
    'an account in reference/bank_accounts.csv in force on the business date' as expected,
    bank_account_id as found,
    concat('bank entry on account ', bank_account_id,
        ' which reference/bank_accounts.csv does not have in force on the business date') as message,
    amount,
    currency,
    cast(null as varchar) as bank_account_id
from bank
union all
select
    'ROW' as scope,
    source_file,
    location,
    record_id,
    case when route_reason = 'UNKNOWN_ACCOUNT' then 'account_id' else 'bank_account_id' end as field,
    route_reason as code,
    case
        when route_reason = 'UNKNOWN_ACCOUNT' then 'an account in reference/accounts.csv in force on the business date'
        else 'an account in reference/bank_accounts.csv in force on the business date'
    end as expected,
    case when route_reason = 'UNKNOWN_ACCOUNT' then account_id else bank_account_id end as found,
    case
        when route_reason = 'UNKNOWN_ACCOUNT'
            then concat('journal entry ', entry_id, ' names account ', account_id,
                ' which reference/accounts.csv does not have in force on the business date: its money is in no class')
        else concat('journal entry ', entry_id, ' names bank account ', bank_account_id,
            ' which reference/bank_accounts.csv does not have in force on the business date')
    end as message,
    amount,
    currency,
    bank_account_id
from journal
union all
select
    'ROW' as scope,
    position_reports.source_file,
    position_reports.location,
    position_reports.record_id,
    case when position_reports.route_reason = 'ORIGIN_MISMATCH' then 'origin_code' else 'position_account' end
        as field,
    position_reports.route_reason as code,
    case
        when position_reports.route_reason = 'ORIGIN_MISMATCH'
            then concat('origin ', position_reports.expected_origin_code, ' as reference/clearing_accounts.csv says')
        else 'a position account in reference/clearing_accounts.csv for its DCO and currency'
    end as expected,
    case
        when position_reports.route_reason = 'ORIGIN_MISMATCH' then position_reports.origin_code
        else position_reports.position_account
    end as found,
    concat('position report ', position_reports.rpt_id, ' cannot be mapped to a class: ',
        position_reports.route_reason) as message,
    position_amounts.amount,
    position_reports.currency,
    cast(null as varchar) as bank_account_id
from position_reports
left join position_amounts on position_amounts.record_id = position_reports.record_id
union all
select
    'ROW' as scope,
    source_file,
    location,
    record_id,
    'account_id' as field,
    route_reason as code,
    'an account in reference/accounts.csv in force on the business date' as expected,
    account_id as found,
    concat(what, ' which reference/accounts.csv does not have in force on the business date', consequence) as message,
    amount,
    currency,
    cast(null as varchar) as bank_account_id
from ledger_accounts
