-- CME business days around the business date, numbered, so date windows count business days on any engine.
with source as (
    select * from src_business_days
)

select
    day,
    day_index,
    is_business_day,
    next_business_day
from source
