-- The customer statements: every line of each class in USD (currency 'ALL') and, for the additive lines, per
-- currency in use, with the line's label and role (segregation/lines.yaml) and whether the statement can be filed.
-- A line that cannot be computed (a bank balance it adds up is missing: int_seg_unknown_lines) has no row; its
-- INCOMPLETE_INPUTS alert names the account.
with lines as (
    select * from stg_segregation__lines
),

amounts as (
    select * from int_seg_line_amounts
),

status as (
    select * from int_seg_statement_status
)

select
    lines.seg_class,
    lines.line_order,
    lines.line,
    lines.label,
    lines.role,
    amounts.currency,
    amounts.amount,
    amounts.amount_usd,
    status.statement_status
from lines
inner join amounts
    on amounts.seg_class = lines.seg_class
    and amounts.line = lines.line
inner join status on status.seg_class = lines.seg_class
where amounts.amount_usd is not null
order by lines.seg_class, lines.line_order, amounts.currency
