-- The books' balance of each customer account and currency at the close (+ = a credit to the customer).
with source as (
    select * from src_ledger__balances
),

renamed as (
    select
        record_id,
        source_file,
        location,
        account_id,
        currency,
        cast(cash_balance as decimal(38, 9)) as cash_balance,
        cast(securities_value as decimal(38, 9)) as securities_value,
        cast(open_trade_equity as decimal(38, 9)) as open_trade_equity,
        cast(long_option_value as decimal(38, 9)) as long_option_value,
        cast(short_option_value as decimal(38, 9)) as short_option_value,
        cast(initial_margin_requirement as decimal(38, 9)) as initial_margin_requirement,
        cast(offset_securities_value as decimal(38, 9)) as offset_securities_value
    from source
)

select * from renamed
