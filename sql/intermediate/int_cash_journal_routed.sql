-- Every cash journal entry routed to exactly one place: DCO_SETTLEMENT, CASH, or quarantine: a bank account the
-- reference data does not know (UNKNOWN_BANK_ACCOUNT), or a customer account that is not in reference/accounts.csv on
-- the business date (UNKNOWN_ACCOUNT; a blank account_id is a firm-level entry, not an unknown account).
with entries as (
    select * from stg_ledger__cash_journal_entries
),

bank_accounts as (
    select * from stg_reference__bank_accounts
),

accounts as (
    select * from stg_reference__accounts
),

joined as (
    select
        entries.*,
        bank_accounts.purpose,
        coalesce(entries.account_id, '') = '' or accounts.account_id is not null as account_known
    from entries
    left join bank_accounts on bank_accounts.bank_account_id = entries.bank_account_id
    left join accounts on accounts.account_id = entries.account_id
)

select
    joined.*,
    case
        when purpose is null then 'UNKNOWN_BANK_ACCOUNT'
        when not account_known then 'UNKNOWN_ACCOUNT'
        else ''
    end as route_reason,
    case
        when purpose is null or not account_known then 'QUARANTINE'
        when entry_type = 'DCO_SETTLEMENT' then 'DCO_SETTLEMENT'
        else 'CASH'
    end as route
from joined
