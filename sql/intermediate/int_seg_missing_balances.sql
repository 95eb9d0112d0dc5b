-- The counted bank accounts of each customer class with no closing ledger balance for the business date: their
-- statement of record was rejected or did not arrive (a rejected file is not a Fedwire holiday: nothing is carried
-- forward), so the cash line they feed (7A, or F1A / F1B of the secured statement) is unknown in their currency and in
-- USD, and so is every line computed from it: the FUNDS and EXCESS lines (13 and 14, F8 and F9) and, for the class in
-- USD, OVER_TARGET (16, F11). Such lines are not published (int_seg_unknown_lines), no alert is computed from them, and
-- the statement is NOT_FILEABLE. bank_files names the day's rejected or missing bank files (src_file_problems).
with bank_accounts as (
    select * from int_seg_bank_accounts where is_counted
),

closing_balances as (
    select * from int_bank_closing_balances
),

file_problems as (
    select * from src_file_problems
),

run_parameters as (
    select * from stg_run__parameters
),

bank_files as (
    select
        array_to_string(list_sort(list_distinct(array_agg(concat(file_problems.source_file, ' (', file_problems.code,
            ')')))), '; ') as bank_files
    from file_problems
    cross join run_parameters
    where starts_with(file_problems.source_file, concat(cast(run_parameters.business_date as varchar), '/bank/'))
)

select
    bank_accounts.seg_class,
    case
        when bank_accounts.seg_class <> 'SECURED' then '7A'
        when bank_accounts.country = 'US' then 'F1A'
        else 'F1B'
    end as figure,
    bank_accounts.currency,
    bank_accounts.bank_account_id,
    bank_accounts.depository,
    bank_files.bank_files
from bank_accounts
cross join bank_files
where not exists (
    select 1
    from closing_balances
    where closing_balances.bank_account_id = bank_accounts.bank_account_id
)
