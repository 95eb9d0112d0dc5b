-- The previous business day's open breaks, as published (read back from the warehouse by the match stage).
-- Snapshot recons (BANK_BALANCE, POSITION, COLLATERAL) re-evaluate their grains every day, so an open break there
-- is either found again (OPEN) or gone (RESOLVED). Item recons (CASH, DCO_SETTLEMENT, TRADE) see each record once:
-- their open breaks are carried forward, with amounts and records, until today's items net them to zero.
with source as (
    select * from src_warehouse__previous_breaks
)

select
    break_id,
    recon,
    break_type,
    status,
    seg_class,
    bank_account_id,
    account,
    currency,
    reference,
    clearing_amount,
    bank_amount,
    ledger_amount,
    difference,
    expected_date,
    first_seen_date,
    age_business_days,
    clearing_records,
    bank_records,
    ledger_records,
    source_files,
    recon in ('CASH', 'DCO_SETTLEMENT', 'TRADE') as is_item_recon
from source
where status in ('NEW', 'OPEN')
