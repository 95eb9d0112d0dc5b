-- The bank and ledger entries routed to DCO_SETTLEMENT, one row per record with its side and the reference it
-- settles.
with bank as (
    select * from int_bank_entries_routed where route = 'DCO_SETTLEMENT'
),

ledger as (
    select * from int_cash_journal_routed where route = 'DCO_SETTLEMENT'
)

select 'BANK' as side, bank_account_id, currency, match_reference as reference, amount, record_id, source_file
from bank
union all
select 'LEDGER' as side, bank_account_id, currency, match_reference as reference, amount, record_id, source_file
from ledger
