-- Bank statement entries (BAI2 16, camt Ntry) as read, with the reference the recons key on.
with source as (
    select * from src_bank__entries
),

renamed as (
    select
        record_id,
        source_file,
        location,
        statement_id,
        fmt,
        report_kind,
        bank_account_id,
        currency,
        as_of_date,
        coalesce(value_date, as_of_date) as entry_date,
        type_code,
        direction,
        cast(amount as decimal(38, 9)) as amount,
        status,
        reversal,
        bank_reference,
        customer_reference,
        -- normalised reference: the customer's reference when the bank gives one, else the bank's; trimmed and
        -- upper-cased, leading zeros kept
        upper(trim(case when trim(customer_reference) <> '' then customer_reference else bank_reference end))
            as match_reference,
        text
    from source
)

select * from renamed
