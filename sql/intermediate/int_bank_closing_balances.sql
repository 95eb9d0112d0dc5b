-- The bank's closing ledger balance of each account for the business date, from its statement of record only
-- (a final report in the account's declared format: BAI2 015 or camt CLBD).
with balances as (
    select * from stg_bank__balances where balance_type = 'CLBD' and report_kind = 'FINAL'
),

bank_accounts as (
    select * from stg_reference__bank_accounts
),

run_parameters as (
    select * from stg_run__parameters
)

select
    balances.bank_account_id,
    balances.currency,
    balances.amount,
    balances.record_id,
    balances.source_file
from balances
inner join bank_accounts
    on bank_accounts.bank_account_id = balances.bank_account_id
    and bank_accounts.statement_format = balances.fmt
inner join run_parameters on run_parameters.business_date = balances.as_of_date
