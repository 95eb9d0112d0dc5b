-- CASH items passes 1 and 2 did not pair: a duplicate when an identical item on the same side was paired, else the
-- other leg is missing (the subset pass, int_cash_subset_fits, may still take it).
with candidates as (
    select * from int_cash_candidates
),

paired_records as (
    select bank_record_id as record_id from int_cash_exact_pairs
    union all
    select ledger_record_id as record_id from int_cash_exact_pairs
    union all
    select bank_record_id as record_id from int_cash_reference_pairs
    union all
    select ledger_record_id as record_id from int_cash_reference_pairs
),

flagged as (
    select
        candidates.*,
        paired_records.record_id is not null as is_paired
    from candidates
    left join paired_records on paired_records.record_id = candidates.record_id
),

unpaired as (
    select * from flagged where not is_paired
),

paired_keys as (
    select distinct side, bank_account_id, currency, reference, amount from flagged where is_paired
)

select
    unpaired.*,
    case
        when paired_keys.side is not null then 'DUPLICATE'
        when unpaired.side = 'BANK' then 'MISSING_LEDGER'
        else 'MISSING_BANK'
    end as break_type
from unpaired
left join paired_keys
    on paired_keys.side = unpaired.side
    and paired_keys.bank_account_id = unpaired.bank_account_id
    and paired_keys.currency = unpaired.currency
    and paired_keys.reference = unpaired.reference
    and paired_keys.amount = unpaired.amount
