-- Every break of the day with its stable id, status, age and materiality tier, and the decisions people took on it:
-- a CLOSE made for the day force-closes a NEW or OPEN break (CLOSED: it is not carried to later days), every
-- ANNOTATE made for the day or earlier follows its break.
with breaks as (
    select * from int_breaks_aged
),

tiers as (
    select * from stg_rules__tiers
),

decisions as (
    select * from stg_warehouse__decisions where action in ('CLOSE', 'ANNOTATE')
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

decided as (
    select
        identified.break_id,
        max(case when decisions.action = 'CLOSE' and identified.status in ('NEW', 'OPEN') then 1 else 0 end) = 1
            as is_closed,
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
    left join decided on decided.break_id = identified.break_id
    inner join tiers
        on abs(identified.difference) >= tiers.min_abs_difference
        -- a resolved or force-closed break is not escalated by its age
        or (
            identified.status <> 'RESOLVED' and not coalesce(decided.is_closed, false)
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
    case when decided.is_closed then 'CLOSED' else identified.status end as status,
    tiers.tier,
    -- the open break's seg impact (int_seg_break_impact, keyed by the same expression of the int_breaks_aged row)
    (select impact.seg_impact_usd from int_seg_break_impact as impact
        where impact.break_key = concat(
            identified.recon, '|', identified.break_type, '|', identified.status, '|', identified.grain_key, '|',
            coalesce(identified.carried_break_id, ''), '|',
            array_to_string(list_concat(identified.clearing_records, identified.bank_records,
                identified.ledger_records), ','))) as seg_impact_usd,
    (select impact.seg_line from int_seg_break_impact as impact
        where impact.break_key = concat(
            identified.recon, '|', identified.break_type, '|', identified.status, '|', identified.grain_key, '|',
            coalesce(identified.carried_break_id, ''), '|',
            array_to_string(list_concat(identified.clearing_records, identified.bank_records,
                identified.ledger_records), ','))) as seg_line,
    identified.clearing_records,
    identified.bank_records,
    identified.ledger_records,
    identified.source_files,
    coalesce(decided.decision_ids, cast([] as varchar[])) as decision_ids,
    decided.decision_note
from identified
left join decided on decided.break_id = identified.break_id
inner join tier_choice on tier_choice.break_id = identified.break_id
inner join tiers on tiers.tier_rank = tier_choice.tier_rank
