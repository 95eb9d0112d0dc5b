-- Balances reported on bank statements (BAI2 status records, camt Bal), with the statement they come from.
with source as (
    select * from src_bank__balances
)

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
    type_code,
    balance_type,
    cast(amount as decimal(38, 9)) as amount
from source
