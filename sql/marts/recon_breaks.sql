-- Every break of the day with its stable id, status, age and materiality tier (int_breaks_aged, where a CLOSE made for
-- the day force-closes a NEW or OPEN break: CLOSED, it is not carried to later days), and the decisions people took
-- on it: the CLOSE, and every ANNOTATE made for the day or earlier, which follows its break. Its tier is the first
-- of recon/rules/tiers.yaml whose US dollar amount or age it reaches (see valued below).
-- A SECURED-only run (stg_run__scope) reconciles nothing: the earlier breaks standing in int_breaks_aged are not its.
with breaks as (
    select * from int_breaks_aged
),

run_scope as (
    select * from stg_run__scope
),

identified as (
    select breaks.*
    from breaks
    cross join run_scope
    where run_scope.reconciles
),

tiers as (
    select * from stg_rules__tiers
),

-- the seg impact of a break of a customer class (none for the others)
impacts as (
    select * from int_seg_break_impact
),

decisions as (
    select * from stg_warehouse__decisions where action in ('CLOSE', 'ANNOTATE')
),

decided as (
    select
        identified.break_id,
        list(
            decisions.decision_id order by decisions.decided_at nulls first, decisions.decision_id nulls first
        ) as decision_ids,
        string_agg(
            concat(decisions.action, ' by ', decisions.decided_by, ' for ', cast(decisions.business_date as varchar),
                ': ', decisions.reason),
            ' | ' order by decisions.decided_at nulls first, decisions.decision_id nulls first
        ) as decision_note
    from identified
    inner join decisions on decisions.target_id = identified.break_id
    group by identified.break_id
),

rates as (
    select * from int_seg_rates
),

-- the difference in US dollars at the day's rate, rounded once half-even (the method of int_seg_contributions_usd);
-- none for POSITION and TRADE (contracts or price points, not money) or a currency with no rate
converted as (
    select
        identified.break_id,
        identified.difference * rates.usd_per_unit as exact_usd,
        cast(identified.difference * rates.usd_per_unit as decimal(38, 9)) as away_usd
    from identified
    left join rates on rates.currency = identified.currency
    where identified.recon not in ('POSITION', 'TRADE')
),

in_usd as (
    select
        break_id,
        case
            when abs(exact_usd - away_usd) = 0.0000000005
                and mod(cast(away_usd * 1000000000 as decimal(38, 0)), 2) <> 0
                then cast(away_usd - sign(exact_usd) * 0.000000001 as decimal(38, 9))
            else away_usd
        end as difference_usd
    from converted
),

-- what a tier's amount threshold (US dollars) is compared with: the difference in USD; a money difference in a
-- currency with no rate reaches every threshold (it cannot be shown to be below one). POSITION and TRADE breaks
-- are tiered by their age alone.
valued as (
    select
        identified.break_id,
        identified.status,
        identified.age_business_days,
        coalesce(abs(in_usd.difference_usd), 0) as abs_difference_usd,
        in_usd.break_id is not null and in_usd.difference_usd is null and identified.difference <> 0 as unvalued
    from identified
    left join in_usd on in_usd.break_id = identified.break_id
),

tier_choice as (
    select
        valued.break_id,
        min(tiers.tier_rank) as tier_rank
    from valued
    inner join tiers
        on valued.abs_difference_usd >= tiers.min_abs_difference
        or valued.unvalued
        -- a resolved or force-closed break is not escalated by its age
        or (
            valued.status not in ('RESOLVED', 'CLOSED')
            and valued.age_business_days >= tiers.min_age_business_days
        )
    group by valued.break_id
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
    in_usd.difference_usd,
    identified.expected_date,
    identified.first_seen_date,
    identified.age_business_days,
    identified.status,
    tiers.tier,
    impacts.seg_impact_usd,
    impacts.seg_line,
    identified.clearing_records,
    identified.bank_records,
    identified.ledger_records,
    identified.source_files,
    coalesce(decided.decision_ids, cast([] as varchar[])) as decision_ids,
    decided.decision_note
from identified
left join decided on decided.break_id = identified.break_id
left join impacts on impacts.break_id = identified.break_id
left join in_usd on in_usd.break_id = identified.break_id
inner join tier_choice on tier_choice.break_id = identified.break_id
inner join tiers on tiers.tier_rank = tier_choice.tier_rank
