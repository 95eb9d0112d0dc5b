-- Today's items that resolved breaks carried from earlier business days: one match per carry key, under the
-- recon's carries_forward rule. The sides are today's records; difference is the net with the carried breaks.
with resolved as (
    select * from int_item_carry where is_resolved
),

today as (
    select * from resolved where origin = 'TODAY'
),

clearing_lists as (
    select today.carry_key, list_sort(list(element.record_id)) as records
    from today
    cross join unnest(today.clearing_records) as element(record_id)
    group by today.carry_key
),

bank_lists as (
    select today.carry_key, list_sort(list(element.record_id)) as records
    from today
    cross join unnest(today.bank_records) as element(record_id)
    group by today.carry_key
),

ledger_lists as (
    select today.carry_key, list_sort(list(element.record_id)) as records
    from today
    cross join unnest(today.ledger_records) as element(record_id)
    group by today.carry_key
),

keys as (
    select
        carry_key,
        min(recon) as recon,
        min(rule_id) as rule_id,
        min(rule_version) as rule_version,
        min(seg_class) as seg_class,
        min(bank_account_id) as bank_account_id,
        min(account) as account,
        min(currency) as currency,
        min(reference) as reference,
        sum(case when origin = 'TODAY' then clearing_amount end) as clearing_amount,
        sum(case when origin = 'TODAY' then bank_amount end) as bank_amount,
        sum(case when origin = 'TODAY' then ledger_amount end) as ledger_amount,
        sum(difference) as difference
    from resolved
    group by carry_key
),

listed as (
    select
        keys.*,
        coalesce(clearing_lists.records, cast([] as varchar[])) as clearing_records,
        coalesce(bank_lists.records, cast([] as varchar[])) as bank_records,
        coalesce(ledger_lists.records, cast([] as varchar[])) as ledger_records
    from keys
    left join clearing_lists on clearing_lists.carry_key = keys.carry_key
    left join bank_lists on bank_lists.carry_key = keys.carry_key
    left join ledger_lists on ledger_lists.carry_key = keys.carry_key
)

select
    substr(md5(concat(
        'CARRIED|', carry_key, '|', array_to_string(list_concat(clearing_records, bank_records, ledger_records), ',')
    )), 1, 16) as match_id,
    recon,
    rule_id,
    rule_version,
    'AUTO' as match_kind,
    seg_class,
    bank_account_id,
    account,
    currency,
    reference,
    clearing_amount,
    bank_amount,
    ledger_amount,
    difference,
    clearing_records,
    bank_records,
    ledger_records
from listed
