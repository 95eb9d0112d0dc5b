-- Settlement cycles: one amount per DCO, settlement bank account, class, currency, cycle and cycle date, with its
-- payment date (intraday: the same day; end of day: the next business day) and the reference the payment carries.
-- Only cycles of several reports are aggregated: the rest are their one report, since aggregating millions of
-- one-report groups with their records and files costs several times finding the groups of several.
with report_amounts as (
    -- read three times below: DuckDB materialises it once
    select * from int_position_report_amounts where route = 'DCO_SETTLEMENT'
),

days as (
    select * from stg_calendar__business_days
),

run_parameters as (
    select * from stg_run__parameters
),

shared_cycles as (
    select dco, settlement_bank_account_id, seg_class, currency, cycle, cycle_date, count(*) as reports
    from report_amounts
    group by dco, settlement_bank_account_id, seg_class, currency, cycle, cycle_date
    having count(*) > 1
),

-- a null key is a key like any other here, as the aggregation below groups it
single_report_cycles as (
    select
        report_amounts.dco,
        report_amounts.settlement_bank_account_id,
        report_amounts.seg_class,
        report_amounts.currency,
        report_amounts.cycle,
        report_amounts.cycle_date,
        report_amounts.amount,
        [report_amounts.record_id] as clearing_records,
        [report_amounts.source_file] as source_files
    from report_amounts
    left join shared_cycles
        on shared_cycles.dco is not distinct from report_amounts.dco
        and shared_cycles.settlement_bank_account_id is not distinct from report_amounts.settlement_bank_account_id
        and shared_cycles.seg_class is not distinct from report_amounts.seg_class
        and shared_cycles.currency is not distinct from report_amounts.currency
        and shared_cycles.cycle is not distinct from report_amounts.cycle
        and shared_cycles.cycle_date is not distinct from report_amounts.cycle_date
    where shared_cycles.reports is null
),

several_report_cycles as (
    select
        report_amounts.dco,
        report_amounts.settlement_bank_account_id,
        report_amounts.seg_class,
        report_amounts.currency,
        report_amounts.cycle,
        report_amounts.cycle_date,
        sum(report_amounts.amount) as amount,
        list_sort(array_agg(report_amounts.record_id)) as clearing_records,
        list_sort(list_distinct(array_agg(report_amounts.source_file))) as source_files
    from report_amounts
    inner join shared_cycles
        on shared_cycles.dco is not distinct from report_amounts.dco
        and shared_cycles.settlement_bank_account_id is not distinct from report_amounts.settlement_bank_account_id
        and shared_cycles.seg_class is not distinct from report_amounts.seg_class
        and shared_cycles.currency is not distinct from report_amounts.currency
        and shared_cycles.cycle is not distinct from report_amounts.cycle
        and shared_cycles.cycle_date is not distinct from report_amounts.cycle_date
    group by
        report_amounts.dco,
        report_amounts.settlement_bank_account_id,
        report_amounts.seg_class,
        report_amounts.currency,
        report_amounts.cycle,
        report_amounts.cycle_date
),

cycles as (
    select * from single_report_cycles
    union all
    select * from several_report_cycles
)

select
    cycles.*,
    concat(cycles.dco, '-', cycles.cycle, '-', strftime(cycles.cycle_date, '%Y%m%d')) as reference,
    case when cycles.cycle = 'EOD' then days.next_business_day else cycles.cycle_date end as payment_date,
    case
        when cycles.cycle = 'EOD' and cycles.cycle_date = run_parameters.business_date then 'PENDING'
        else 'DUE'
    end as status
from cycles
cross join run_parameters
inner join days on days.day = cycles.cycle_date
