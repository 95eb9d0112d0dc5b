-- DCO_SETTLEMENT matches: all three legs present and both bank and ledger within tolerance of the clearing amount
-- (so the class is the cycle's and every leg has its record or records).
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
    bank_amount - clearing_amount as difference,
    coalesce(clearing_records, [clearing_record]) as clearing_records,
    coalesce(bank_records, [bank_record]) as bank_records,
    coalesce(ledger_records, [ledger_record]) as ledger_records
from three_way
where matched
