-- Materiality tiers: a break is in the first tier (by rank) whose amount or age threshold it reaches.
with source as (
    select * from src_tiers
)

select
    tier,
    tier_rank,
    cast(min_abs_difference as decimal(38, 9)) as min_abs_difference,
    min_age_business_days
from source
