-- TRADE pass 1 (TRADE-ID): each live clearing trade against the ACTIVE ledger trades whose clearing_trade_id is its
-- TrdID (for a leg of a multi-leg trade, the ledger trade in the leg's instrument), the allocations summed. Signed
-- quantities may differ by the rule's quantity tolerance (contracts; zero as shipped, and a side flip is a quantity
-- difference); every ledger price must lie within the rule's amount tolerance of the clearing price (difference =
-- clearing - ledger within -below .. +above).
with sides as (
    select * from int_trade_sides
),

rule_pass as (
    select * from stg_rules__passes where rule_id = 'TRADE-ID'
),

clearing as (
    select * from sides where side_name = 'CLEARING'
),

ledger as (
    -- a ledger side is one ledger trade, its records and source_files one element each (int_trade_sides): taken out
    -- here because BigQuery sorts and de-duplicates a plain aggregate, never a flattened list
    select sides.*, records[1] as record_id, source_files[1] as source_file
    from sides
    where side_name = 'LEDGER' and clearing_trade_id <> ''
),

grouped as (
    select
        clearing.trd_id,
        clearing.leg,
        clearing.trade_date,
        clearing.position_account,
        clearing.seg_class,
        clearing.currency,
        clearing.instrument_key,
        clearing.signed_quantity as clearing_quantity,
        clearing.price as clearing_price,
        clearing.records as clearing_records,
        clearing.source_files as clearing_source_files,
        sum(ledger.signed_quantity) as ledger_quantity,
        min(ledger.price) as ledger_price_min,
        max(ledger.price) as ledger_price_max,
        list_sort(list(ledger.record_id)) as ledger_records,
        list(distinct ledger.source_file order by ledger.source_file nulls first) as ledger_source_files
    from clearing
    inner join ledger
        on {{ keys('TRADE-ID', 'clearing', 'ledger') }}
        and (clearing.leg = '' or ledger.instrument_key = clearing.instrument_key)
    group by all
),

measured as (
    select
        grouped.*,
        rule_pass.rule_id,
        rule_pass.rule_version,
        -- the ledger price farthest from the clearing price
        case
            when abs(clearing_price - ledger_price_min) >= abs(clearing_price - ledger_price_max)
                then ledger_price_min
            else ledger_price_max
        end as ledger_price,
        rule_pass.amount_tolerance_below as price_below,
        rule_pass.amount_tolerance_above as price_above,
        rule_pass.quantity_tolerance_below as quantity_below,
        rule_pass.quantity_tolerance_above as quantity_above,
        -- clearing and ledger files are in different folders and each list is already sorted and distinct
        list_concat(clearing_source_files, ledger_source_files) as source_files
    from grouped
    cross join rule_pass
),

flagged as (
    select
        measured.*,
        clearing_quantity - ledger_quantity < -quantity_below or clearing_quantity - ledger_quantity > quantity_above
            as quantity_differs,
        clearing_price - ledger_price < -price_below or clearing_price - ledger_price > price_above as price_differs
    from measured
)

select
    flagged.*,
    'MATCH' as outcome,
    clearing_quantity as clearing_amount,
    ledger_quantity as ledger_amount,
    clearing_quantity - ledger_quantity as difference
from flagged
where not quantity_differs and not price_differs
union all
select
    flagged.*,
    'QUANTITY_MISMATCH' as outcome,
    clearing_quantity as clearing_amount,
    ledger_quantity as ledger_amount,
    clearing_quantity - ledger_quantity as difference
from flagged
where quantity_differs
union all
select
    flagged.*,
    'PRICE_MISMATCH' as outcome,
    clearing_price as clearing_amount,
    ledger_price as ledger_amount,
    clearing_price - ledger_price as difference
from flagged
where price_differs
