-- Every match of every reconciliation run today. A match of a pass that only proposes (auto_match false in its
-- rule) is PROPOSED until a person's ACCEPT decision for the day makes it ACCEPTED.
with matches as (
    select * from int_matches_all
),

passes as (
    select * from stg_rules__passes
),

accepted as (
    select target_id, min(decision_id) as decision_id
    from stg_warehouse__decisions
    where action = 'ACCEPT'
    group by target_id
)

select
    matches.match_id,
    matches.recon,
    matches.rule_id,
    matches.rule_version,
    case
        when coalesce(passes.auto_match, true) then matches.match_kind
        when accepted.decision_id is not null then 'ACCEPTED'
        else 'PROPOSED'
    end as match_kind,
    matches.seg_class,
    matches.bank_account_id,
    matches.account,
    matches.currency,
    matches.reference,
    matches.clearing_amount,
    matches.bank_amount,
    matches.ledger_amount,
    matches.difference,
    matches.clearing_records,
    matches.bank_records,
    matches.ledger_records,
    case
        when accepted.decision_id is null or coalesce(passes.auto_match, true) then cast([] as varchar[])
        else [accepted.decision_id]
    end as decision_ids
from matches
left join passes on passes.recon = matches.recon and passes.rule_id = matches.rule_id
left join accepted on accepted.target_id = matches.match_id
