-- TRADE items neither pass took: a live clearing trade with no ledger trade is MISSING_LEDGER; an ACTIVE ledger
-- trade whose clearing_trade_id names no live clearing trade, or which no economic group took, is MISSING_CLEARING.
with sides as (
    select * from int_trade_sides
),

taken as (
    select unnest(list_concat(clearing_records, ledger_records)) as record_id from int_trade_id_pairs
    union
    select unnest(list_concat(clearing_records, ledger_records)) as record_id from int_trade_economic_groups
)

select
    sides.*,
    case when side_name = 'CLEARING' then 'MISSING_LEDGER' else 'MISSING_CLEARING' end as break_type
from sides
where not exists (select 1 from taken where taken.record_id = sides.records[1])
