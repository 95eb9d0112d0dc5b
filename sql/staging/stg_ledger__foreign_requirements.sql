-- The amount foreign law or a foreign SRO requires the FCM to set aside for 30.7 customers.
with source as (
    select * from src_ledger__foreign_requirements
),

renamed as (
    select
        record_id,
        source_file,
        location,
        jurisdiction,
        currency,
        cast(amount as decimal(38, 9)) as amount
    from source
)

select * from renamed
