-- The day's closing FX rates: US dollars per unit of each currency.
with source as (
    select * from src_reference__fx_rates
),

renamed as (
    select
        record_id,
        source_file,
        currency,
        cast(usd_per_unit as decimal(38, 9)) as usd_per_unit
    from source
)

select * from renamed
