-- The cash journal entries the runs of earlier dates quarantined, one row each, as published
-- (read back from the warehouse by the match stage). The books' balance holds each such entry, and no recon ever
-- takes it, until the books reverse it or its date is re-run with it fixed.
with source as (
    select * from src_warehouse__quarantined_journal
)

select
    bank_account_id,
    currency,
    cast(amount as decimal(38, 9)) as amount
from source
