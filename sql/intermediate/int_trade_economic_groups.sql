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
),

priced as (
    select
        rule_pass.rule_id,
        rule_pass.rule_version,
        clearing.group_id as clearing_group_id,
        ledger.group_id as ledger_group_id,
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
),

-- the groups with no counterpart at their price, by trade date, position account, instrument and side
lone as (
    select
        merged.*,
        dense_rank() over (
            order by side_name, trade_date, position_account, seg_class, currency, instrument_key, side
        ) as average_id
    from merged
    where not exists (
        select 1 from priced
        where priced.clearing_group_id = merged.group_id or priced.ledger_group_id = merged.group_id
    )
),

average_records as (
    select lone.average_id, list_sort(list(record_id)) as records
    from lone
    cross join unnest(lone.records) as element(record_id)
    group by lone.average_id
),

average_files as (
    select lone.average_id, list(distinct source_file order by source_file nulls first) as source_files
    from lone
    cross join unnest(lone.source_files) as element(source_file)
    group by lone.average_id
),

average_keys as (
    select lone.average_id, list_sort(list(trade_key)) as trade_keys
    from lone
    cross join unnest(lone.trade_keys) as element(trade_key)
    group by lone.average_id
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

average_groups as (
    select averaged.*, average_keys.trade_keys, average_records.records, average_files.source_files
    from averaged
    inner join average_keys on average_keys.average_id = averaged.average_id
    inner join average_records on average_records.average_id = averaged.average_id
    inner join average_files on average_files.average_id = averaged.average_id
),

average_clearing as (
    select * from average_groups where side_name = 'CLEARING'
),

average_ledger as (
    select * from average_groups where side_name = 'LEDGER'
)

select * exclude (clearing_group_id, ledger_group_id) from priced
union all
select
    rule_pass.rule_id,
    rule_pass.rule_version,
    average_clearing.trade_date,
    average_clearing.position_account,
    average_clearing.seg_class,
    average_clearing.currency,
    average_clearing.instrument_key,
    average_clearing.side,
    cast(null as decimal(38, 9)) as price,
    average_clearing.trade_keys as clearing_trade_keys,
    average_ledger.trade_keys as ledger_trade_keys,
    average_clearing.quantity as clearing_amount,
    average_ledger.quantity as ledger_amount,
    average_clearing.quantity - average_ledger.quantity as difference,
    'MATCH' as outcome,
    average_clearing.records as clearing_records,
    average_ledger.records as ledger_records,
    list_concat(average_clearing.source_files, average_ledger.source_files) as source_files
from average_clearing
cross join rule_pass
inner join average_ledger
    on average_ledger.trade_date = average_clearing.trade_date
    and average_ledger.position_account = average_clearing.position_account
    and average_ledger.seg_class is not distinct from average_clearing.seg_class
    and average_ledger.currency is not distinct from average_clearing.currency
    and average_ledger.instrument_key = average_clearing.instrument_key
    and average_ledger.side = average_clearing.side
    and average_ledger.quantity = average_clearing.quantity
    and average_ledger.notional = average_clearing.notional
