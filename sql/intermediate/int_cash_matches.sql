-- CASH matches: pass 1 pairs, pass 2 pairs within tolerance and pass 3 subset fits (one item against several), one
-- row per match with its rule and every record it names.
with exact_pairs as (
    select *, bank_amount - ledger_amount as difference from int_cash_exact_pairs
),

tolerance_pairs as (
    select * from int_cash_reference_pairs where outcome = 'MATCH'
),

subset_matches as (
    select * from int_cash_subset_groups where outcome = 'MATCH'
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
),

matches as (
    select
        rule_id, rule_version, seg_class, bank_account_id, account_id, currency, reference, bank_amount,
        ledger_amount, difference, [bank_record_id] as bank_records, [ledger_record_id] as ledger_records
    from pairs
    union all
    select
        rule_id, rule_version, seg_class, bank_account_id, account_id, currency, reference, bank_amount,
        ledger_amount, difference, bank_records, ledger_records
    from subset_matches
)

select
    substr(md5(concat(
        'CASH|', array_to_string(bank_records, ','), '|', array_to_string(ledger_records, ',')
    )), 1, 16) as match_id,
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
    bank_records,
    ledger_records
from matches
