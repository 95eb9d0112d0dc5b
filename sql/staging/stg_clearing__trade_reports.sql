-- CME FIXML trade capture reports (one row per trade, or per leg of a multi-leg report) of the business date and
-- the day before, as reported: NEW, CANCEL and REPLACE reports are all kept here and collapsed downstream.
with source as (
    select * from src_clearing__trade_reports
),

renamed as (
    select
        record_id,
        source_file,
        location,
        rpt_id,
        trim(trd_id) as trd_id,
        exec_id,
        trans_typ,
        trade_date,
        biz_date,
        side,
        cast(quantity as decimal(38, 9)) as quantity,
        cast(price as decimal(38, 9)) as price,
        upper(trim(exchange)) as exchange,
        upper(trim(product_code)) as product_code,
        upper(trim(security_type)) as security_type,
        upper(trim(contract_month)) as contract_month,
        upper(trim(coalesce(put_call, ''))) as put_call,
        cast(strike as decimal(38, 9)) as strike,
        position_account,
        origin_code,
        leg,
        mleg_report_type
    from source
)

select * from renamed
