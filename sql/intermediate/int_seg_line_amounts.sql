-- Every statement line of each customer class: per currency in use (additive lines: the sum of their leaf lines'
-- sources, in the currency and in USD) and for the class in USD (currency 'ALL'). Lines that are not additive are
-- computed on the USD totals only:
--   SEG, CLEARED_SWAPS  15 = max(target_amount_usd, target_pct x line 6); 16 = 14 - 15
--   SECURED             7 = max(line 0, line 6); F9 = F8 - 7; F10 = max(target_amount_usd, target_pct x line 7);
--                       F11 = F9 - F10
-- target_pct_of_requirement is a fraction (0.03 = 3 %); a blank target figure is ignored, both blank give 0.
-- pct x line is an exact DECIMAL(38, 18), brought back to scale 9 half-even as in int_seg_contributions_usd.
-- A line computed from a bank balance that is missing (int_seg_unknown_lines) is NULL: unknown, never a figure.
with formulas as (
    select * from int_seg_line_formulas
),

leaf_sums as (
    select * from int_seg_leaves_summed
),

currencies as (
    select * from int_seg_currencies where has_rate
),

targets as (
    select * from stg_reference__targets
),

unknown_lines as (
    select * from int_seg_unknown_lines
),

classes as (
    select *
    from (
        values ('SEG', 'SEG'), ('SECURED', 'SECURED'), ('CLEARED_SWAPS', 'SEG')
    ) as classes (seg_class, family)
),

statement_currencies as (
    select seg_class, currency from currencies
    union
    select seg_class, currency from leaf_sums
),

leaf_totals as (
    select
        seg_class,
        line,
        sum(amount_usd) as amount_usd
    from leaf_sums
    group by seg_class, line
),

by_currency as (
    select
        classes.seg_class,
        formulas.line,
        statement_currencies.currency,
        cast(coalesce(sum(formulas.sign * leaf_sums.amount), 0) as decimal(38, 9)) as amount,
        cast(coalesce(sum(formulas.sign * leaf_sums.amount_usd), 0) as decimal(38, 9)) as amount_usd
    from classes
    inner join formulas on formulas.family = classes.family
    inner join statement_currencies on statement_currencies.seg_class = classes.seg_class
    left join leaf_sums
        on leaf_sums.seg_class = classes.seg_class
        and leaf_sums.line = formulas.leaf
        and leaf_sums.currency = statement_currencies.currency
    group by classes.seg_class, formulas.line, statement_currencies.currency
),

class_totals as (
    select
        classes.seg_class,
        classes.family,
        formulas.line,
        cast(coalesce(sum(formulas.sign * leaf_totals.amount_usd), 0) as decimal(38, 9)) as amount_usd
    from classes
    inner join formulas on formulas.family = classes.family
    left join leaf_totals
        on leaf_totals.seg_class = classes.seg_class
        and leaf_totals.line = formulas.leaf
    group by classes.seg_class, classes.family, formulas.line
),

pivoted as (
    select
        seg_class,
        family,
        max(amount_usd) filter (where line = '0') as line_0,
        max(amount_usd) filter (where line = '6') as line_6,
        max(amount_usd) filter (where line = '14') as line_14,
        max(amount_usd) filter (where line = 'F8') as line_f8
    from class_totals
    group by seg_class, family
),

required as (
    select
        pivoted.*,
        case
            when family = 'SECURED' then greatest(line_0, line_6)
            else line_6
        end as required_usd
    from pivoted
),

target_exact as (
    select
        required.*,
        targets.target_amount_usd,
        targets.target_pct_of_requirement * required.required_usd as pct_exact,
        cast(targets.target_pct_of_requirement * required.required_usd as decimal(38, 9)) as pct_away
    from required
    left join targets on targets.seg_class = required.seg_class
),

target_parts as (
    select
        target_exact.*,
        case
            when abs(pct_exact - pct_away) = 0.0000000005
                and mod(cast(pct_away * 1000000000 as decimal(38, 0)), 2) <> 0
                then cast(pct_away - sign(pct_exact) * 0.000000001 as decimal(38, 9))
            else pct_away
        end as pct_usd
    from target_exact
),

targeted as (
    select
        target_parts.*,
        -- written out rather than greatest(): BigQuery's GREATEST returns NULL when an argument is NULL
        case
            when target_amount_usd is null and pct_usd is null then cast(0 as decimal(38, 9))
            when target_amount_usd is null then pct_usd
            when pct_usd is null then target_amount_usd
            when target_amount_usd >= pct_usd then target_amount_usd
            else pct_usd
        end as target_usd
    from target_parts
),

not_additive as (
    select seg_class, '15' as line, target_usd as amount_usd from targeted where family = 'SEG'
    union all
    select seg_class, '16' as line, line_14 - target_usd as amount_usd from targeted where family = 'SEG'
    union all
    select seg_class, '7' as line, required_usd as amount_usd from targeted where family = 'SECURED'
    union all
    select seg_class, 'F9' as line, line_f8 - required_usd as amount_usd from targeted where family = 'SECURED'
    union all
    select seg_class, 'F10' as line, target_usd as amount_usd from targeted where family = 'SECURED'
    union all
    select seg_class, 'F11' as line, line_f8 - required_usd - target_usd as amount_usd
    from targeted
    where family = 'SECURED'
),

amounts as (
    select seg_class, line, currency, amount, amount_usd from by_currency
    union all
    select seg_class, line, 'ALL' as currency, amount_usd as amount, amount_usd from class_totals
    union all
    select seg_class, line, 'ALL' as currency, amount_usd as amount, amount_usd from not_additive
)

select
    amounts.seg_class,
    amounts.line,
    amounts.currency,
    case when unknown_lines.line is null then cast(amounts.amount as decimal(38, 9)) end as amount,
    case when unknown_lines.line is null then cast(amounts.amount_usd as decimal(38, 9)) end as amount_usd
from amounts
left join unknown_lines
    on unknown_lines.seg_class = amounts.seg_class
    and unknown_lines.line = amounts.line
    and unknown_lines.currency = amounts.currency
