-- Currency by currency (Reg 1.32(a), 1.49), for each class and currency with a rate:
--   requirement(c) = sum over accounts of max(0, NLE(a, c))   (per beneficial owner when combined)
--   funds(c)       = the sources held in c of the lines that add up to the class's FUNDS line; NULL (unknown, no
--                    shortfall can be stated) when a bank balance in c is missing (int_seg_unknown_lines)
-- in the currency and in USD (the USD side sums the same rows' USD contributions).
with balances as (
    select * from int_seg_balances_usd where nle_usd is not null
),

leaf_sums as (
    select * from int_seg_leaves_summed
),

formulas as (
    select * from int_seg_line_formulas
),

lines as (
    select * from stg_segregation__lines where role = 'FUNDS'
),

currencies as (
    select * from int_seg_currencies where has_rate
),

unknown_funds as (
    select unknown_lines.*
    from int_seg_unknown_lines as unknown_lines
    inner join stg_segregation__lines as funds_lines
        on funds_lines.seg_class = unknown_lines.seg_class
        and funds_lines.line = unknown_lines.line
    where funds_lines.role = 'FUNDS'
),

unit_equity as (
    select
        seg_class,
        unit_id,
        currency,
        sum(nle) as nle,
        sum(nle_usd) as nle_usd
    from balances
    group by seg_class, unit_id, currency
),

requirements as (
    select
        seg_class,
        currency,
        sum(nle) filter (where nle > 0) as requirement,
        sum(nle_usd) filter (where nle > 0) as requirement_usd
    from unit_equity
    group by seg_class, currency
),

funds_leaves as (
    select
        lines.seg_class,
        formulas.leaf
    from lines
    inner join formulas
        on formulas.family = case when lines.seg_class = 'SECURED' then 'SECURED' else 'SEG' end
        and formulas.line = lines.line
),

funds as (
    select
        leaf_sums.seg_class,
        leaf_sums.currency,
        sum(leaf_sums.amount) as funds,
        sum(leaf_sums.amount_usd) as funds_usd
    from leaf_sums
    inner join funds_leaves
        on funds_leaves.seg_class = leaf_sums.seg_class
        and funds_leaves.leaf = leaf_sums.line
    group by leaf_sums.seg_class, leaf_sums.currency
)

select
    currencies.seg_class,
    currencies.currency,
    cast(coalesce(requirements.requirement, 0) as decimal(38, 9)) as requirement,
    cast(coalesce(requirements.requirement_usd, 0) as decimal(38, 9)) as requirement_usd,
    case when unknown_funds.line is null then cast(coalesce(funds.funds, 0) as decimal(38, 9)) end as funds,
    case when unknown_funds.line is null then cast(coalesce(funds.funds_usd, 0) as decimal(38, 9)) end as funds_usd
from currencies
left join requirements
    on requirements.seg_class = currencies.seg_class
    and requirements.currency = currencies.currency
left join funds
    on funds.seg_class = currencies.seg_class
    and funds.currency = currencies.currency
left join unknown_funds
    on unknown_funds.seg_class = currencies.seg_class
    and unknown_funds.currency = currencies.currency
