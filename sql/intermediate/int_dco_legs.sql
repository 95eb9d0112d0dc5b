-- The bank and ledger legs of DCO settlements, one row per settlement account, currency, reference and side.
with bank as (
    select * from int_bank_entries_routed where route = 'DCO_SETTLEMENT'
),

ledger as (
    select * from int_cash_journal_routed where route = 'DCO_SETTLEMENT'
)

select
    'BANK' as side,
    bank_account_id,
    currency,
    match_reference as reference,
    sum(amount) as amount,
    list_sort(array_agg(record_id)) as records,
    list_sort(list_distinct(array_agg(source_file))) as source_files
from bank
group by bank_account_id, currency, match_reference
union all
select
    'LEDGER' as side,
    bank_account_id,
    currency,
    match_reference as reference,
    sum(amount) as amount,
    list_sort(array_agg(record_id)) as records,
    list_sort(list_distinct(array_agg(source_file))) as source_files
from ledger
group by bank_account_id, currency, match_reference
