-- The segregation settings (segregation/settings.yaml), one row. Read straight from its source: a one-row table of
-- settings has nothing to rename or cast.
with source as (
    select * from src_segregation__settings
)

select
    combine_beneficial_owners,
    residual_interest_debit
from source
