-- TRADE pass 2 (TRADE-ECONOMICS): live clearing trades pass 1 did not take, against ACTIVE ledger trades with no
-- clearing_trade_id, grouped on both sides by trade date, position account, instrument, side and price (equal within
-- the rule's tolerance, which is zero: prices are grouped as written). A group whose clearing quantity equals its
-- ledger quantity matches: one fill against many allocations (bunched orders), many fills against one allocation
-- (average-price orders), or many against many. Both sides present with different totals: QUANTITY_MISMATCH
-- (difference = clearing - ledger signed quantity). A group on one side only is left to int_trade_unpaired.
with sides as (
    select * from int_trade_sides
),

paired as (
    select * from int_trade_id_pairs
),

rule_pass as (
    select * from stg_rules__passes where recon = 'TRADE' and pass_order = 2
),

open_sides as (
    select sides.*
    from sides
    where (side_name = 'CLEARING'
        and not exists (
            select 1 from paired
            where paired.trd_id = sides.trd_id and paired.leg = sides.leg and paired.trade_date = sides.trade_date
        ))
    or (side_name = 'LEDGER' and clearing_trade_id = '')
),

grouped as (
    select
        side_name,
        trade_date,
        position_account,
        seg_class,
        currency,
        instrument_key,
        side,
        price,
        sum(signed_quantity) as quantity,
        list_sort(flatten(list(records))) as records,
        list_sort(list(trade_key)) as trade_keys,
        list_sort(list_distinct(flatten(list(source_files)))) as source_files
    from open_sides
    group by all
),

clearing as (
    select * from grouped where side_name = 'CLEARING'
),

ledger as (
    select * from grouped where side_name = 'LEDGER'
)

select
    rule_pass.rule_id,
    rule_pass.rule_version,
    clearing.trade_date,
    clearing.position_account,
    clearing.seg_class,
    clearing.currency,
    clearing.instrument_key,
    clearing.side,
    clearing.price,
    clearing.trade_keys as clearing_trade_keys,
    ledger.trade_keys as ledger_trade_keys,
    clearing.quantity as clearing_amount,
    ledger.quantity as ledger_amount,
    clearing.quantity - ledger.quantity as difference,
    case when clearing.quantity = ledger.quantity then 'MATCH' else 'QUANTITY_MISMATCH' end as outcome,
    clearing.records as clearing_records,
    ledger.records as ledger_records,
    list_sort(list_distinct(list_concat(clearing.source_files, ledger.source_files))) as source_files
from clearing
cross join rule_pass
inner join ledger
    on ledger.trade_date = clearing.trade_date
    and ledger.position_account = clearing.position_account
    and ledger.instrument_key = clearing.instrument_key
    and ledger.side = clearing.side
    and ledger.price between clearing.price - rule_pass.amount_tolerance_below
    and clearing.price + rule_pass.amount_tolerance_above
