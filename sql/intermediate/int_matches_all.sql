-- Every recon's matches in one shape (the recon_matches mart, before publishing); none on a run that reconciles
-- nothing.
with cash as (
    select * from int_cash_matches
),

dco_settlement as (
    select * from int_dco_matches
),

bank_balance as (
    select * from int_bank_balance_matches
),

positions as (
    select * from int_position_matches
),

trades as (
    select * from int_trade_matches
),

collateral as (
    select * from int_collateral_matches
),

carried as (
    select * from int_carried_matches
),

run_scope as (
    select * from stg_run__scope
),

all_matches as (
    select * from cash
    union all
    select * from dco_settlement
    union all
    select * from bank_balance
    union all
    select * from positions
    union all
    select * from trades
    union all
    select * from collateral
    union all
    select * from carried
)

-- a SECURED-only run (stg_run__scope) reconciles nothing: it has no matches
select all_matches.*
from all_matches
cross join run_scope
where run_scope.reconciles
