-- Every recon's breaks and pending items in one shape, before ids, ages and tiers.
with cash as (
    select * from int_cash_breaks
),

dco_settlement as (
    select * from int_dco_breaks
),

bank_balance as (
    select * from int_bank_balance_breaks
),

positions as (
    select * from int_position_breaks
),

trades as (
    select * from int_trade_breaks
),

collateral as (
    select * from int_collateral_breaks
)

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
