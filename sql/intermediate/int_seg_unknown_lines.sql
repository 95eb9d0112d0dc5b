-- The statement lines that cannot be computed because a bank balance they add up is missing
-- (int_seg_missing_balances): per class and currency, every additive line whose leaves include the missing account's
-- cash line (the line itself, FUNDS and EXCESS); for the class in USD (currency 'ALL') the same lines and the lines
-- computed from the EXCESS line (OVER_TARGET; for the secured statement EXCESS too, which is not additive).
with missing as (
    select * from int_seg_missing_balances
),

formulas as (
    select * from int_seg_line_formulas
),

lines as (
    select * from stg_segregation__lines
),

unknown as (
    -- each line built from the missing figure, in the figure's currency and in the USD total ('ALL')
    select
        missing.seg_class,
        formulas.line,
        case when copies.in_own_currency then missing.currency else 'ALL' end as currency
    from missing
    inner join formulas
        on formulas.family = case when missing.seg_class = 'SECURED' then 'SECURED' else 'SEG' end
        and formulas.leaf = missing.figure
    cross join (select true as in_own_currency union all select false as in_own_currency) as copies
    union all
    select
        missing.seg_class,
        lines.line,
        'ALL' as currency
    from missing
    inner join lines
        on lines.seg_class = missing.seg_class
        and lines.role in ('EXCESS', 'OVER_TARGET')
)

select distinct
    seg_class,
    line,
    currency
from unknown
