-- Today's breaks aged against the previous business day's open breaks, keeping each break's id and first-seen date.
-- Snapshot recons: a grain still broken is OPEN one business day older; an open grain no longer broken is RESOLVED.
-- Item recons: a carried break is OPEN one business day older until today's items net it to zero, then RESOLVED
-- (int_item_carry); today's own item breaks are NEW. A SECURED-only run (stg_run__scope) matches nothing on a date CME
-- does not clear: the previous CME business day's open breaks stand as they were (same id, status, first-seen date
-- and age), so its statement still deducts their unpaid disbursements; recon_breaks publishes none of them.
-- Each break gets its id here, and a CLOSE a person made for the day (stg_warehouse__decisions) force-closes a NEW or
-- OPEN break: CLOSED, it is neither carried to later days nor counted as outstanding (int_seg_funds_contributions).
with breaks as (
    select * from int_breaks_all
),

run_scope as (
    select * from stg_run__scope
),

previous as (
    select previous_breaks.*
    from stg_warehouse__previous_breaks as previous_breaks
    cross join run_scope
    where not previous_breaks.is_item_recon and run_scope.reconciles
),

standing as (
    select previous_breaks.*
    from stg_warehouse__previous_breaks as previous_breaks
    cross join run_scope
    where not run_scope.reconciles
),

carried_items as (
    select * from int_item_carry where origin = 'PREVIOUS'
),

run_parameters as (
    select * from stg_run__parameters
),

closes as (
    select distinct target_id from stg_warehouse__decisions where action = 'CLOSE'
),

carried as (
    select
        breaks.*,
        previous.break_id as carried_break_id,
        previous.first_seen_date as carried_first_seen_date,
        previous.age_business_days + 1 as carried_age_business_days
    from breaks
    left join previous
        on previous.recon = breaks.recon
        and previous.break_type = breaks.break_type
        and coalesce(previous.bank_account_id, '') = coalesce(breaks.bank_account_id, '')
        and coalesce(previous.account, '') = coalesce(breaks.account, '')
        and previous.currency = breaks.currency
        and coalesce(previous.reference, '') = coalesce(breaks.reference, '')
),

resolved as (
    select previous.*
    from previous
    left join breaks
        on breaks.recon = previous.recon
        and breaks.break_type = previous.break_type
        and coalesce(breaks.bank_account_id, '') = coalesce(previous.bank_account_id, '')
        and coalesce(breaks.account, '') = coalesce(previous.account, '')
        and breaks.currency = previous.currency
        and coalesce(breaks.reference, '') = coalesce(previous.reference, '')
    where breaks.recon is null
),

aged as (
    select
        carried.recon,
        carried.break_type,
        case when carried.carried_break_id is not null then 'OPEN' else carried.status end as status,
        carried.seg_class,
        carried.bank_account_id,
        carried.account,
        carried.currency,
        carried.reference,
        carried.clearing_amount,
        carried.bank_amount,
        carried.ledger_amount,
        carried.difference,
        carried.expected_date,
        carried.clearing_records,
        carried.bank_records,
        carried.ledger_records,
        carried.source_files,
        carried.grain_key,
        carried.carried_break_id,
        coalesce(carried.carried_first_seen_date, run_parameters.business_date) as first_seen_date,
        coalesce(carried.carried_age_business_days, 0) as age_business_days
    from carried
    cross join run_parameters
    union all
    select
        resolved.recon,
        resolved.break_type,
        'RESOLVED' as status,
        resolved.seg_class,
        resolved.bank_account_id,
        resolved.account,
        resolved.currency,
        resolved.reference,
        cast(null as decimal(38, 9)) as clearing_amount,
        cast(null as decimal(38, 9)) as bank_amount,
        cast(null as decimal(38, 9)) as ledger_amount,
        cast(0 as decimal(38, 9)) as difference,
        cast(null as date) as expected_date,
        cast([] as varchar[]) as clearing_records,
        cast([] as varchar[]) as bank_records,
        cast([] as varchar[]) as ledger_records,
        cast([] as varchar[]) as source_files,
        '' as grain_key,
        resolved.break_id as carried_break_id,
        resolved.first_seen_date,
        resolved.age_business_days + 1 as age_business_days
    from resolved
    union all
    select
        carried_items.recon,
        carried_items.break_type,
        case when carried_items.is_resolved then 'RESOLVED' else 'OPEN' end as status,
        carried_items.seg_class,
        carried_items.bank_account_id,
        carried_items.account,
        carried_items.currency,
        carried_items.reference,
        carried_items.clearing_amount,
        carried_items.bank_amount,
        carried_items.ledger_amount,
        case
            when carried_items.is_resolved then cast(0 as decimal(38, 9)) else carried_items.difference
        end as difference,
        carried_items.expected_date,
        carried_items.clearing_records,
        carried_items.bank_records,
        carried_items.ledger_records,
        carried_items.source_files,
        carried_items.grain_key,
        carried_items.break_id as carried_break_id,
        carried_items.first_seen_date,
        carried_items.age_business_days + 1 as age_business_days
    from carried_items
    union all
    select
        standing.recon,
        standing.break_type,
        standing.status,
        standing.seg_class,
        standing.bank_account_id,
        standing.account,
        standing.currency,
        standing.reference,
        standing.clearing_amount,
        standing.bank_amount,
        standing.ledger_amount,
        standing.difference,
        standing.expected_date,
        standing.clearing_records,
        standing.bank_records,
        standing.ledger_records,
        standing.source_files,
        '' as grain_key,
        standing.break_id as carried_break_id,
        standing.first_seen_date,
        standing.age_business_days
    from standing
),

identified as (
    select
        -- a carried break keeps its id; a new one's id leaves out the amount, which may change while it is open
        coalesce(carried_break_id, substr(md5(concat(
            recon, '|', grain_key, '|', break_type, '|', cast(first_seen_date as varchar), '|',
            -- each list is sorted already, so clearing|bank|ledger concatenated is a fixed order
            array_to_string(list_concat(clearing_records, bank_records, ledger_records), ',')
        )), 1, 16)) as break_id,
        aged.*
    from aged
)

select
    identified.break_id,
    identified.recon,
    identified.break_type,
    case
        when closes.target_id is not null and identified.status in ('NEW', 'OPEN') then 'CLOSED'
        else identified.status
    end as status,
    identified.seg_class,
    identified.bank_account_id,
    identified.account,
    identified.currency,
    identified.reference,
    identified.clearing_amount,
    identified.bank_amount,
    identified.ledger_amount,
    identified.difference,
    identified.expected_date,
    identified.clearing_records,
    identified.bank_records,
    identified.ledger_records,
    identified.source_files,
    identified.grain_key,
    identified.carried_break_id,
    identified.first_seen_date,
    identified.age_business_days
from identified
left join closes on closes.target_id = identified.break_id
