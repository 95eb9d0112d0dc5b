-- Every ledger balance row routed to exactly one place: SEGREGATION (its account is in reference/accounts.csv on the
-- business date; the statements take it when the account is in a customer class) or quarantine (an account the
-- reference data does not know, or not in force on the business date: its money cannot be classified).
with balances as (
    select * from stg_ledger__balances
),

accounts as (
    select * from stg_reference__accounts
),

joined as (
    select
        balances.*,
        accounts.account_id is not null as account_known
    from balances
    left join accounts on accounts.account_id = balances.account_id
)

select
    joined.*,
    case when account_known then '' else 'UNKNOWN_ACCOUNT' end as route_reason,
    case when account_known then 'SEGREGATION' else 'QUARANTINE' end as route
from joined
