-- The books' record of margin collateral on deposit with each DCO, at market value (the ledger side of COLLATERAL).
with source as (
    select * from src_ledger__collateral_books
),

renamed as (
    select
        record_id,
        source_file,
        location,
        dco,
        seg_class,
        asset_type,
        holding_type,
        cusip,
        currency,
        cast(quantity as decimal(38, 9)) as quantity,
        cast(market_value as decimal(38, 9)) as market_value
    from source
)

select * from renamed
