-- What each funds source row contributes to a customer statement, in its own currency, by line:
--   7A / F1A / F1B  closing ledger balance of the class's bank accounts (statement of record; on a Fedwire holiday
--                   the previous bank day's, carried forward: source_table src_warehouse__previous_bank_balances),
--                   less disbursements the books have made and the bank has not yet paid: every CASH MISSING_BANK
--                   break with a negative ledger amount still outstanding (int_breaks_aged status NEW, or OPEN when
--                   carried from an earlier day), from the day it is booked until the bank pays it (RESOLVED) or a
--                   person force-closes it (CLOSED on the day the close is made for, and not carried after it);
--                   drill-down to the journal record that booked it;
--                   F1A for banks in the US, F1B for the others (secured)
--   7B / 7C / F2x   custody at the class's accounts: INVESTMENT / CUSTOMER_OWNED; F2A in the US, F2B elsewhere
--   8A / 8B / 8C    DCO collateral: cash / securities invested / customer-owned securities
--   9               the settlement cycles unpaid at the close (PENDING: the day's end of day; on a Fedwire holiday
--                   also the day's intraday cycle and the previous day's end of day) (+ = the DCO pays the firm)
--   10A / 10B       option positions at the DCO: long value / short value (negative)
--   11A / 11B / 11C other FCM equities
--   F3x, F4x, F5x   foreign depository equities (FCM, FBOT clearing organisation, FBOT member), by sub-item; F6 other
-- Rows at an account without an acknowledgment letter, or custody at an account not titled for its class, count
-- nowhere: they are kept as kind EXCLUDED so their alerts can state the amount.
with closing_balances as (
    select * from int_bank_closing_balances
),

breaks as (
    select * from int_breaks_aged
),

bank_accounts as (
    select * from int_seg_bank_accounts
),

custody as (
    select * from stg_ledger__custody
),

collateral as (
    select * from stg_clearing__collateral
),

dco_cycles as (
    select * from int_dco_cycles
),

option_values as (
    select * from int_seg_option_values where is_valued
),

other_fcm_equities as (
    select * from stg_ledger__other_fcm_equities
),

foreign_equities as (
    select * from stg_ledger__foreign_depository_equities
),

bank_cash as (
    select
        bank_accounts.seg_class,
        bank_accounts.is_counted,
        bank_accounts.country,
        closing_balances.bank_account_id,
        closing_balances.currency,
        closing_balances.source_table,
        closing_balances.source_file,
        closing_balances.record_id,
        closing_balances.amount
    from closing_balances
    inner join bank_accounts on bank_accounts.bank_account_id = closing_balances.bank_account_id
    union all
    -- DuckDB lists are 1-based (BigQuery: ledger_records[offset(0)]); an unpaired break has one ledger record, and
    -- a carried break keeps the record and file of the day it was booked. break_impact.yaml maps no such break (its
    -- CASH MISSING_BANK rule takes positive ledger amounts only), so it counts once, here.
    select
        bank_accounts.seg_class,
        bank_accounts.is_counted,
        bank_accounts.country,
        breaks.bank_account_id,
        breaks.currency,
        'src_ledger__cash_journal' as source_table,
        breaks.source_files[1] as source_file,
        breaks.ledger_records[1] as record_id,
        breaks.ledger_amount as amount
    from breaks
    inner join bank_accounts on bank_accounts.bank_account_id = breaks.bank_account_id
    where breaks.recon = 'CASH'
        and breaks.break_type = 'MISSING_BANK'
        and breaks.status in ('NEW', 'OPEN')
        and breaks.ledger_amount < 0
),

bank_cash_lines as (
    select
        seg_class,
        case when is_counted then 'LINE' else 'EXCLUDED' end as kind,
        case
            when not is_counted then 'NO_ACK_LETTER'
            when seg_class <> 'SECURED' then '7A'
            when country = 'US' then 'F1A'
            else 'F1B'
        end as figure,
        currency,
        source_table,
        source_file,
        record_id,
        bank_account_id as subject,
        amount
    from bank_cash
    -- a ledger-only disbursement at an account that does not count has nothing to reduce
    where is_counted or source_table <> 'src_ledger__cash_journal'
),

custody_lines as (
    select
        custody.seg_class,
        case when bank_accounts.is_counted then 'LINE' else 'EXCLUDED' end as kind,
        case
            when bank_accounts.bank_account_id is null then 'UNRECOGNISED_DEPOSITORY'
            when not bank_accounts.is_counted then 'NO_ACK_LETTER'
            when custody.seg_class = 'SECURED' and bank_accounts.country = 'US' then 'F2A'
            when custody.seg_class = 'SECURED' then 'F2B'
            when custody.holding_type = 'INVESTMENT' then '7B'
            else '7C'
        end as figure,
        custody.currency,
        'src_ledger__custody' as source_table,
        custody.source_file,
        custody.record_id,
        custody.depository_account_id as subject,
        custody.market_value as amount
    from custody
    left join bank_accounts
        on bank_accounts.bank_account_id = custody.depository_account_id
        and bank_accounts.seg_class = custody.seg_class
    where custody.seg_class in ('SEG', 'SECURED', 'CLEARED_SWAPS')
),

collateral_lines as (
    select
        seg_class,
        'LINE' as kind,
        case
            when asset_type = 'CASH' then '8A'
            when holding_type = 'CUSTOMER_OWNED' then '8C'
            else '8B'
        end as figure,
        currency,
        'src_clearing__collateral' as source_table,
        source_file,
        record_id,
        case when cusip <> '' then cusip else dco end as subject,
        market_value as amount
    from collateral
    where seg_class in ('SEG', 'CLEARED_SWAPS')
),

settlement_lines as (
    select
        seg_class,
        'LINE' as kind,
        '9' as figure,
        currency,
        'int_dco_cycles' as source_table,
        array_to_string(source_files, ',') as source_file,
        concat(reference, '|', settlement_bank_account_id) as record_id,
        dco as subject,
        amount
    from dco_cycles
    where seg_class in ('SEG', 'CLEARED_SWAPS') and status = 'PENDING'
),

option_lines as (
    select
        seg_class,
        'LINE' as kind,
        sides.figure,
        currency,
        'src_clearing__position_reports' as source_table,
        source_file,
        record_id,
        position_account as subject,
        case when sides.figure = '10A' then long_value else -short_value end as amount
    from option_values
    cross join (values ('10A'), ('10B')) as sides (figure)
),

other_fcm_lines as (
    select
        seg_class,
        'LINE' as kind,
        parts.figure,
        currency,
        'src_ledger__other_fcm_equities' as source_table,
        source_file,
        record_id,
        fcm as subject,
        case parts.figure
            when '11A' then net_liquidating_equity
            when '11B' then investments_value
            else customer_securities_value
        end as amount
    from other_fcm_equities
    cross join (values ('11A'), ('11B'), ('11C')) as parts (figure)
    where seg_class in ('SEG', 'CLEARED_SWAPS')
),

foreign_lines as (
    select
        'SECURED' as seg_class,
        'LINE' as kind,
        case depository_type
            when 'FCM' then concat('F3', parts.item)
            when 'FBOT_CLEARING_ORG' then concat('F4', parts.item)
            else concat('F5', parts.item)
        end as figure,
        currency,
        'src_ledger__foreign_depository_equities' as source_table,
        source_file,
        record_id,
        depository as subject,
        case parts.item
            when 'A' then cash
            when 'B' then securities_value
            when 'C' then unrealized_pl
            when 'D' then long_option_value
            else -short_option_value
        end as amount
    from foreign_equities
    cross join (values ('A'), ('B'), ('C'), ('D'), ('E')) as parts (item)
    where depository_type in ('FCM', 'FBOT_CLEARING_ORG', 'FBOT_MEMBER')
    union all
    select
        'SECURED' as seg_class,
        'LINE' as kind,
        'F6' as figure,
        currency,
        'src_ledger__foreign_depository_equities' as source_table,
        source_file,
        record_id,
        depository as subject,
        cash + securities_value + unrealized_pl + long_option_value - short_option_value as amount
    from foreign_equities
    where depository_type = 'OTHER'
),

contributions as (
    select * from bank_cash_lines
    union all
    select * from custody_lines
    union all
    select * from collateral_lines
    union all
    select * from settlement_lines
    union all
    select * from option_lines
    union all
    select * from other_fcm_lines
    union all
    select * from foreign_lines
)

select
    seg_class,
    kind,
    figure,
    currency,
    source_table,
    source_file,
    record_id,
    subject,
    amount
from contributions
