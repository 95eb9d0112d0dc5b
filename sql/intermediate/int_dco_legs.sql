-- The bank and ledger legs of DCO settlements, one row per settlement account, currency, reference and side.
with bank as (
    select * from int_bank_entries_routed where route = 'DCO_SETTLEMENT'
),

ledger as (
    select * from int_cash_journal_routed where route = 'DCO_SETTLEMENT'
),

entries as (
    select 'BANK' as side, bank_account_id, currency, match_reference as reference, amount, record_id, source_file
    from bank
    union all
    select 'LEDGER' as side, bank_account_id, currency, match_reference as reference, amount, record_id, source_file
    from ledger
)

select
    side,
    bank_account_id,
    currency,
    reference,
    sum(amount) as amount,
    -- most legs are one record, whose lists need no sorting: DuckDB evaluates each CASE branch only for its rows
    case when count(*) = 1 then array_agg(record_id) else list_sort(array_agg(record_id)) end as records,
    case
        when count(*) = 1 then array_agg(source_file) else list_sort(list_distinct(array_agg(source_file)))
    end as source_files
from entries
group by side, bank_account_id, currency, reference
