-- DCO_SETTLEMENT three-way: each due cycle against its bank and ledger legs by settlement account, currency and
-- reference, with each leg's difference from the clearing amount and whether it is within tolerance.
with cycles as (
    select * from int_dco_cycles where status = 'DUE'
),

legs as (
    select * from int_dco_legs
),

bank_accounts as (
    select * from stg_reference__bank_accounts
),

rule_pass as (
    select * from stg_rules__passes where recon = 'DCO_SETTLEMENT' and pass_order = 1
),

grain as (
    select settlement_bank_account_id as bank_account_id, currency, reference from cycles
    union
    select bank_account_id, currency, reference from legs
),

joined as (
    select
        grain.*,
        coalesce(cycles.dco, 'CME') as dco,
        coalesce(cycles.seg_class, bank_accounts.seg_class) as seg_class,
        cycles.amount as clearing_amount,
        bank.amount as bank_amount,
        ledger.amount as ledger_amount,
        coalesce(cycles.clearing_records, cast([] as varchar[])) as clearing_records,
        coalesce(bank.records, cast([] as varchar[])) as bank_records,
        coalesce(ledger.records, cast([] as varchar[])) as ledger_records,
        -- clearing, bank and ledger files are in different folders and each list is already sorted and distinct
        list_concat(
            coalesce(cycles.source_files, cast([] as varchar[])),
            coalesce(bank.source_files, cast([] as varchar[])),
            coalesce(ledger.source_files, cast([] as varchar[]))
        ) as source_files
    from grain
    left join cycles
        on cycles.settlement_bank_account_id = grain.bank_account_id
        and cycles.currency = grain.currency
        and cycles.reference = grain.reference
    left join legs as bank
        on bank.side = 'BANK'
        and bank.bank_account_id = grain.bank_account_id
        and bank.currency = grain.currency
        and bank.reference = grain.reference
    left join legs as ledger
        on ledger.side = 'LEDGER'
        and ledger.bank_account_id = grain.bank_account_id
        and ledger.currency = grain.currency
        and ledger.reference = grain.reference
    left join bank_accounts on bank_accounts.bank_account_id = grain.bank_account_id
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
