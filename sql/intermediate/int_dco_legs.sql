-- The bank and ledger legs of DCO settlements, one row per settlement account, currency, reference and side. A leg of
-- one record is that record as it is, with record_id and source_file (records and source_files null); a leg of
-- several records is their sum, with their sorted lists as records and source_files (record_id and source_file
-- null). Only legs of several records are aggregated: the rest pass through, since aggregating millions of
-- one-record groups with their records and files costs about ten times finding the groups of several.
-- int_dco_entries is read three times, each inlined (a CTE read three times would be materialised).
with shared_grains as (
    select side, bank_account_id, currency, reference
    from int_dco_entries
    group by side, bank_account_id, currency, reference
    having count(*) > 1
),

-- a null key is a key like any other here, as the aggregation below groups it
single_record_legs as (
    select
        entries.side,
        entries.bank_account_id,
        entries.currency,
        entries.reference,
        entries.amount,
        entries.record_id,
        cast(null as varchar[]) as records,
        entries.source_file,
        cast(null as varchar[]) as source_files
    from int_dco_entries as entries
    left join shared_grains
        on shared_grains.side = entries.side
        and shared_grains.bank_account_id is not distinct from entries.bank_account_id
        and shared_grains.currency is not distinct from entries.currency
        and shared_grains.reference is not distinct from entries.reference
    where shared_grains.side is null
),

several_record_legs as (
    select
        entries.side,
        entries.bank_account_id,
        entries.currency,
        entries.reference,
        sum(entries.amount) as amount,
        cast(null as varchar) as record_id,
        list_sort(array_agg(entries.record_id)) as records,
        cast(null as varchar) as source_file,
        list_sort(list_distinct(array_agg(entries.source_file))) as source_files
    from int_dco_entries as entries
    inner join shared_grains
        on shared_grains.side = entries.side
        and shared_grains.bank_account_id is not distinct from entries.bank_account_id
        and shared_grains.currency is not distinct from entries.currency
        and shared_grains.reference is not distinct from entries.reference
    group by entries.side, entries.bank_account_id, entries.currency, entries.reference
)

select * from single_record_legs
union all
select * from several_record_legs
