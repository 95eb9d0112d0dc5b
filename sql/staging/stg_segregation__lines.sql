-- The statement lines of each customer class (segregation/lines.yaml): order, code, label and role.
with source as (
    select * from src_segregation__lines
),

renamed as (
    select
        seg_class,
        cast(line_order as bigint) as line_order,
        line,
        label,
        role
    from source
)

select * from renamed
