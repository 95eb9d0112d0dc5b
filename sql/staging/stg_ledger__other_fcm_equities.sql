-- Equity the FCM holds for SEG or CLEARED_SWAPS customers at other FCMs.
with source as (
    select * from src_ledger__other_fcm_equities
),

renamed as (
    select
        record_id,
        source_file,
        location,
        fcm,
        seg_class,
        currency,
        cast(net_liquidating_equity as decimal(38, 9)) as net_liquidating_equity,
        cast(investments_value as decimal(38, 9)) as investments_value,
        cast(customer_securities_value as decimal(38, 9)) as customer_securities_value
    from source
)

select * from renamed
