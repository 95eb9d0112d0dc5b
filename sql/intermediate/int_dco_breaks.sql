-- DCO_SETTLEMENT breaks, one per leg at fault (difference = leg - clearing, an absent leg counting zero; with no
-- clearing cycle the leg's amount), and the cycles not yet paid (int_dco_cycles: today's end of day, on a Fedwire
-- holiday its intraday cycle and the previous end of day too) as PENDING items until their payment date.
with three_way as (
    select * from int_dco_three_way where not matched
),

bank_accounts as (
    select * from stg_reference__bank_accounts
),

-- the grains that do not match and the pending cycles, with the class of their settlement account when no cycle
-- gives one, and each side's records as lists (an absent side's empty)
unmatched as (
    select
        three_way.bank_account_id,
        three_way.currency,
        three_way.reference,
        three_way.pending,
        three_way.payment_date,
        coalesce(three_way.dco, 'CME') as dco,
        coalesce(three_way.clearing_seg_class, bank_accounts.seg_class) as seg_class,
        three_way.clearing_amount,
        three_way.bank_amount,
        three_way.ledger_amount,
        three_way.bank_amount - three_way.clearing_amount as bank_difference,
        three_way.ledger_amount - three_way.clearing_amount as ledger_difference,
        three_way.bank_within,
        three_way.ledger_within,
        case
            when three_way.clearing_record is not null then [three_way.clearing_record]
            else coalesce(three_way.clearing_records, cast([] as varchar[]))
        end as clearing_records,
        case
            when three_way.bank_record is not null then [three_way.bank_record]
            else coalesce(three_way.bank_records, cast([] as varchar[]))
        end as bank_records,
        case
            when three_way.ledger_record is not null then [three_way.ledger_record]
            else coalesce(three_way.ledger_records, cast([] as varchar[]))
        end as ledger_records,
        three_way.source_files
    from three_way
    left join bank_accounts on bank_accounts.bank_account_id = three_way.bank_account_id
),

faults as (
    select *, 'CLEARING' as leg, 'MISSING_CLEARING' as break_type, coalesce(bank_amount, ledger_amount) as difference
    from unmatched where clearing_amount is null
    union all
    select *, 'BANK' as leg, 'MISSING_BANK' as break_type, -clearing_amount as difference
    from unmatched where clearing_amount is not null and not pending and bank_amount is null
    union all
    select *, 'BANK' as leg, 'AMOUNT_MISMATCH' as break_type, bank_difference as difference
    from unmatched where clearing_amount is not null and not bank_within
    union all
    select *, 'LEDGER' as leg, 'MISSING_LEDGER' as break_type, -clearing_amount as difference
    from unmatched where clearing_amount is not null and not pending and ledger_amount is null
    union all
    select *, 'LEDGER' as leg, 'AMOUNT_MISMATCH' as break_type, ledger_difference as difference
    from unmatched where clearing_amount is not null and not ledger_within
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
    bank_account_id,
    cast(null as varchar) as account,
    currency,
    reference,
    clearing_amount,
    cast(null as decimal(38, 9)) as bank_amount,
    cast(null as decimal(38, 9)) as ledger_amount,
    cast(0 as decimal(38, 9)) as difference,
    payment_date as expected_date,
    clearing_records,
    cast([] as varchar[]) as bank_records,
    cast([] as varchar[]) as ledger_records,
    source_files,
    concat(dco, '|', bank_account_id, '|', currency, '|', reference) as grain_key
from unmatched
where pending
