-- Every trades.csv row routed to exactly one place: TRADE (ACTIVE, its account in reference/accounts.csv on the
-- business date), OUT_OF_SCOPE (CANCELLED in the books) or quarantine (an account the reference data does not know,
-- or not in force on the business date: the trade cannot be put under a position account or a class).
with trades as (
    select * from stg_ledger__trades
),

accounts as (
    select * from stg_reference__accounts
),

joined as (
    select
        trades.*,
        accounts.account_id is not null as account_known
    from trades
    left join accounts on accounts.account_id = trades.account_id
)

select
    joined.*,
    case when account_known then '' else 'UNKNOWN_ACCOUNT' end as route_reason,
    case
        when not account_known then 'QUARANTINE'
        when status = 'ACTIVE' then 'TRADE'
        else 'OUT_OF_SCOPE'
    end as route
from joined
