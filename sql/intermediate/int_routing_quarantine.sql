-- Rows the routing quarantined (their account is unknown to the reference data), in the quarantine table's shape.
-- A ledger balance row's amount is its cash_balance, as conservation counts it.
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

balances as (
    select * from int_ledger_balances_routed where route = 'QUARANTINE'
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
    concat('bank entry on account ', bank_account_id, ' which the reference data does not know') as message,
    amount,
    currency
from bank
union all
select
    'ROW' as scope,
    source_file,
    location,
    record_id,
    'bank_account_id' as field,
    route_reason as code,
    'an account in reference/bank_accounts.csv in force on the business date' as expected,
    bank_account_id as found,
    concat('journal entry ', entry_id, ' names bank account ', bank_account_id, ' which the reference data does not know')
        as message,
    amount,
    currency
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
    position_reports.currency
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
    concat('ledger balance of account ', account_id, ' in ', currency,
        ' which the reference data does not know: its money is in no segregation statement') as message,
    cash_balance as amount,
    currency
from balances
