-- On a business date that is not a Fedwire bank day: each bank account's closing ledger balance as the previous
-- business day's run published it (the bank side of its BANK_BALANCE match or standing break, read back from the
-- warehouse by the match stage), with the bank record and file it was read from and the settlement day it stands
-- for (as_of_date). Empty on a bank day: int_bank_closing_balances carries these forward only when no bank file is
-- expected.
with source as (
    select * from src_warehouse__previous_bank_balances
)

select
    bank_account_id,
    currency,
    cast(amount as decimal(38, 9)) as amount,
    record_id,
    source_file,
    as_of_date
from source
