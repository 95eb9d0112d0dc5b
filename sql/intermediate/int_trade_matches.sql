-- TRADE matches: pass 1 pairs on the clearing trade id and pass 2 economic groups, one row per match with its rule.
-- Amounts are signed quantities (BUY +, SELL -); account = the position account; reference = the TrdID(s).
with id_pairs as (
    select * from int_trade_id_pairs where outcome = 'MATCH'
),

economic_groups as (
    select * from int_trade_economic_groups where outcome = 'MATCH'
),

matches as (
    select
        rule_id, rule_version, seg_class, position_account, currency, trd_id as reference,
        clearing_amount, ledger_amount, difference, clearing_records, ledger_records
    from id_pairs
    union all
    select
        rule_id, rule_version, seg_class, position_account, currency,
        array_to_string(clearing_trade_keys, ',') as reference,
        clearing_amount, ledger_amount, difference, clearing_records, ledger_records
    from economic_groups
)

select
    substr(md5(concat(
        'TRADE|', array_to_string(clearing_records, ','), '|', array_to_string(ledger_records, ',')
    )), 1, 16) as match_id,
    'TRADE' as recon,
    rule_id,
    rule_version,
    'AUTO' as match_kind,
    seg_class,
    cast(null as varchar) as bank_account_id,
    position_account as account,
    currency,
    reference,
    cast(clearing_amount as decimal(38, 9)) as clearing_amount,
    cast(null as decimal(38, 9)) as bank_amount,
    cast(ledger_amount as decimal(38, 9)) as ledger_amount,
    cast(difference as decimal(38, 9)) as difference,
    clearing_records,
    cast([] as varchar[]) as bank_records,
    ledger_records
from matches
