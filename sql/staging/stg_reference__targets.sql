-- The board-approved targeted residual interest per class in force (either figure may be blank: NULL).
with source as (
    select * from src_reference__targets
),

renamed as (
    select
        seg_class,
        cast(target_amount_usd as decimal(38, 9)) as target_amount_usd,
        -- a fraction of the day's requirement: 0.03 means 3 %
        cast(target_pct_of_requirement as decimal(38, 9)) as target_pct_of_requirement,
        approved_by,
        approved_on
    from source
)

select * from renamed
