-- What 30.7 customers' funds are held as outside US banks, by depository and currency.
with source as (
    select * from src_ledger__foreign_depository_equities
),

renamed as (
    select
        record_id,
        source_file,
        location,
        depository,
        depository_type,
        currency,
        cast(cash as decimal(38, 9)) as cash,
        cast(securities_value as decimal(38, 9)) as securities_value,
        cast(unrealized_pl as decimal(38, 9)) as unrealized_pl,
        cast(long_option_value as decimal(38, 9)) as long_option_value,
        cast(short_option_value as decimal(38, 9)) as short_option_value
    from source
)

select * from renamed
