-- CASH recon candidates from both sides in one shape, with each item's business-day index for date windows.
with bank as (
    select * from int_bank_entries_routed where route = 'CASH'
),

ledger as (
    select * from int_cash_journal_routed where route = 'CASH'
),

days as (
    select * from stg_calendar__business_days
),

candidates as (
    select
        'BANK' as side,
        record_id,
        source_file,
        bank_account_id,
        seg_class,
        cast(null as varchar) as account_id,
        currency,
        entry_date as item_date,
        match_reference as reference,
        amount
    from bank
    union all
    select
        'LEDGER' as side,
        record_id,
        source_file,
        bank_account_id,
        seg_class,
        account_id,
        currency,
        value_date as item_date,
        match_reference as reference,
        amount
    from ledger
)

select
    candidates.*,
    days.day_index as item_day_index
from candidates
left join days on days.day = candidates.item_date
