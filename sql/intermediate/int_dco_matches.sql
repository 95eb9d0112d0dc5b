-- DCO_SETTLEMENT matches: all three legs present and both bank and ledger within tolerance of the clearing amount
-- (so the class is the cycle's and no leg's records are null).
with three_way as (
    select * from int_dco_three_way
)

select
    substr(md5(concat('DCO_SETTLEMENT|', bank_account_id, '|', currency, '|', reference)), 1, 16) as match_id,
    'DCO_SETTLEMENT' as recon,
    rule_id,
    rule_version,
    'AUTO' as match_kind,
    clearing_seg_class as seg_class,
    bank_account_id,
    cast(null as varchar) as account,
    currency,
    reference,
    clearing_amount,
    bank_amount,
    ledger_amount,
    bank_difference as difference,
    clearing_records,
    bank_records,
    ledger_records
from three_way
where bank_within and ledger_within
