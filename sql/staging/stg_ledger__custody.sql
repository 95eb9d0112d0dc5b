-- Securities the FCM holds for the customer classes outside DCOs, at market, by depository account.
with source as (
    select * from src_ledger__custody
),

renamed as (
    select
        record_id,
        source_file,
        location,
        seg_class,
        depository_account_id,
        holding_type,
        cusip,
        description,
        instrument_class,
        cast(quantity as decimal(38, 9)) as quantity,
        cast(market_value as decimal(38, 9)) as market_value,
        currency
    from source
)

select * from renamed
