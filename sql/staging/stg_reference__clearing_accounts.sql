-- DCO position accounts in force: their origin, class and settlement bank account per currency.
with source as (
    select * from src_reference__clearing_accounts
)

select
    dco,
    position_account,
    origin_code,
    seg_class,
    settlement_bank_account_id,
    currency
from source
