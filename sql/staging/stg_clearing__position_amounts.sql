-- The repeating Amt of each position report (FMTM, PREM, PAA, ...), signed as the DCO reports them.
with source as (
    select * from src_clearing__position_amounts
)

select
    record_id,
    amt_type,
    cast(amount as decimal(38, 9)) as amount,
    currency
from source
