-- TRADE pass 2 (TRADE-ECONOMICS): live clearing trades pass 1 did not take, against ACTIVE ledger trades with no
-- clearing_trade_id, grouped on both sides by trade date, position account, instrument, side and price (equal within
-- the rule's tolerance, which is zero: prices are grouped as written). A group whose clearing quantity equals its
-- ledger quantity matches: one fill against many allocations (bunched orders), many fills against one allocation
-- (average-price orders), or many against many. Both sides present with different totals: QUANTITY_MISMATCH
-- (difference = clearing - ledger signed quantity). The groups left on one side only are then grouped again without
-- their price (average-price fills: 2 at 4900 and 2 at 4901 allocated as 4 at 4900.50): a clearing and a ledger
-- group of the same trade date, position account, instrument and side with equal quantity and equal notional
-- (quantity x price summed, so equal average prices, exactly) match, with no price of their own; anything else is
-- left to int_trade_unpaired.
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
        sum(signed_quantity) as quantity
    from keyed
    group by all
),

clearing as (
    select * from grouped where side_name = 'CLEARING'
),

ledger as (
    select * from grouped where side_name = 'LEDGER'
),

priced as (
    select
        clearing.group_id as clearing_set,
        ledger.group_id as ledger_set,
        clearing.trade_date,
        clearing.position_account,
        clearing.seg_class,
        clearing.currency,
        clearing.instrument_key,
        clearing.side,
        clearing.price,
        clearing.quantity as clearing_amount,
        ledger.quantity as ledger_amount
    from clearing
    cross join rule_pass
    inner join ledger
        on ledger.trade_date = clearing.trade_date
        and ledger.position_account = clearing.position_account
        and ledger.instrument_key = clearing.instrument_key
        and ledger.side = clearing.side
        and ledger.price between clearing.price - rule_pass.amount_tolerance_below
        and clearing.price + rule_pass.amount_tolerance_above
),

-- the groups with no counterpart at their price, numbered by trade date, position account, instrument and side
-- after the groups' own numbers (one numbering of both kinds of set below)
lone as (
    select
        grouped.*,
        (select max(group_id) from grouped) + dense_rank() over (
            order by side_name, trade_date, position_account, seg_class, currency, instrument_key, side
        ) as average_id
    from grouped
    where not exists (
        select 1 from priced where priced.clearing_set = grouped.group_id or priced.ledger_set = grouped.group_id
    )
),

averaged as (
    select
        average_id,
        side_name,
        trade_date,
        position_account,
        seg_class,
        currency,
        instrument_key,
        side,
        sum(quantity) as quantity,
        sum(quantity * price) as notional
    from lone
    group by all
),

average_clearing as (
    select * from averaged where side_name = 'CLEARING'
),

average_ledger as (
    select * from averaged where side_name = 'LEDGER'
),

averaged_pairs as (
    select
        average_clearing.average_id as clearing_set,
        average_ledger.average_id as ledger_set,
        average_clearing.trade_date,
        average_clearing.position_account,
        average_clearing.seg_class,
        average_clearing.currency,
        average_clearing.instrument_key,
        average_clearing.side,
        cast(null as decimal(38, 9)) as price,
        average_clearing.quantity as clearing_amount,
        average_ledger.quantity as ledger_amount
    from average_clearing
    inner join average_ledger
        on average_ledger.trade_date = average_clearing.trade_date
        and average_ledger.position_account = average_clearing.position_account
        and average_ledger.seg_class is not distinct from average_clearing.seg_class
        and average_ledger.currency is not distinct from average_clearing.currency
        and average_ledger.instrument_key = average_clearing.instrument_key
        and average_ledger.side = average_clearing.side
        and average_ledger.quantity = average_clearing.quantity
        and average_ledger.notional = average_clearing.notional
),

-- the trades of each set: a group's own, and an average set's lone groups'
members as (
    select group_id as set_id, trade_key, records, source_files from keyed
    union all
    select lone.average_id as set_id, keyed.trade_key, keyed.records, keyed.source_files
    from keyed
    inner join lone on lone.group_id = keyed.group_id
),

set_keys as (
    select set_id, list_sort(list(trade_key)) as trade_keys from members group by set_id
),

set_records as (
    select members.set_id, list_sort(list(record_id)) as records
    from members
    cross join unnest(members.records) as element(record_id)
    group by members.set_id
),

set_files as (
    select members.set_id, list(distinct source_file order by source_file nulls first) as source_files
    from members
    cross join unnest(members.source_files) as element(source_file)
    group by members.set_id
),

pairs as (
    select *, case when clearing_amount = ledger_amount then 'MATCH' else 'QUANTITY_MISMATCH' end as outcome
    from priced
    union all
    select *, 'MATCH' as outcome from averaged_pairs
)

select
    rule_pass.rule_id,
    rule_pass.rule_version,
    pairs.trade_date,
    pairs.position_account,
    pairs.seg_class,
    pairs.currency,
    pairs.instrument_key,
    pairs.side,
    pairs.price,
    clearing_keys.trade_keys as clearing_trade_keys,
    ledger_keys.trade_keys as ledger_trade_keys,
    pairs.clearing_amount,
    pairs.ledger_amount,
    pairs.clearing_amount - pairs.ledger_amount as difference,
    pairs.outcome,
    clearing_records.records as clearing_records,
    ledger_records.records as ledger_records,
    -- clearing and ledger files are in different folders and each list is already sorted and distinct
    list_concat(clearing_files.source_files, ledger_files.source_files) as source_files
from pairs
cross join rule_pass
inner join set_keys as clearing_keys on clearing_keys.set_id = pairs.clearing_set
inner join set_keys as ledger_keys on ledger_keys.set_id = pairs.ledger_set
inner join set_records as clearing_records on clearing_records.set_id = pairs.clearing_set
inner join set_records as ledger_records on ledger_records.set_id = pairs.ledger_set
inner join set_files as clearing_files on clearing_files.set_id = pairs.clearing_set
inner join set_files as ledger_files on ledger_files.set_id = pairs.ledger_set
