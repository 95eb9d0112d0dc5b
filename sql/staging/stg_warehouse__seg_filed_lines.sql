-- The lines of each class's latest filing of the business date, as marked filed (seg_filings, read back and
-- flattened by the match stage; empty until a statement of the date is marked filed).
with source as (
    select * from src_warehouse__seg_filed_lines
),

renamed as (
    select
        seg_class,
        line,
        currency,
        cast(amount as decimal(38, 9)) as amount,
        cast(amount_usd as decimal(38, 9)) as amount_usd,
        run_id,
        filed_by,
        filed_at
    from source
)

select * from renamed
