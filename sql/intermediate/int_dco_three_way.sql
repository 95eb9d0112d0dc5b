-- DCO_SETTLEMENT three-way: each due cycle against its bank and ledger legs by settlement account, currency and
-- reference, with each leg's difference from the clearing amount and whether it is within tolerance. A leg that is
-- absent has null amount, records and files (the breaks fill them in; a match has all three legs).
with cycles as (
    select * from int_dco_cycles where status = 'DUE'
),

bank as (
    select * from int_dco_legs where side = 'BANK'
),

ledger as (
    select * from int_dco_legs where side = 'LEDGER'
),

rule_pass as (
    select * from stg_rules__passes where recon = 'DCO_SETTLEMENT' and pass_order = 1
),

-- the grain is every settlement account, currency and reference any leg has: two full outer joins on it (each
-- leg has one row per grain, so a cycle's row is never repeated)
joined as (
    select
        coalesce(cycles.settlement_bank_account_id, bank.bank_account_id, ledger.bank_account_id)
            as bank_account_id,
        coalesce(cycles.currency, bank.currency, ledger.currency) as currency,
        coalesce(cycles.reference, bank.reference, ledger.reference) as reference,
        cycles.dco,
        cycles.seg_class as clearing_seg_class,
        cycles.amount as clearing_amount,
        bank.amount as bank_amount,
        ledger.amount as ledger_amount,
        cycles.clearing_records,
        bank.records as bank_records,
        ledger.records as ledger_records,
        cycles.source_files as clearing_files,
        bank.source_files as bank_files,
        ledger.source_files as ledger_files
    from cycles
    full outer join bank
        on bank.bank_account_id = cycles.settlement_bank_account_id
        and bank.currency = cycles.currency
        and bank.reference = cycles.reference
    full outer join ledger
        on ledger.bank_account_id = coalesce(cycles.settlement_bank_account_id, bank.bank_account_id)
        and ledger.currency = coalesce(cycles.currency, bank.currency)
        and ledger.reference = coalesce(cycles.reference, bank.reference)
)

select
    rule_pass.rule_id,
    rule_pass.rule_version,
    joined.*,
    joined.bank_amount - joined.clearing_amount as bank_difference,
    joined.ledger_amount - joined.clearing_amount as ledger_difference,
    joined.bank_amount - joined.clearing_amount
        between -rule_pass.amount_tolerance_below and rule_pass.amount_tolerance_above as bank_within,
    joined.ledger_amount - joined.clearing_amount
        between -rule_pass.amount_tolerance_below and rule_pass.amount_tolerance_above as ledger_within
from joined
cross join rule_pass
