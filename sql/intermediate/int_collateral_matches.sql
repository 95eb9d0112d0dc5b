-- COLLATERAL matches: grains whose clearing and ledger market values agree within the rule's tolerance.
with compared as (
    select * from int_collateral_compared where outcome = 'MATCH'
)

select
    substr(md5(concat('COLLATERAL|', reference, '|', currency)), 1, 16) as match_id,
    'COLLATERAL' as recon,
    rule_id,
    rule_version,
    'AUTO' as match_kind,
    seg_class,
    cast(null as varchar) as bank_account_id,
    cast(null as varchar) as account,
    currency,
    reference,
    clearing_amount,
    cast(null as decimal(38, 9)) as bank_amount,
    ledger_amount,
    difference,
    clearing_records,
    cast([] as varchar[]) as bank_records,
    ledger_records
from compared
