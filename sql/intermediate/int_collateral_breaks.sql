-- COLLATERAL breaks: AMOUNT_MISMATCH, MISSING_CLEARING, MISSING_LEDGER. difference = clearing - ledger market
-- value, an absent side counting zero. reference = dco|seg_class|CASH|currency or dco|seg_class|SECURITY|cusip|
-- holding_type; no account (collateral is held per class, not per position account).
with compared as (
    select * from int_collateral_compared where outcome <> 'MATCH'
)

select
    'COLLATERAL' as recon,
    outcome as break_type,
    'NEW' as status,
    seg_class,
    cast(null as varchar) as bank_account_id,
    cast(null as varchar) as account,
    currency,
    reference,
    clearing_amount,
    cast(null as decimal(38, 9)) as bank_amount,
    ledger_amount,
    difference,
    cast(null as date) as expected_date,
    clearing_records,
    cast([] as varchar[]) as bank_records,
    ledger_records,
    source_files,
    concat(reference, '|', currency) as grain_key
from compared
