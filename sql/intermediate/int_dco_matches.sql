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
    case when clearing_record is not null then [clearing_record] else clearing_records end as clearing_records,
    case when bank_record is not null then [bank_record] else bank_records end as bank_records,
    case when ledger_record is not null then [ledger_record] else ledger_records end as ledger_records
from three_way
where matched
