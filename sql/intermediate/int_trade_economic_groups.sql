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
    select * from stg_rules__passes where rule_id = 'TRADE-ECONOMICS'
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

keyed as (
    -- one number per group (nulls alike, as in a group by), so that the group's records and files can be merged
    -- from their elements and joined back: BigQuery sorts and de-duplicates a plain aggregate, never a flattened list
    select
        open_sides.*,
        dense_rank() over (
            order by side_name, trade_date, position_account, seg_class, currency, instrument_key, side, price
        ) as group_id
    from open_sides
),

group_records as (
    select keyed.group_id, list_sort(list(record_id)) as records
    from keyed
    cross join unnest(keyed.records) as element(record_id)
    group by keyed.group_id
),

group_files as (
    select keyed.group_id, list(distinct source_file order by source_file nulls first) as source_files
    from keyed
    cross join unnest(keyed.source_files) as element(source_file)
    group by keyed.group_id
),

grouped as (
    select
        group_id,
        side_name,
        trade_date,
        position_account,
        seg_class,
        currency,
        instrument_key,
        side,
        price,
        sum(signed_quantity) as quantity,
        list_sort(list(trade_key)) as trade_keys
    from keyed
    group by all
),

merged as (
    select grouped.*, group_records.records, group_files.source_files
    from grouped
    inner join group_records on group_records.group_id = grouped.group_id
    inner join group_files on group_files.group_id = grouped.group_id
),

clearing as (
    select * from merged where side_name = 'CLEARING'
),

ledger as (
    select * from merged where side_name = 'LEDGER'
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
    -- clearing and ledger files are in different folders and each list is already sorted and distinct
    list_concat(clearing.source_files, ledger.source_files) as source_files
from clearing
cross join rule_pass
inner join ledger
    on ledger.trade_date = clearing.trade_date
    and ledger.position_account = clearing.position_account
    and ledger.instrument_key = clearing.instrument_key
    and ledger.side = clearing.side
    and ledger.price between clearing.price - rule_pass.amount_tolerance_below
    and clearing.price + rule_pass.amount_tolerance_above
