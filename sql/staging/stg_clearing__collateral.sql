-- Margin collateral on deposit with each DCO at the close, at market value (never the DCO's haircut value).
with source as (
    select * from src_clearing__collateral
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
