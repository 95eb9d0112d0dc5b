-- Every break of the day with its stable id, status, age and materiality tier.
with breaks as (
    select * from int_breaks_aged
),

tiers as (
    select * from stg_rules__tiers
),

identified as (
    select
        -- a carried break keeps its id; a new one's id leaves out the amount, which may change while it is open
        coalesce(carried_break_id, substr(md5(concat(
            recon, '|', grain_key, '|', break_type, '|', cast(first_seen_date as varchar), '|',
            -- each list is sorted already, so clearing|bank|ledger concatenated is a fixed order
            array_to_string(list_concat(clearing_records, bank_records, ledger_records), ',')
        )), 1, 16)) as break_id,
        breaks.*
    from breaks
),

tier_choice as (
    select
        identified.break_id,
        min(tiers.tier_rank) as tier_rank
    from identified
    inner join tiers
        on abs(identified.difference) >= tiers.min_abs_difference
        -- a resolved break is not escalated by its age
        or (identified.status <> 'RESOLVED' and identified.age_business_days >= tiers.min_age_business_days)
    group by identified.break_id
)

select
    identified.break_id,
    identified.recon,
    identified.break_type,
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
    identified.first_seen_date,
    identified.age_business_days,
    identified.status,
    tiers.tier,
    cast(null as decimal(38, 9)) as seg_impact_usd,
    cast(null as varchar) as seg_line,
    identified.clearing_records,
    identified.bank_records,
    identified.ledger_records,
    identified.source_files
from identified
inner join tier_choice on tier_choice.break_id = identified.break_id
inner join tiers on tiers.tier_rank = tier_choice.tier_rank
