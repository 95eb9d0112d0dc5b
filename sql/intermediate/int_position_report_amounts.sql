-- Each routed position report's settlement amount: the sum of its class's configured Amt components, signed so
-- that positive means the DCO pays the firm.
with reports as (
    select * from int_position_reports_classified
),

amounts as (
    select * from stg_clearing__position_amounts
),

components as (
    select * from stg_rules__settlement_components
),

component_amounts as (
    select
        amounts.record_id,
        amounts.currency,
        amounts.amount * components.amount_sign as amount
    from amounts
    inner join reports on reports.record_id = amounts.record_id
    inner join components
        on components.seg_class = reports.seg_class
        and components.amt_type = amounts.amt_type
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
    cast(coalesce(sum(component_amounts.amount), 0) as decimal(38, 9)) as amount
from reports
left join component_amounts
    on component_amounts.record_id = reports.record_id
    and component_amounts.currency = reports.currency
group by all
