-- The previous business day's open breaks, as published (read back from the warehouse by the match stage).
with source as (
    select * from src_warehouse__previous_breaks
)

select
    break_id,
    recon,
    break_type,
    seg_class,
    bank_account_id,
    account,
    currency,
    reference,
    first_seen_date,
    age_business_days
from source
-- snapshot recons: their grains are evaluated afresh every day, so yesterday's open break either is still there
-- (OPEN) or is gone (RESOLVED). Item recons (CASH, DCO_SETTLEMENT, TRADE) need their open items carried into the
-- day's matching first, which this version does not do yet: their breaks start NEW each day.
where recon in ('BANK_BALANCE', 'POSITION', 'COLLATERAL')
    and status in ('NEW', 'OPEN')
