-- Settlement cycles: one amount per DCO, settlement bank account, class, currency, cycle and cycle date, with its
-- payment date (intraday: the same day; end of day: the next business day) and the reference the payment carries.
with report_amounts as (
    select * from int_position_report_amounts where route = 'DCO_SETTLEMENT'
),

days as (
    select * from stg_calendar__business_days
),

run_parameters as (
    select * from stg_run__parameters
),

cycles as (
    select
        dco,
        settlement_bank_account_id,
        seg_class,
        currency,
        cycle,
        cycle_date,
        sum(amount) as amount,
        -- most cycles are one report, whose lists need no sorting: DuckDB evaluates each CASE branch only for its rows
        case when count(*) = 1 then array_agg(record_id) else list_sort(array_agg(record_id)) end as clearing_records,
        case
            when count(*) = 1 then array_agg(source_file) else list_sort(list_distinct(array_agg(source_file)))
        end as source_files
    from report_amounts
    group by dco, settlement_bank_account_id, seg_class, currency, cycle, cycle_date
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
