-- The business date's end-of-day option position reports of SEG and CLEARED_SWAPS (lines 10A/10B), valued at the settlement price:
-- FIN quantity x SetPx x price_factor x multiplier (products.csv). A report with no product or no settlement price
-- is not valued (is_valued false): its statement is NOT_FILEABLE. Quarantined reports are not used.
-- DuckDB multiplies two DECIMAL(38, 9) into DECIMAL(38, 18): each product is brought back to scale 9 at once,
-- half-even (the method is explained in int_seg_contributions_usd), in this order:
--   price_value = settlement_price x price_factor, contract_value = price_value x multiplier,
--   long_value = fin_long x contract_value, short_value = fin_short x contract_value.
with reports as (
    select * from int_position_reports_classified
),

products as (
    select * from stg_reference__products
),

run_parameters as (
    select * from stg_run__parameters
),

options as (
    select
        reports.record_id,
        reports.source_file,
        reports.seg_class,
        reports.dco,
        reports.position_account,
        reports.currency,
        reports.exchange,
        reports.product_code,
        reports.fin_long,
        reports.fin_short,
        reports.settlement_price,
        products.price_factor,
        products.multiplier,
        reports.settlement_price is not null and products.product_code is not null as is_valued
    from reports
    cross join run_parameters
    left join products
        on products.exchange = reports.exchange
        and products.product_code = reports.product_code
        and products.instrument_type = 'OPT'
    where reports.security_type = 'OPT'
        and reports.settl_session = 'EOD'
        and reports.biz_date = run_parameters.business_date
        and reports.route <> 'QUARANTINE'
        and reports.seg_class in ('SEG', 'CLEARED_SWAPS')
),

price_exact as (
    select
        options.*,
        settlement_price * price_factor as exact,
        cast(settlement_price * price_factor as decimal(38, 9)) as away
    from options
),

price_valued as (
    select
        price_exact.* exclude (exact, away),
        case
            when abs(exact - away) = 0.0000000005
                and mod(cast(away * 1000000000 as decimal(38, 0)), 2) <> 0
                then cast(away - sign(exact) * 0.000000001 as decimal(38, 9))
            else away
        end as price_value
    from price_exact
),

contract_exact as (
    select
        price_valued.*,
        price_value * multiplier as exact,
        cast(price_value * multiplier as decimal(38, 9)) as away
    from price_valued
),

contract_valued as (
    select
        contract_exact.* exclude (exact, away),
        case
            when abs(exact - away) = 0.0000000005
                and mod(cast(away * 1000000000 as decimal(38, 0)), 2) <> 0
                then cast(away - sign(exact) * 0.000000001 as decimal(38, 9))
            else away
        end as contract_value
    from contract_exact
),

position_exact as (
    select
        contract_valued.*,
        fin_long * contract_value as long_exact,
        cast(fin_long * contract_value as decimal(38, 9)) as long_away,
        fin_short * contract_value as short_exact,
        cast(fin_short * contract_value as decimal(38, 9)) as short_away
    from contract_valued
)

select
    record_id,
    source_file,
    seg_class,
    dco,
    position_account,
    currency,
    exchange,
    product_code,
    fin_long,
    fin_short,
    is_valued,
    case
        when abs(long_exact - long_away) = 0.0000000005
            and mod(cast(long_away * 1000000000 as decimal(38, 0)), 2) <> 0
            then cast(long_away - sign(long_exact) * 0.000000001 as decimal(38, 9))
        else long_away
    end as long_value,
    case
        when abs(short_exact - short_away) = 0.0000000005
            and mod(cast(short_away * 1000000000 as decimal(38, 0)), 2) <> 0
            then cast(short_away - sign(short_exact) * 0.000000001 as decimal(38, 9))
        else short_away
    end as short_value
from position_exact
