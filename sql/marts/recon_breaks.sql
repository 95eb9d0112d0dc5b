-- Every break of the day with its stable id, status, age and materiality tier (int_breaks_aged, where a CLOSE made for
-- the day force-closes a NEW or OPEN break: CLOSED, it is not carried to later days), and the decisions people took
-- on it: the CLOSE, and every ANNOTATE made for the day or earlier, which follows its break.
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

tier_choice as (
    select
        identified.break_id,
        min(tiers.tier_rank) as tier_rank
    from identified
    inner join tiers
        on abs(identified.difference) >= tiers.min_abs_difference
        -- a resolved or force-closed break is not escalated by its age
        or (
            identified.status not in ('RESOLVED', 'CLOSED')
            and identified.age_business_days >= tiers.min_age_business_days
        )
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
inner join tier_choice on tier_choice.break_id = identified.break_id
inner join tiers on tiers.tier_rank = tier_choice.tier_rank
