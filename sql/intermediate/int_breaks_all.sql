-- Every recon's breaks and pending items in one shape, before ids, ages and tiers.
with cash as (
    select * from int_cash_breaks
),

dco_settlement as (
    select * from int_dco_breaks
),

bank_balance as (
    select * from int_bank_balance_breaks
)

select * from cash
union all
select * from dco_settlement
union all
select * from bank_balance
