-- The currencies each customer class uses today (any requirement or funds row, memo figures included), whether the
-- day has a rate for each, and how many rows and how much a missing rate leaves out of the statement.
with contributions as (
    select * from int_seg_contributions_usd where kind in ('LINE', 'MEMO')
)

select
    seg_class,
    currency,
    bool_and(usd_per_unit is not null) as has_rate,
    count(distinct record_id) as records,
    coalesce(sum(amount) filter (where kind = 'LINE'), 0) as line_amount
from contributions
group by seg_class, currency
