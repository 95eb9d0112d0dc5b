-- BANK_BALANCE matches: accounts whose bank-versus-book difference is fully explained.
with proof as (
    select * from int_bank_balance_proof where outcome = 'MATCH'
)

select
    substr(md5(concat('BANK_BALANCE|', bank_account_id, '|', currency)), 1, 16) as match_id,
    'BANK_BALANCE' as recon,
    rule_id,
    rule_version,
    'AUTO' as match_kind,
    seg_class,
    bank_account_id,
    cast(null as varchar) as account,
    currency,
    cast(null as varchar) as reference,
    cast(null as decimal(38, 9)) as clearing_amount,
    bank_amount,
    ledger_amount,
    bank_amount - ledger_amount as difference,
    cast([] as varchar[]) as clearing_records,
    bank_records,
    ledger_records
from proof
