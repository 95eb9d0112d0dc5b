-- The books' trades (allocations) with their status and, when the back office has it, the CME TrdID; instrument
-- keys normalised as in stg_ledger__positions.
with source as (
    select * from src_ledger__trades
),

renamed as (
    select
        record_id,
        source_file,
        location,
        trade_id,
        trade_date,
        account_id,
        upper(trim(exchange)) as exchange,
        upper(trim(product_code)) as product_code,
        upper(trim(instrument_type)) as instrument_type,
        upper(trim(contract_month)) as contract_month,
        upper(trim(coalesce(put_call, ''))) as put_call,
        cast(strike as decimal(38, 9)) as strike,
        side,
        cast(quantity as decimal(38, 9)) as quantity,
        cast(price as decimal(38, 9)) as price,
        status,
        trim(coalesce(clearing_trade_id, '')) as clearing_trade_id,
        trim(coalesce(exec_id, '')) as exec_id
    from source
)

select * from renamed
