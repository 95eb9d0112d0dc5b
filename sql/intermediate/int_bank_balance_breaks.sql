-- BANK_BALANCE breaks: an unexplained difference, or a balance on one side only (difference = the unexplained
-- amount, an absent side counting zero).
with proof as (
    select * from int_bank_balance_proof where outcome <> 'MATCH'
)

select
    'BANK_BALANCE' as recon,
    outcome as break_type,
    'NEW' as status,
    seg_class,
    bank_account_id,
    cast(null as varchar) as account,
    currency,
    cast(null as varchar) as reference,
    cast(null as decimal(38, 9)) as clearing_amount,
    bank_amount,
    ledger_amount,
    unexplained as difference,
    cast(null as date) as expected_date,
    cast([] as varchar[]) as clearing_records,
    bank_records,
    ledger_records,
    source_files,
    concat(bank_account_id, '|', currency) as grain_key
from proof
