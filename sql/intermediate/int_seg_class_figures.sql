-- Each customer class's figures the alerts read, found by line role (segregation/lines.yaml): REQUIRED, FUNDS,
-- EXCESS (the residual interest, RI) and TARGET in USD; UM_TOTAL (the sum of UM_ADJ over its accounts); the
-- statement's status; and the residual interest deadline: 6 p.m. Eastern on the next business day.
with lines as (
    select * from stg_segregation__lines
),

amounts as (
    select * from int_seg_line_amounts where currency = 'ALL'
),

equity as (
    select * from int_seg_account_equity
),

status as (
    select * from int_seg_statement_status
),

days as (
    select * from stg_calendar__business_days
),

run_parameters as (
    select * from stg_run__parameters
),

roles as (
    select
        lines.seg_class,
        max(lines.line) filter (where lines.role = 'EXCESS') as excess_line,
        max(amounts.amount_usd) filter (where lines.role = 'REQUIRED') as required_usd,
        max(amounts.amount_usd) filter (where lines.role = 'FUNDS') as funds_usd,
        max(amounts.amount_usd) filter (where lines.role = 'EXCESS') as excess_usd,
        max(amounts.amount_usd) filter (where lines.role = 'TARGET') as target_usd
    from lines
    inner join amounts
        on amounts.seg_class = lines.seg_class
        and amounts.line = lines.line
    group by lines.seg_class
),

undermargined as (
    select
        seg_class,
        sum(um_adj_usd) as um_total_usd
    from equity
    group by seg_class
)

select
    roles.seg_class,
    roles.excess_line,
    roles.required_usd,
    roles.funds_usd,
    roles.excess_usd,
    roles.target_usd,
    cast(coalesce(undermargined.um_total_usd, 0) as decimal(38, 9)) as um_total_usd,
    status.statement_status,
    run_parameters.business_date,
    days.next_business_day as deadline_date
from roles
inner join status on status.seg_class = roles.seg_class
left join undermargined on undermargined.seg_class = roles.seg_class
cross join run_parameters
left join days on days.day = run_parameters.business_date
