-- Products: how a position is valued (quantity x price x price_factor x multiplier).
with source as (
    select * from src_reference__products
),

renamed as (
    select
        exchange,
        product_code,
        instrument_type,
        cast(multiplier as decimal(38, 9)) as multiplier,
        cast(price_factor as decimal(38, 9)) as price_factor,
        currency,
        foreign_board
    from source
)

select * from renamed
