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

-- a SECURED-only run (stg_run__scope) carries no earlier break into matching: they stand as they were
-- (int_breaks_aged)
previous as (
    select previous_breaks.*
    from stg_warehouse__previous_breaks as previous_breaks
    cross join stg_run__scope as run_scope
    where previous_breaks.is_item_recon and run_scope.reconciles
),

carry_rules as (
    select * from stg_rules__passes where carries_forward
),

items as (
    select
        'TODAY' as origin,
        cast(null as varchar) as break_id,
        recon,
        break_type,
        seg_class,
        bank_account_id,
        account,
        currency,
        reference,
        clearing_amount,
        bank_amount,
        ledger_amount,
        difference,
        expected_date,
        cast(null as date) as first_seen_date,
        cast(null as bigint) as age_business_days,
        clearing_records,
        bank_records,
        ledger_records,
        source_files,
        grain_key
    from today
    union all
    select
        'PREVIOUS' as origin,
        break_id,
        recon,
        break_type,
        seg_class,
        bank_account_id,
        account,
        currency,
        reference,
        clearing_amount,
        bank_amount,
        ledger_amount,
        difference,
        expected_date,
        first_seen_date,
        age_business_days,
        clearing_records,
        bank_records,
        ledger_records,
        source_files,
        '' as grain_key
    from previous
),

keyed as (
    select
        items.*,
        concat(
            recon, '|', coalesce(bank_account_id, ''), '|', currency, '|', coalesce(reference, ''), '|',
            case when recon = 'TRADE' then coalesce(account, '') else '' end
        ) as carry_key
    from items
),

netted as (
    select
        keyed.carry_key,
        carry_rules.rule_id,
        carry_rules.rule_version
    from keyed
    inner join carry_rules on carry_rules.recon = keyed.recon
    group by
        keyed.carry_key, carry_rules.rule_id, carry_rules.rule_version,
        carry_rules.amount_tolerance_below, carry_rules.amount_tolerance_above
    having
        sum(case when keyed.origin = 'TODAY' then 1 else 0 end) > 0
        and sum(case when keyed.origin = 'PREVIOUS' then 1 else 0 end) > 0
        and sum(keyed.difference) >= -carry_rules.amount_tolerance_below
        and sum(keyed.difference) <= carry_rules.amount_tolerance_above
)

select
    keyed.*,
    netted.rule_id is not null as is_resolved,
    netted.rule_id,
    netted.rule_version
from keyed
left join netted on netted.carry_key = keyed.carry_key
