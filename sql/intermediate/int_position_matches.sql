-- POSITION matches: grains whose long, short and settlement price agree (amounts are net quantities, long - short).
with compared as (
    select * from int_position_compared where outcome = 'MATCH'
)

select
    substr(md5(concat(
        'POSITION|', dco, '|', coalesce(position_account, ''), '|', instrument_key, '|', currency
    )), 1, 16) as match_id,
    'POSITION' as recon,
    rule_id,
    rule_version,
    'AUTO' as match_kind,
    seg_class,
    cast(null as varchar) as bank_account_id,
    position_account as account,
    currency,
    instrument_key as reference,
    cast(clearing_amount as decimal(38, 9)) as clearing_amount,
    cast(null as decimal(38, 9)) as bank_amount,
    cast(ledger_amount as decimal(38, 9)) as ledger_amount,
    cast(difference as decimal(38, 9)) as difference,
    clearing_records,
    cast([] as varchar[]) as bank_records,
    ledger_records
from compared
