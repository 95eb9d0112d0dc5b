-- Every recon's matches in one shape (the recon_matches mart, before publishing).
with cash as (
    select * from int_cash_matches
),

dco_settlement as (
    select * from int_dco_matches
),

bank_balance as (
    select * from int_bank_balance_matches
)

select * from cash
union all
select * from dco_settlement
union all
select * from bank_balance
