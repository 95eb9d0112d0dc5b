-- What explains a bank-versus-book difference on each account: the day's CASH items (breaks and differences
-- accepted within tolerance), DCO settlement legs where bank and ledger differ, and the CASH and DCO breaks still
-- open from earlier days (carried or resolved today: a resolving item today offsets its carried break). Each is
-- bank - ledger.
with cash_breaks as (
    select bank_account_id, currency, difference from int_cash_breaks
),

carried as (
    select * from int_item_carry where origin = 'PREVIOUS'
),

carried_cash as (
    select bank_account_id, currency, difference from carried where recon = 'CASH'
),

-- a DCO grain's breaks (one per leg at fault) each repeat the grain's bank and ledger amounts: count it once
carried_dco_grains as (
    select distinct bank_account_id, currency, reference, bank_amount, ledger_amount
    from carried
    where recon = 'DCO_SETTLEMENT'
),

carried_dco as (
    select
        bank_account_id,
        currency,
        coalesce(bank_amount, 0) - coalesce(ledger_amount, 0) as difference
    from carried_dco_grains
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
    union all
    select * from carried_cash
    union all
    select * from carried_dco
)

select
    bank_account_id,
    currency,
    sum(difference) as explained
from items
group by bank_account_id, currency
