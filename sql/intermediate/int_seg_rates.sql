-- US dollars per unit of each currency at the day's close. USD is exactly 1 by definition (a USD row in the file is
-- not used). A currency with no row, or with a rate that is not positive, has no rate here: it is never taken as 0
-- or 1, and the statements that use it are NOT_FILEABLE.
with fx_rates as (
    select * from stg_reference__fx_rates
),

rates as (
    select
        currency,
        usd_per_unit
    from fx_rates
    where currency <> 'USD' and usd_per_unit > 0
    union all
    select
        'USD' as currency,
        cast(1 as decimal(38, 9)) as usd_per_unit
)

select
    currency,
    usd_per_unit
from rates
