-- The mapping from an open break to the statement line it could move (segregation/break_impact.yaml), one row per
-- rule and break type; rule_order is the rule's position in the file (the first rule that applies wins).
with source as (
    select * from src_segregation__break_impact_rules
),

renamed as (
    select
        cast(rule_order as bigint) as rule_order,
        recon,
        break_type,
        reference_like,
        amount_column,
        when_sign,
        cast(sign as bigint) as sign,
        seg_line,
        secured_us_line,
        secured_other_line
    from source
)

select * from renamed
