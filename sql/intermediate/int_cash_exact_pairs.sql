-- CASH pass 1: bank and ledger items equal on the keys of the rule (account, currency, reference, amount and date in
-- recon/rules/cash.yaml, compiled in by recon.sqlmodels), paired one to one in record-id order (a second identical
-- item on one side stays unpaired and is reported as a duplicate).
with candidates as (
    select * from int_cash_candidates
),

rule_pass as (
    select * from stg_rules__passes where rule_id = 'CASH-EXACT'
),

numbered as (
    select
        candidates.*,
        row_number() over (
            partition by side, {{ key_columns('CASH-EXACT') }} order by record_id
        ) as occurrence
    from candidates
),

bank as (
    select * from numbered where side = 'BANK'
),

ledger as (
    select * from numbered where side = 'LEDGER'
)

select
    rule_pass.rule_id,
    rule_pass.rule_version,
    bank.record_id as bank_record_id,
    ledger.record_id as ledger_record_id,
    bank.source_file as bank_source_file,
    ledger.source_file as ledger_source_file,
    bank.bank_account_id,
    coalesce(ledger.seg_class, bank.seg_class) as seg_class,
    ledger.account_id,
    bank.currency,
    bank.reference,
    bank.amount as bank_amount,
    ledger.amount as ledger_amount
from bank
inner join ledger
    on {{ keys('CASH-EXACT', 'bank', 'ledger') }}
    and ledger.occurrence = bank.occurrence
cross join rule_pass
