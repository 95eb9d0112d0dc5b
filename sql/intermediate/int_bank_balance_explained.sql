-- What explains a bank-versus-book difference on each account: the day's CASH items (breaks and differences
-- accepted within tolerance) and DCO settlement legs where bank and ledger differ. Each is bank - ledger.
with cash_breaks as (
    select bank_account_id, currency, difference from int_cash_breaks
),

cash_matches as (
    select bank_account_id, currency, difference from int_cash_matches
),

dco_legs as (
    select * from int_dco_legs
),

dco_items as (
    select
        coalesce(bank.bank_account_id, ledger.bank_account_id) as bank_account_id,
        coalesce(bank.currency, ledger.currency) as currency,
        coalesce(bank.amount, 0) - coalesce(ledger.amount, 0) as difference
    from (select * from dco_legs where side = 'BANK') as bank
    full outer join (select * from dco_legs where side = 'LEDGER') as ledger
        on ledger.bank_account_id = bank.bank_account_id
        and ledger.currency = bank.currency
        and ledger.reference = bank.reference
),

items as (
    select * from cash_breaks
    union all
    select * from cash_matches
    union all
    select * from dco_items
)

select
    bank_account_id,
    currency,
    sum(difference) as explained
from items
group by bank_account_id, currency
