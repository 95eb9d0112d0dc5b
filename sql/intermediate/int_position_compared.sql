-- POSITION comparisons per grain: long, short and settlement price separately, one row per measure that fails
-- (measure LONG, SHORT, PRICE, or POSITION for a missing side), or one MATCH row for a grain that agrees.
-- Long and short may differ by the rule's quantity tolerance (contracts, clearing - ledger within -below .. +above;
-- zero as shipped); the price by its amount tolerance (difference = clearing - ledger within -below .. +above). A side that is absent while the other is flat (long and short zero) is nothing to reconcile.
with sides as (
    select * from int_position_sides
),

rule_pass as (
    select * from stg_rules__passes where rule_id = 'POSITION-EXACT'
),

measured as (
    select
        sides.*,
        rule_pass.rule_id,
        rule_pass.rule_version,
        coalesce(clearing_long, 0) - coalesce(clearing_short, 0) as clearing_net,
        coalesce(ledger_long, 0) - coalesce(ledger_short, 0) as ledger_net,
        -- the ledger price farthest from the clearing one (min and max differ only when accounts disagree)
        case
            when abs(clearing_price_min - ledger_price_min) >= abs(clearing_price_max - ledger_price_max)
                then clearing_price_min - ledger_price_min
            else clearing_price_max - ledger_price_max
        end as price_difference,
        rule_pass.amount_tolerance_below as price_below,
        rule_pass.amount_tolerance_above as price_above,
        rule_pass.quantity_tolerance_below as quantity_below,
        rule_pass.quantity_tolerance_above as quantity_above
    from sides
    cross join rule_pass
),

flagged as (
    select
        measured.*,
        has_clearing and has_ledger
        and (clearing_long - ledger_long < -quantity_below or clearing_long - ledger_long > quantity_above)
            as long_differs,
        has_clearing and has_ledger
        and (clearing_short - ledger_short < -quantity_below or clearing_short - ledger_short > quantity_above)
            as short_differs,
        has_clearing and has_ledger
        and (price_difference < -price_below or price_difference > price_above) as price_differs,
        not (has_clearing and has_ledger)
        and (coalesce(clearing_long, ledger_long) <> 0 or coalesce(clearing_short, ledger_short) <> 0)
            as side_missing
    from measured
)

select
    flagged.*,
    'MATCH' as outcome,
    'POSITION' as measure,
    clearing_net as clearing_amount,
    ledger_net as ledger_amount,
    clearing_net - ledger_net as difference
from flagged
where not (long_differs or short_differs or price_differs or side_missing)
union all
select
    flagged.*,
    'QUANTITY_MISMATCH' as outcome,
    'LONG' as measure,
    clearing_long as clearing_amount,
    ledger_long as ledger_amount,
    clearing_long - ledger_long as difference
from flagged
where long_differs
union all
select
    flagged.*,
    'QUANTITY_MISMATCH' as outcome,
    'SHORT' as measure,
    clearing_short as clearing_amount,
    ledger_short as ledger_amount,
    clearing_short - ledger_short as difference
from flagged
where short_differs
union all
select
    flagged.*,
    'PRICE_MISMATCH' as outcome,
    'PRICE' as measure,
    case when abs(clearing_price_min - ledger_price_min) >= abs(clearing_price_max - ledger_price_max)
        then clearing_price_min else clearing_price_max end as clearing_amount,
    case when abs(clearing_price_min - ledger_price_min) >= abs(clearing_price_max - ledger_price_max)
        then ledger_price_min else ledger_price_max end as ledger_amount,
    price_difference as difference
from flagged
where price_differs
union all
select
    flagged.*,
    case when has_clearing then 'MISSING_LEDGER' else 'MISSING_CLEARING' end as outcome,
    'POSITION' as measure,
    case when has_clearing then clearing_net end as clearing_amount,
    case when has_ledger then ledger_net end as ledger_amount,
    clearing_net - ledger_net as difference
from flagged
where side_missing
