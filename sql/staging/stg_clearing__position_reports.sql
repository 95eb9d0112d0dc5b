-- CME FIXML position reports of the business date and of the day before (for its end-of-day cycle).
with source as (
    select * from src_clearing__position_reports
),

renamed as (
    select
        record_id,
        source_file,
        location,
        rpt_id,
        biz_date,
        settl_session,
        position_account,
        origin_code,
        -- CME is the DCO whose files arrive as FIXML: a report that names no R=21 party is CME's
        case when dco = '' then 'CME' else dco end as dco,
        currency,
        cast(settlement_price as decimal(38, 9)) as settlement_price,
        exchange,
        product_code,
        security_type,
        contract_month,
        put_call,
        cast(strike as decimal(38, 9)) as strike,
        cast(sod_long as decimal(38, 9)) as sod_long,
        cast(sod_short as decimal(38, 9)) as sod_short,
        cast(fin_long as decimal(38, 9)) as fin_long,
        cast(fin_short as decimal(38, 9)) as fin_short
    from source
)

select * from renamed
