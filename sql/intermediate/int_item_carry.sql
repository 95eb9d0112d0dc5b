-- The item recons' breaks across business days. Each carry key (recon, bank account, currency, reference; TRADE
-- also the position account) with breaks still open from earlier days and breaks today is resolved when the
-- open and today's differences net to zero within the recon's carries_forward rule: the earlier breaks become
-- RESOLVED and today's items are matched against them. One row per today's break and per carried break, with
-- the decision; PENDING settlement cycles are not breaks and are never carried.
with today as (
    select * from int_cash_breaks
    union all
    select * from int_dco_breaks where status <> 'PENDING'
    union all
    select * from int_trade_breaks
),

previous as (
    select * from stg_warehouse__previous_breaks where is_item_recon
),

carry_rules as (
    select * from stg_rules__passes where carries_forward
),

today_keyed as (
    select
        today.*,
        concat(
            recon, '|', coalesce(bank_account_id, ''), '|', currency, '|', coalesce(reference, ''), '|',
            case when recon = 'TRADE' then coalesce(account, '') else '' end
        ) as carry_key
    from today
),

differences as (
    select recon, carry_key, 'TODAY' as origin, difference from today_keyed
    union all
    select recon, carry_key, 'PREVIOUS' as origin, difference from previous
),

netted as (
    select
        differences.recon,
        differences.carry_key,
        carry_rules.rule_id,
        carry_rules.rule_version
    from differences
    inner join carry_rules on carry_rules.recon = differences.recon
    group by
        differences.recon, differences.carry_key, carry_rules.rule_id, carry_rules.rule_version,
        carry_rules.amount_tolerance_below, carry_rules.amount_tolerance_above
    having
        sum(case when differences.origin = 'TODAY' then 1 else 0 end) > 0
        and sum(case when differences.origin = 'PREVIOUS' then 1 else 0 end) > 0
        and sum(differences.difference) >= -carry_rules.amount_tolerance_below
        and sum(differences.difference) <= carry_rules.amount_tolerance_above
)

select
    'TODAY' as origin,
    netted.rule_id is not null as is_resolved,
    netted.rule_id,
    netted.rule_version,
    cast(null as varchar) as break_id,
    today_keyed.recon,
    today_keyed.break_type,
    today_keyed.seg_class,
    today_keyed.bank_account_id,
    today_keyed.account,
    today_keyed.currency,
    today_keyed.reference,
    today_keyed.clearing_amount,
    today_keyed.bank_amount,
    today_keyed.ledger_amount,
    today_keyed.difference,
    today_keyed.expected_date,
    cast(null as date) as first_seen_date,
    cast(null as bigint) as age_business_days,
    today_keyed.clearing_records,
    today_keyed.bank_records,
    today_keyed.ledger_records,
    today_keyed.source_files,
    today_keyed.grain_key,
    today_keyed.carry_key
from today_keyed
left join netted on netted.carry_key = today_keyed.carry_key
union all
select
    'PREVIOUS' as origin,
    netted.rule_id is not null as is_resolved,
    netted.rule_id,
    netted.rule_version,
    previous.break_id,
    previous.recon,
    previous.break_type,
    previous.seg_class,
    previous.bank_account_id,
    previous.account,
    previous.currency,
    previous.reference,
    previous.clearing_amount,
    previous.bank_amount,
    previous.ledger_amount,
    previous.difference,
    previous.expected_date,
    previous.first_seen_date,
    previous.age_business_days,
    previous.clearing_records,
    previous.bank_records,
    previous.ledger_records,
    previous.source_files,
    '' as grain_key,
    previous.carry_key
from previous
left join netted on netted.carry_key = previous.carry_key
