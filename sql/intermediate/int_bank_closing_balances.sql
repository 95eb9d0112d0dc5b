-- The bank's closing ledger balance of each account for the business date, from its statement of record only
-- (a final report in the account's declared format: BAI2 015 or camt CLBD). On a business date that is not a Fedwire
-- bank day (Columbus Day, Veterans Day: CME clears, no bank file is expected) an account with no statement of record
-- today takes the previous business day's published closing balance, carried forward (source_table
-- src_warehouse__previous_bank_balances, carried_from_date the settlement day it stands for); a statement that does
-- arrive on such a day is still read and wins. A rejected or missing file on a bank day carries nothing.
with balances as (
    select * from stg_bank__balances where balance_type = 'CLBD' and report_kind = 'FINAL'
),

bank_accounts as (
    select * from stg_reference__bank_accounts
),

run_parameters as (
    select * from stg_run__parameters
),

days as (
    select * from stg_calendar__business_days
),

previous_balances as (
    select * from stg_warehouse__previous_bank_balances
),

read_today as (
    select
        balances.bank_account_id,
        balances.currency,
        balances.amount,
        balances.record_id,
        balances.source_file,
        'src_bank__balances' as source_table,
        cast(null as date) as carried_from_date
    from balances
    inner join bank_accounts
        on bank_accounts.bank_account_id = balances.bank_account_id
        and bank_accounts.statement_format = balances.fmt
    inner join run_parameters on run_parameters.business_date = balances.as_of_date
),

carried as (
    select
        previous_balances.bank_account_id,
        previous_balances.currency,
        previous_balances.amount,
        previous_balances.record_id,
        previous_balances.source_file,
        'src_warehouse__previous_bank_balances' as source_table,
        previous_balances.as_of_date as carried_from_date
    from previous_balances
    inner join (select distinct bank_account_id from bank_accounts) as known
        on known.bank_account_id = previous_balances.bank_account_id
    cross join run_parameters
    inner join days on days.day = run_parameters.business_date
    left join (select distinct bank_account_id from read_today) as read_accounts
        on read_accounts.bank_account_id = previous_balances.bank_account_id
    where not days.is_bank_day and read_accounts.bank_account_id is null
)

select * from read_today
union all
select * from carried
