-- The books' positions per customer account and instrument at the close; instrument keys normalised (trimmed,
-- upper-cased, contract month as written, put/call '' for futures, strike as a decimal or null).
with source as (
    select * from src_ledger__positions
),

renamed as (
    select
        record_id,
        source_file,
        location,
        account_id,
        upper(trim(exchange)) as exchange,
        upper(trim(product_code)) as product_code,
        upper(trim(instrument_type)) as instrument_type,
        upper(trim(contract_month)) as contract_month,
        upper(trim(coalesce(put_call, ''))) as put_call,
        cast(strike as decimal(38, 9)) as strike,
        cast(long_quantity as decimal(38, 9)) as long_quantity,
        cast(short_quantity as decimal(38, 9)) as short_quantity,
        cast(settlement_price as decimal(38, 9)) as settlement_price,
        currency
    from source
)

select * from renamed
