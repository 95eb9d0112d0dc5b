-- Every positions.csv row routed to exactly one place: POSITION (its account is in reference/accounts.csv on the
-- business date, which gives the position account it rolls up to) or quarantine (an account the reference data does
-- not know, or not in force on the business date: the row cannot be rolled up to a DCO position account).
with positions as (
    select * from stg_ledger__positions
),

accounts as (
    select * from stg_reference__accounts
),

joined as (
    select
        positions.*,
        accounts.account_id is not null as account_known
    from positions
    left join accounts on accounts.account_id = positions.account_id
)

select
    joined.*,
    case when account_known then '' else 'UNKNOWN_ACCOUNT' end as route_reason,
    case when account_known then 'POSITION' else 'QUARANTINE' end as route
from joined
