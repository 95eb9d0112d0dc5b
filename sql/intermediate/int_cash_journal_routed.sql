-- Every cash journal entry routed to exactly one place: DCO_SETTLEMENT, CASH, or quarantine (unknown bank account).
with entries as (
    select * from stg_ledger__cash_journal_entries
),

bank_accounts as (
    select * from stg_reference__bank_accounts
),

joined as (
    select
        entries.*,
        bank_accounts.purpose
    from entries
    left join bank_accounts on bank_accounts.bank_account_id = entries.bank_account_id
)

select
    joined.*,
    case when purpose is null then 'UNKNOWN_BANK_ACCOUNT' else '' end as route_reason,
    case
        when purpose is null then 'QUARANTINE'
        when entry_type = 'DCO_SETTLEMENT' then 'DCO_SETTLEMENT'
        else 'CASH'
    end as route
from joined
