-- Filed versus current: every line and currency of a class already marked filed for the business date whose amount
-- (in its currency or in USD) differs from today's computation, or that exists on one side only. Classes with no
-- filing have no rows. The figures compared are the exact ones (scale 9), not their presentation.
with filed as (
    select * from stg_warehouse__seg_filed_lines
),

current_lines as (
    select * from int_seg_line_amounts
),

filings as (
    select distinct
        seg_class,
        run_id,
        filed_by,
        filed_at
    from filed
),

current_of_filed as (
    select current_lines.*
    from current_lines
    inner join filings on filings.seg_class = current_lines.seg_class
),

compared as (
    select
        coalesce(filed.seg_class, current_of_filed.seg_class) as seg_class,
        coalesce(filed.line, current_of_filed.line) as line,
        coalesce(filed.currency, current_of_filed.currency) as currency,
        filed.amount as filed_amount,
        filed.amount_usd as filed_amount_usd,
        current_of_filed.amount as current_amount,
        current_of_filed.amount_usd as current_amount_usd
    from filed
    full outer join current_of_filed
        on current_of_filed.seg_class = filed.seg_class
        and current_of_filed.line = filed.line
        and current_of_filed.currency = filed.currency
)

select
    compared.seg_class,
    compared.line,
    compared.currency,
    compared.filed_amount,
    compared.filed_amount_usd,
    compared.current_amount,
    compared.current_amount_usd,
    filings.run_id as filed_run_id,
    filings.filed_by,
    filings.filed_at
from compared
inner join filings on filings.seg_class = compared.seg_class
where compared.filed_amount is null
    or compared.current_amount is null
    or compared.filed_amount <> compared.current_amount
    or compared.filed_amount_usd <> compared.current_amount_usd
