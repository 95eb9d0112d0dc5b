-- The books' cash journal: every movement of money the ledger records (amount + = into the FCM's bank account).
with source as (
    select * from src_ledger__cash_journal
),

renamed as (
    select
        record_id,
        source_file,
        location,
        entry_id,
        value_date,
        account_id,
        bank_account_id,
        seg_class,
        entry_type,
        counterparty,
        currency,
        cast(amount as decimal(38, 9)) as amount,
        upper(trim(reference)) as match_reference,
        description
    from source
)

select * from renamed
