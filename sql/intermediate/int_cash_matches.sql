-- CASH matches: pass 1 pairs and pass 2 pairs within tolerance, one row per match with its rule.
with exact_pairs as (
    select *, bank_amount - ledger_amount as difference from int_cash_exact_pairs
),

tolerance_pairs as (
    select * from int_cash_reference_pairs where outcome = 'MATCH'
),

pairs as (
    select
        rule_id, rule_version, bank_record_id, ledger_record_id, bank_account_id, seg_class, account_id, currency,
        reference, bank_amount, ledger_amount, difference
    from exact_pairs
    union all
    select
        rule_id, rule_version, bank_record_id, ledger_record_id, bank_account_id, seg_class, account_id, currency,
        reference, bank_amount, ledger_amount, difference
    from tolerance_pairs
)

select
    substr(md5(concat('CASH|', bank_record_id, '|', ledger_record_id)), 1, 16) as match_id,
    'CASH' as recon,
    rule_id,
    rule_version,
    'AUTO' as match_kind,
    seg_class,
    bank_account_id,
    account_id as account,
    currency,
    reference,
    cast(null as decimal(38, 9)) as clearing_amount,
    bank_amount,
    ledger_amount,
    difference,
    cast([] as varchar[]) as clearing_records,
    [bank_record_id] as bank_records,
    [ledger_record_id] as ledger_records
from pairs
