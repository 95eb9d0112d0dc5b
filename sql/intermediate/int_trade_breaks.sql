-- TRADE breaks. difference = clearing - ledger, an absent side counting zero: for QUANTITY_MISMATCH and the
-- MISSING_* types the amounts are signed quantities (BUY +, SELL -; allocations summed), for PRICE_MISMATCH they are
-- prices (the ledger price farthest from the clearing one). account = the position account; reference = the TrdID
-- (pass 1 and MISSING_LEDGER), the comma-joined TrdIDs of an economic group, or the ledger trade_id
-- (MISSING_CLEARING).
with id_pairs as (
    select * from int_trade_id_pairs where outcome <> 'MATCH'
),

economic_groups as (
    select * from int_trade_economic_groups where outcome <> 'MATCH'
),

unpaired as (
    select * from int_trade_unpaired
),

breaks as (
    select
        outcome as break_type, seg_class, position_account, currency, trd_id as reference, trade_date,
        clearing_amount, ledger_amount, difference, clearing_records, ledger_records, source_files
    from id_pairs
    union all
    select
        outcome as break_type, seg_class, position_account, currency,
        array_to_string(clearing_trade_keys, ',') as reference, trade_date,
        clearing_amount, ledger_amount, difference, clearing_records, ledger_records, source_files
    from economic_groups
    union all
    select
        break_type, seg_class, position_account, currency, trade_key as reference, trade_date,
        case when side_name = 'CLEARING' then signed_quantity end as clearing_amount,
        case when side_name = 'LEDGER' then signed_quantity end as ledger_amount,
        case when side_name = 'CLEARING' then signed_quantity else -signed_quantity end as difference,
        case when side_name = 'CLEARING' then records else cast([] as varchar[]) end as clearing_records,
        case when side_name = 'LEDGER' then records else cast([] as varchar[]) end as ledger_records,
        source_files
    from unpaired
)

select
    'TRADE' as recon,
    break_type,
    'NEW' as status,
    seg_class,
    cast(null as varchar) as bank_account_id,
    position_account as account,
    currency,
    reference,
    cast(clearing_amount as decimal(38, 9)) as clearing_amount,
    cast(null as decimal(38, 9)) as bank_amount,
    cast(ledger_amount as decimal(38, 9)) as ledger_amount,
    cast(difference as decimal(38, 9)) as difference,
    cast(null as date) as expected_date,
    clearing_records,
    cast([] as varchar[]) as bank_records,
    ledger_records,
    source_files,
    concat(cast(trade_date as varchar), '|', coalesce(position_account, ''), '|', reference) as grain_key
from breaks
