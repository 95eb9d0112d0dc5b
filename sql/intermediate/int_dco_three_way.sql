-- DCO_SETTLEMENT three-way: each due cycle against its bank and ledger legs by settlement account, currency and
-- reference, with whether each leg's difference from the clearing amount is within tolerance, and each pending cycle
-- (today's end of day, paid on the next settlement day; on a Fedwire holiday also the day's intraday cycle and the
-- previous end of day, see int_dco_cycles) on a row of its own. A side of one record carries it as record
-- (records null), a side of several their sorted list as records (record null), and an absent side nulls in both.
with cycles as (
    select
        dco,
        settlement_bank_account_id,
        seg_class,
        currency,
        reference,
        amount,
        payment_date,
        status = 'PENDING' as pending,
        case when len(clearing_records) = 1 then clearing_records[1] end as record_id,
        case when len(clearing_records) > 1 then clearing_records end as records,
        case when len(source_files) = 1 then source_files[1] end as source_file,
        case when len(source_files) > 1 then source_files end as source_files
    from int_dco_cycles
),

-- each side's legs: the view inlined twice, each with its side's filter pushed down into it (one CTE read twice
-- would be materialised). A leg is never pending: pending is a join key, so that a pending cycle joins no leg with
-- an equality the hash join keys on (a condition on the cycle alone, status = 'DUE', made the joins 3x slower).
bank as (
    select *, false as pending from int_dco_legs where side = 'BANK'
),

ledger as (
    select *, false as pending from int_dco_legs where side = 'LEDGER'
),

rule_pass as (
    select * from stg_rules__passes where rule_id = 'DCO-CYCLE'
),

-- the grain is every settlement account, currency and reference any leg has: two full outer joins on it (each
-- leg has one row per grain, so a cycle's row is never repeated); a pending cycle joins no leg
joined as (
    select
        coalesce(cycles.settlement_bank_account_id, bank.bank_account_id, ledger.bank_account_id)
            as bank_account_id,
        coalesce(cycles.currency, bank.currency, ledger.currency) as currency,
        coalesce(cycles.reference, bank.reference, ledger.reference) as reference,
        coalesce(cycles.pending, false) as pending,
        cycles.dco,
        cycles.seg_class as clearing_seg_class,
        cycles.payment_date,
        cycles.amount as clearing_amount,
        bank.amount as bank_amount,
        ledger.amount as ledger_amount,
        cycles.record_id as clearing_record,
        cycles.records as clearing_records,
        bank.record_id as bank_record,
        bank.records as bank_records,
        ledger.record_id as ledger_record,
        ledger.records as ledger_records,
        cycles.source_file as clearing_file,
        cycles.source_files as clearing_files,
        bank.source_file as bank_file,
        bank.source_files as bank_files,
        ledger.source_file as ledger_file,
        ledger.source_files as ledger_files
    from cycles
    full outer join bank
        on bank.bank_account_id = cycles.settlement_bank_account_id
        and bank.currency = cycles.currency
        and bank.reference = cycles.reference
        and bank.pending = cycles.pending
    full outer join ledger
        on ledger.bank_account_id = coalesce(cycles.settlement_bank_account_id, bank.bank_account_id)
        and ledger.currency = coalesce(cycles.currency, bank.currency)
        and ledger.reference = coalesce(cycles.reference, bank.reference)
        and ledger.pending = coalesce(cycles.pending, bank.pending)
),

-- each leg's tolerance: the larger of the absolute one and the percentage of the clearing amount (rounded once to
-- the money scale, half away from zero as both engines round a NUMERIC product)
bounds as (
    select
        rule_pass.rule_id,
        rule_pass.rule_version,
        joined.*,
        greatest(
            rule_pass.amount_tolerance_below,
            cast(rule_pass.percentage_tolerance_below * coalesce(abs(joined.clearing_amount), 0) as decimal(38, 9))
        ) as tolerance_below,
        greatest(
            rule_pass.amount_tolerance_above,
            cast(rule_pass.percentage_tolerance_above * coalesce(abs(joined.clearing_amount), 0) as decimal(38, 9))
        ) as tolerance_above
    from joined
    cross join rule_pass
),

tolerated as (
    select
        bounds.* exclude (tolerance_below, tolerance_above),
        bounds.bank_amount - bounds.clearing_amount between -bounds.tolerance_below and bounds.tolerance_above
            as bank_within,
        bounds.ledger_amount - bounds.clearing_amount between -bounds.tolerance_below and bounds.tolerance_above
            as ledger_within
    from bounds
),

compared as (
    select *, coalesce(bank_within and ledger_within, false) as matched from tolerated
)

-- what only the breaks read (the cycle's DCO and payment date, each leg's tolerance, the files) is kept where the
-- grain does not match: on a match it is null, so the millions of matched rows stay narrow. The files are one list,
-- the clearing, bank and ledger files in that order (in different folders, each side's already sorted and distinct),
-- an absent side adding none.
select
    rule_id,
    rule_version,
    bank_account_id,
    currency,
    reference,
    clearing_seg_class,
    clearing_amount,
    bank_amount,
    ledger_amount,
    clearing_record,
    clearing_records,
    bank_record,
    bank_records,
    ledger_record,
    ledger_records,
    matched,
    pending,
    case when not matched then dco end as dco,
    case when not matched then payment_date end as payment_date,
    case when not matched then bank_within end as bank_within,
    case when not matched then ledger_within end as ledger_within,
    case
        when not matched then list_concat(
            case
                when clearing_file is not null then [clearing_file]
                else coalesce(clearing_files, cast([] as varchar[]))
            end,
            case
                when bank_file is not null then [bank_file]
                else coalesce(bank_files, cast([] as varchar[]))
            end,
            case
                when ledger_file is not null then [ledger_file]
                else coalesce(ledger_files, cast([] as varchar[]))
            end
        )
    end as source_files
from compared
