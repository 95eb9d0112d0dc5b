-- Settlement cycles: one amount per DCO, settlement bank account, class, currency, cycle and cycle date, with its
-- payment date and the reference the payment carries. A cycle is paid on a settlement day (a CME business day that
-- is a Fedwire bank day, stg_calendar__business_days): the intraday cycle the same day, or the next bank day when its
-- date is a Fedwire holiday; the end-of-day cycle on the first settlement day after its date. A cycle is PENDING
-- until its payment date (today's end of day; on a Fedwire holiday also the day's intraday cycle and the previous
-- day's end of day), DUE on it.
-- A cycle's amount is the sum of its reports' amounts as int_position_report_amounts computes them, from the same
-- int_position_report_rows. Only cycles of several rows (several reports, or one with several Amt) are aggregated,
-- per report and then per cycle as that model does: a cycle of one row is its one report, whose amount is that
-- row's signed amount or zero. Aggregating millions of one-report groups with their records and files costs
-- several times finding the groups of several.
with days as (
    select * from stg_calendar__business_days
),

run_parameters as (
    select * from stg_run__parameters
),

-- read three times below: DuckDB materialises it once
report_rows as (
    select * from int_position_report_rows where route = 'DCO_SETTLEMENT'
),

shared_cycles as (
    select dco, settlement_bank_account_id, seg_class, currency, cycle, cycle_date, count(*) as cycle_rows
    from report_rows
    group by dco, settlement_bank_account_id, seg_class, currency, cycle, cycle_date
    having count(*) > 1
),

-- a null key is a key like any other here, as the aggregations below group it
single_report_cycles as (
    select
        report_rows.dco,
        report_rows.settlement_bank_account_id,
        report_rows.seg_class,
        report_rows.currency,
        report_rows.cycle,
        report_rows.cycle_date,
        -- as int_position_report_amounts: an integer sign keeps the scale; cast back to the money type explicitly
        cast(coalesce(report_rows.signed_amount, 0) as decimal(38, 9)) as amount,
        [report_rows.record_id] as clearing_records,
        [report_rows.source_file] as source_files
    from report_rows
    left join shared_cycles
        on shared_cycles.dco is not distinct from report_rows.dco
        and shared_cycles.settlement_bank_account_id is not distinct from report_rows.settlement_bank_account_id
        and shared_cycles.seg_class is not distinct from report_rows.seg_class
        and shared_cycles.currency is not distinct from report_rows.currency
        and shared_cycles.cycle is not distinct from report_rows.cycle
        and shared_cycles.cycle_date is not distinct from report_rows.cycle_date
    where shared_cycles.cycle_rows is null
),

-- the reports of the cycles of several rows, each summed as int_position_report_amounts sums it
several_reports as (
    select
        report_rows.record_id,
        report_rows.source_file,
        report_rows.dco,
        report_rows.settlement_bank_account_id,
        report_rows.seg_class,
        report_rows.currency,
        report_rows.cycle,
        report_rows.cycle_date,
        cast(coalesce(sum(report_rows.signed_amount), 0) as decimal(38, 9)) as amount
    from report_rows
    inner join shared_cycles
        on shared_cycles.dco is not distinct from report_rows.dco
        and shared_cycles.settlement_bank_account_id is not distinct from report_rows.settlement_bank_account_id
        and shared_cycles.seg_class is not distinct from report_rows.seg_class
        and shared_cycles.currency is not distinct from report_rows.currency
        and shared_cycles.cycle is not distinct from report_rows.cycle
        and shared_cycles.cycle_date is not distinct from report_rows.cycle_date
    group by all
),

several_report_cycles as (
    select
        dco,
        settlement_bank_account_id,
        seg_class,
        currency,
        cycle,
        cycle_date,
        sum(amount) as amount,
        list_sort(array_agg(record_id)) as clearing_records,
        list_sort(list_distinct(array_agg(source_file))) as source_files
    from several_reports
    group by dco, settlement_bank_account_id, seg_class, currency, cycle, cycle_date
),

cycles as (
    select * from single_report_cycles
    union all
    select * from several_report_cycles
),

paid as (
    select
        cycles.*,
        case when cycles.cycle = 'EOD' then days.next_settlement_day else days.settlement_day end as payment_date
    from cycles
    inner join days on days.day = cycles.cycle_date
)

select
    paid.dco,
    paid.settlement_bank_account_id,
    paid.seg_class,
    paid.currency,
    paid.cycle,
    paid.cycle_date,
    paid.amount,
    paid.clearing_records,
    paid.source_files,
    concat(paid.dco, '-', paid.cycle, '-', strftime(paid.cycle_date, '%Y%m%d')) as reference,
    paid.payment_date,
    case when paid.payment_date > run_parameters.business_date then 'PENDING' else 'DUE' end as status
from paid
cross join run_parameters
