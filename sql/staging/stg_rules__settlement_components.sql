-- Which PosRpt amount types make up a settlement cycle, per class, and the sign convention of those amounts.
with source as (
    select * from src_settlement_components
)

select seg_class, amt_type, amount_sign from source
