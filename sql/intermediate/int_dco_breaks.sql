-- DCO_SETTLEMENT breaks, one per leg at fault (difference = leg - clearing, an absent leg counting zero; with no
-- clearing cycle the leg's amount), and today's end-of-day cycles as PENDING items until their payment date.
with three_way as (
    select * from int_dco_three_way
),

pending as (
    select * from int_dco_cycles where status = 'PENDING'
),

faults as (
    select *, 'CLEARING' as leg, 'MISSING_CLEARING' as break_type, coalesce(bank_amount, ledger_amount) as difference
    from three_way where clearing_amount is null
    union all
    select *, 'BANK' as leg, 'MISSING_BANK' as break_type, -clearing_amount as difference
    from three_way where clearing_amount is not null and bank_amount is null
    union all
    select *, 'BANK' as leg, 'AMOUNT_MISMATCH' as break_type, bank_difference as difference
    from three_way where clearing_amount is not null and not bank_within
    union all
    select *, 'LEDGER' as leg, 'MISSING_LEDGER' as break_type, -clearing_amount as difference
    from three_way where clearing_amount is not null and ledger_amount is null
    union all
    select *, 'LEDGER' as leg, 'AMOUNT_MISMATCH' as break_type, ledger_difference as difference
    from three_way where clearing_amount is not null and not ledger_within
)

select
    'DCO_SETTLEMENT' as recon,
    break_type,
    'NEW' as status,
    seg_class,
    bank_account_id,
    cast(null as varchar) as account,
    currency,
    reference,
    clearing_amount,
    bank_amount,
    ledger_amount,
    difference,
    cast(null as date) as expected_date,
    clearing_records,
    -- every record of a grain that does not match stays with each of its breaks until the grain matches
    bank_records,
    ledger_records,
    source_files,
    concat(dco, '|', bank_account_id, '|', currency, '|', reference, '|', leg) as grain_key
from faults
union all
select
    'DCO_SETTLEMENT' as recon,
    'PENDING_SETTLEMENT' as break_type,
    'PENDING' as status,
    seg_class,
    settlement_bank_account_id as bank_account_id,
    cast(null as varchar) as account,
    currency,
    reference,
    amount as clearing_amount,
    cast(null as decimal(38, 9)) as bank_amount,
    cast(null as decimal(38, 9)) as ledger_amount,
    cast(0 as decimal(38, 9)) as difference,
    payment_date as expected_date,
    clearing_records,
    cast([] as varchar[]) as bank_records,
    cast([] as varchar[]) as ledger_records,
    source_files,
    concat(dco, '|', settlement_bank_account_id, '|', currency, '|', reference) as grain_key
from pending
