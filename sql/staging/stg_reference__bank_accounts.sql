-- The FCM's bank accounts in force on the business date (effective dating applied when read).
with source as (
    select * from src_reference__bank_accounts
),

renamed as (
    select
        bank_account_id,
        depository,
        depository_type,
        country,
        seg_class,
        purpose,
        currency,
        statement_format,
        acknowledgment_letter_date
    from source
)

select * from renamed
