-- TRADE sides in one shape: live clearing trades (final state, not cancelled) and ACTIVE ledger trades, each with
-- its position account (ledger: accounts.clearing_account), class, instrument key, currency (products.csv) and
-- signed quantity (BUY +, SELL -). Cancelled trades on either side are out of scope and are not here; a ledger trade
-- of an account the reference data does not know is quarantined (int_ledger_trades_routed), not a side.
with clearing_trades as (
    select * from int_trade_reports_collapsed where not is_cancelled
),

ledger_trades as (
    select * from int_ledger_trades_routed where route = 'TRADE'
),

accounts as (
    select * from stg_reference__accounts
),

clearing_accounts as (
    select * from stg_reference__clearing_accounts
),

products as (
    select * from stg_reference__products
),

position_classes as (
    select position_account, min(seg_class) as seg_class from clearing_accounts group by position_account
),

sides as (
    select
        'CLEARING' as side_name,
        trd_id as trade_key,
        trd_id,
        leg,
        trade_date,
        position_account,
        side,
        quantity,
        price,
        exchange,
        product_code,
        instrument_type,
        contract_month,
        put_call,
        strike,
        '' as clearing_trade_id,
        records,
        source_files
    from clearing_trades
    union all
    select
        'LEDGER' as side_name,
        ledger_trades.trade_id as trade_key,
        '' as trd_id,
        '' as leg,
        ledger_trades.trade_date,
        accounts.clearing_account as position_account,
        ledger_trades.side,
        ledger_trades.quantity,
        ledger_trades.price,
        ledger_trades.exchange,
        ledger_trades.product_code,
        ledger_trades.instrument_type,
        ledger_trades.contract_month,
        ledger_trades.put_call,
        ledger_trades.strike,
        ledger_trades.clearing_trade_id,
        [ledger_trades.record_id] as records,
        [ledger_trades.source_file] as source_files
    from ledger_trades
    left join accounts on accounts.account_id = ledger_trades.account_id
)

select
    sides.*,
    position_classes.seg_class,
    coalesce(products.currency, '') as currency,
    concat_ws(
        '|', sides.exchange, sides.product_code, sides.instrument_type, sides.contract_month, sides.put_call,
        -- the strike as a plain decimal (4900, 4900.5): trailing zeros of the scale dropped
        coalesce(rtrim(rtrim(cast(sides.strike as varchar), '0'), '.'), '')
    ) as instrument_key,
    case when sides.side = 'SELL' then -sides.quantity else sides.quantity end as signed_quantity
from sides
left join position_classes on position_classes.position_account = sides.position_account
left join products
    on products.exchange = sides.exchange
    and products.product_code = sides.product_code
    and products.instrument_type = sides.instrument_type
