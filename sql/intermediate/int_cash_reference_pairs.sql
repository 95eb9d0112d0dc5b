-- CASH pass 2: items left by pass 1 paired on the rule's keys (account, currency and reference in
-- recon/rules/cash.yaml, compiled in by recon.sqlmodels), in amount, date, record-id order,
-- then classified: within the amount tolerance and date window a match, within tolerance only a date mismatch,
-- otherwise an amount mismatch. A block (the items of one key) where an item fits two or more items of the other
-- side (within the tolerance and window) is AMBIGUOUS: which pairing is right is a guess, so none of its pairs is
-- matched and int_cash_breaks reports the block as one break for review. block_id is the block's first record id.
-- A date outside the calendar's span has no day index: two different such dates are outside any window.
with candidates as (
    select * from int_cash_candidates
),

taken as (
    select bank_record_id as record_id from int_cash_exact_pairs
    union all
    select ledger_record_id as record_id from int_cash_exact_pairs
),

remaining as (
    select candidates.*
    from candidates
    left join taken on taken.record_id = candidates.record_id
    where taken.record_id is null
),

numbered as (
    select
        remaining.*,
        row_number() over (
            partition by side, {{ key_columns('CASH-REFERENCE') }} order by amount, item_date, record_id
        ) as occurrence,
        min(record_id) over (partition by {{ key_columns('CASH-REFERENCE') }}) as block_id
    from remaining
),

rule_pass as (
    select * from stg_rules__passes where rule_id = 'CASH-REFERENCE'
),

-- every bank and ledger item of a block that would match each other
fits as (
    select
        bank.record_id as bank_record_id,
        ledger.record_id as ledger_record_id
    from numbered as bank
    inner join numbered as ledger
        on bank.side = 'BANK'
        and ledger.side = 'LEDGER'
        and bank.block_id = ledger.block_id
    cross join rule_pass
    where bank.amount - ledger.amount between -rule_pass.amount_tolerance_below and rule_pass.amount_tolerance_above
        and case
            when bank.item_date = ledger.item_date then 0
            else bank.item_day_index - ledger.item_day_index
        end between -rule_pass.date_window_before and rule_pass.date_window_after
),

crowded as (
    select bank_record_id as record_id from fits group by bank_record_id having count(*) > 1
    union all
    select ledger_record_id as record_id from fits group by ledger_record_id having count(*) > 1
),

ambiguous_blocks as (
    select distinct numbered.block_id
    from numbered
    inner join crowded on crowded.record_id = numbered.record_id
),

paired as (
    select
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
        ledger.amount as ledger_amount,
        bank.amount - ledger.amount as difference,
        case
            when bank.item_date = ledger.item_date then 0
            else bank.item_day_index - ledger.item_day_index
        end as day_offset,
        bank.block_id
    from numbered as bank
    inner join numbered as ledger
        on bank.side = 'BANK'
        and ledger.side = 'LEDGER'
        and {{ keys('CASH-REFERENCE', 'bank', 'ledger') }}
        and ledger.occurrence = bank.occurrence
)

select
    rule_pass.rule_id,
    rule_pass.rule_version,
    paired.*,
    case
        when ambiguous_blocks.block_id is not null then 'AMBIGUOUS'
        when paired.difference between -rule_pass.amount_tolerance_below and rule_pass.amount_tolerance_above
            and paired.day_offset between -rule_pass.date_window_before and rule_pass.date_window_after
            then 'MATCH'
        when paired.difference between -rule_pass.amount_tolerance_below and rule_pass.amount_tolerance_above
            then 'DATE_MISMATCH'
        else 'AMOUNT_MISMATCH'
    end as outcome
from paired
cross join rule_pass
left join ambiguous_blocks on ambiguous_blocks.block_id = paired.block_id
