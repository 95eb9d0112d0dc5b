-- Each routed position report's settlement amount: the sum of its rows (int_position_report_rows), an Amt type not
-- configured for the class being null there and left out of the sum.
with report_rows as (
    select * from int_position_report_rows
)

select
    record_id,
    source_file,
    route,
    dco,
    settlement_bank_account_id,
    seg_class,
    currency,
    cycle,
    cycle_date,
    -- an integer sign keeps the scale; cast back to the money type explicitly
    cast(coalesce(sum(signed_amount), 0) as decimal(38, 9)) as amount
from report_rows
group by all
