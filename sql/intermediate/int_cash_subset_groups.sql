-- CASH pass 3 (CASH-SUBSET), the outcome: one row per clean fit (outcome MATCH) and per block with contested fits
-- (outcome AMBIGUOUS), naming every record it took; a fit always has both sides. difference = bank - ledger over
-- exactly those records, so each record's amount counts once in the day's CASH matches and breaks and the proof of
-- cash still adds up. The reference is the single item's; for an AMBIGUOUS block, the first single item's in
-- candidate order (bank side first). account is the ledger items' customer account when they share one.
with taken as (
    select * from int_cash_subset_fits
),

singles as (
    select
        taken.*,
        row_number() over (
            partition by group_key order by side, amount, item_date, reference, record_id
        ) as single_position
    from taken
    where is_single
),

named as (
    select group_key, reference from singles where single_position = 1
),

bank_lists as (
    select group_key, list_sort(list(record_id)) as records from taken where side = 'BANK' group by group_key
),

ledger_lists as (
    select group_key, list_sort(list(record_id)) as records from taken where side = 'LEDGER' group by group_key
),

file_lists as (
    select group_key, list(distinct source_file order by source_file nulls first) as source_files
    from taken
    group by group_key
),

totals as (
    select
        group_key,
        min(outcome) as outcome,
        min(rule_id) as rule_id,
        min(rule_version) as rule_version,
        coalesce(
            min(case when side = 'LEDGER' then seg_class end), min(case when side = 'BANK' then seg_class end)
        ) as seg_class,
        min(bank_account_id) as bank_account_id,
        case when min(account_id) = max(account_id) then min(account_id) end as account_id,
        min(currency) as currency,
        sum(case when side = 'BANK' then amount end) as bank_amount,
        sum(case when side = 'LEDGER' then amount end) as ledger_amount
    from taken
    group by group_key
)

select
    totals.outcome,
    totals.rule_id,
    totals.rule_version,
    totals.group_key,
    totals.seg_class,
    totals.bank_account_id,
    totals.account_id,
    totals.currency,
    named.reference,
    totals.bank_amount,
    totals.ledger_amount,
    totals.bank_amount - totals.ledger_amount as difference,
    bank_lists.records as bank_records,
    ledger_lists.records as ledger_records,
    file_lists.source_files
from totals
inner join named on named.group_key = totals.group_key
inner join bank_lists on bank_lists.group_key = totals.group_key
inner join ledger_lists on ledger_lists.group_key = totals.group_key
inner join file_lists on file_lists.group_key = totals.group_key
