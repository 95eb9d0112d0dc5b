-- Each routed position report's settlement rows: one per report and Amt (a report with no Amt: one row), the Amt's
-- amount signed by its class's configured component so that positive means the DCO pays the firm, or null when the
-- Amt type is not configured for the class. int_position_report_amounts sums them per report; int_dco_cycles per
-- cycle, without a sum per report where a cycle has one row.
with reports as (
    select * from int_position_reports_classified
),

amounts as (
    select * from stg_clearing__position_amounts
),

components as (
    select * from stg_rules__settlement_components
)

select
    reports.record_id,
    reports.source_file,
    reports.route,
    reports.dco,
    reports.settlement_bank_account_id,
    reports.seg_class,
    reports.currency,
    reports.settl_session as cycle,
    reports.biz_date as cycle_date,
    amounts.amount * components.amount_sign as signed_amount
from reports
left join amounts
    on amounts.record_id = reports.record_id
    and amounts.currency = reports.currency
left join components
    on components.seg_class = reports.seg_class
    and components.amt_type = amounts.amt_type
