-- Each routed position report's settlement amount: the sum of its class's configured Amt components, signed so
-- that positive means the DCO pays the firm. One pass: an Amt type not configured for the class joins no component,
-- so its product is null and the sum leaves it out.
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
    -- an integer sign keeps the scale; cast back to the money type explicitly
    cast(coalesce(sum(amounts.amount * components.amount_sign), 0) as decimal(38, 9)) as amount
from reports
left join amounts
    on amounts.record_id = reports.record_id
    and amounts.currency = reports.currency
left join components
    on components.seg_class = reports.seg_class
    and components.amt_type = amounts.amt_type
group by all
