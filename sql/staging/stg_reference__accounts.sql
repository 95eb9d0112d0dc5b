-- Customer and house accounts in force on the business date (effective dating applied when read).
with source as (
    select * from src_reference__accounts
),

renamed as (
    select
        account_id,
        account_name,
        seg_class,
        account_type,
        beneficial_owner_id,
        clearing_account
    from source
)

select * from renamed
