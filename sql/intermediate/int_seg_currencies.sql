-- The currencies each customer class uses today (any requirement or funds row, memo figures included), whether the
-- day has a rate for each, and how many rows and how much a missing rate leaves out of the statement.
with balances as (
    select * from int_seg_balances_usd
),

contributions as (
    select * from int_seg_contributions_usd where kind = 'LINE'
),

currency_rows as (
    -- a balance row's line amounts (1A + 1B + 2 + 3A + 3B) add up to its NLE
    select
        seg_class,
        currency,
        record_id,
        nle_usd is not null as has_rate,
        nle as line_amount
    from balances
    union all
    select
        seg_class,
        currency,
        record_id,
        usd_per_unit is not null as has_rate,
        amount as line_amount
    from contributions
)

select
    seg_class,
    currency,
    bool_and(has_rate) as has_rate,
    count(distinct record_id) as records,
    sum(line_amount) as line_amount
from currency_rows
group by seg_class, currency
