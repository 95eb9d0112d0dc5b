-- The books' closing balance of every bank account.
with source as (
    select * from src_ledger__bank_balances
)

select
    record_id,
    source_file,
    bank_account_id,
    currency,
    cast(book_balance as decimal(38, 9)) as book_balance
from source
