-- Clearing trades at their final state: the business date's TrdCaptRpts grouped by TrdID, leg and trade date.
-- Any CANCEL removes the trade (cancelled: out of scope, every report of it counted); otherwise a REPLACE supersedes
-- the NEW (a REPLACE with no original in hand is the trade's current state). Several reports of the same kind: the
-- highest RptID wins (CME numbers reports upward), record_id breaking ties, so the result never depends on the order
-- the reports arrive in or their place in a file. Every report of a trade travels with its final state.
with reports as (
    select * from stg_clearing__trade_reports
),

run_parameters as (
    select * from stg_run__parameters
),

todays as (
    select reports.*
    from reports
    cross join run_parameters
    where reports.biz_date = run_parameters.business_date
),

ranked as (
    select
        todays.*,
        row_number() over (
            partition by trd_id, leg, trade_date
            order by
                case trans_typ when 'REPLACE' then 1 when 'NEW' then 2 else 3 end,
                rpt_id desc,
                record_id desc
        ) as state_rank,
        bool_or(trans_typ = 'CANCEL') over (partition by trd_id, leg, trade_date) as is_cancelled,
        count(*) over (partition by trd_id, leg, trade_date) as report_count
    from todays
),

trade_reports as (
    select
        trd_id,
        leg,
        trade_date,
        -- every report's record and file, sorted: grouped here and joined back rather than windowed in ranked, as
        -- BigQuery allows no ORDER BY or DISTINCT in an ARRAY_AGG over a window
        list_sort(list(record_id)) as records,
        list(distinct source_file order by source_file nulls first) as source_files
    from todays
    group by trd_id, leg, trade_date
)

select
    trd_id,
    leg,
    trade_date,
    rpt_id as final_rpt_id,
    trans_typ as final_trans_typ,
    is_cancelled,
    report_count,
    side,
    quantity,
    price,
    exchange,
    product_code,
    security_type as instrument_type,
    contract_month,
    put_call,
    strike,
    position_account,
    trade_reports.records,
    trade_reports.source_files
from ranked
inner join trade_reports using (trd_id, leg, trade_date)
where state_rank = 1
