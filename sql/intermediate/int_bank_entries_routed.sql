-- Every bank entry routed to exactly one place: a recon, out of scope (with the reason), or quarantine.
with entries as (
    select * from stg_bank__entries
),

bank_accounts as (
    select * from stg_reference__bank_accounts
),

run_parameters as (
    select * from stg_run__parameters
),

joined as (
    select
        entries.*,
        bank_accounts.purpose,
        bank_accounts.seg_class,
        bank_accounts.statement_format
    from entries
    left join bank_accounts on bank_accounts.bank_account_id = entries.bank_account_id
),

dated as (
    select
        joined.*,
        run_parameters.business_date
    from joined
    cross join run_parameters
),

reasons as (
    select
        dated.*,
        case
            when purpose is null then 'UNKNOWN_BANK_ACCOUNT'
            when report_kind = 'SUPERSEDED' then 'SUPERSEDED_BY_CORRECTION'
            when report_kind <> 'FINAL' then 'INTRADAY_VIEW'
            -- a multi-day file: each as-of date is reconciled on its own business date
            when as_of_date <> business_date then 'OTHER_AS_OF_DATE'
            when status <> 'BOOK' then 'NOT_BOOKED'
            -- one declared statement format per account, so the same entries never arrive twice as records
            when fmt <> statement_format then 'UNDECLARED_FORMAT'
            else ''
        end as route_reason
    from dated
)

select
    reasons.*,
    case
        when route_reason = 'UNKNOWN_BANK_ACCOUNT' then 'QUARANTINE'
        when route_reason <> '' then 'OUT_OF_SCOPE'
        when purpose = 'SETTLEMENT' then 'DCO_SETTLEMENT'
        else 'CASH'
    end as route
from reasons
