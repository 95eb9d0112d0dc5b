-- POSITION breaks, one per measure at fault: QUANTITY_MISMATCH on LONG or SHORT (amounts are those quantities),
-- PRICE_MISMATCH (amounts are settlement prices), MISSING_LEDGER / MISSING_CLEARING (amounts are net quantities,
-- long - short). difference = clearing - ledger, an absent side counting zero. reference = the instrument key
-- (exchange|product|type|month|put_call|strike) and the measure; account = the position account.
with compared as (
    select * from int_position_compared where outcome <> 'MATCH'
)

select
    'POSITION' as recon,
    outcome as break_type,
    'NEW' as status,
    seg_class,
    cast(null as varchar) as bank_account_id,
    position_account as account,
    currency,
    concat(instrument_key, '|', measure) as reference,
    cast(clearing_amount as decimal(38, 9)) as clearing_amount,
    cast(null as decimal(38, 9)) as bank_amount,
    cast(ledger_amount as decimal(38, 9)) as ledger_amount,
    cast(difference as decimal(38, 9)) as difference,
    cast(null as date) as expected_date,
    clearing_records,
    cast([] as varchar[]) as bank_records,
    ledger_records,
    source_files,
    concat(dco, '|', coalesce(position_account, ''), '|', currency, '|', instrument_key, '|', measure) as grain_key
from compared
