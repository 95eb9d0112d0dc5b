-- Position reports mapped through clearing_accounts to their class and settlement account, and routed: the cycles
-- the day reconciles (today's intraday, yesterday's and today's end of day; after a Fedwire holiday CME cleared, the
-- holiday's intraday cycle, paid today, and the end of day before it), out of scope, or quarantined.
with reports as (
    select * from stg_clearing__position_reports
),

clearing_accounts as (
    select * from stg_reference__clearing_accounts
),

run_parameters as (
    select * from stg_run__parameters
),

days as (
    select * from stg_calendar__business_days
),

joined as (
    select
        reports.*,
        clearing_accounts.seg_class,
        clearing_accounts.settlement_bank_account_id,
        clearing_accounts.origin_code as expected_origin_code,
        run_parameters.business_date,
        days.settlement_day
    from reports
    cross join run_parameters
    left join days on days.day = reports.biz_date
    left join clearing_accounts
        on clearing_accounts.dco = reports.dco
        and clearing_accounts.position_account = reports.position_account
        and clearing_accounts.currency = reports.currency
),

reasons as (
    select
        joined.*,
        case
            when seg_class is null then 'UNMAPPED_POSITION_ACCOUNT'
            when origin_code <> '' and origin_code <> expected_origin_code then 'ORIGIN_MISMATCH'
            when settl_session = 'EOD' then ''
            when settl_session = 'ITD' and biz_date = business_date then ''
            -- an earlier day's intraday cycle paid today: its date was a Fedwire holiday
            when settl_session = 'ITD' and biz_date < business_date and settlement_day = business_date then ''
            when settl_session = 'ITD' then 'PREVIOUS_DAY_INTRADAY'
            else 'NO_SETTLEMENT_SESSION'
        end as route_reason
    from joined
)

select
    reasons.*,
    case
        when route_reason in ('UNMAPPED_POSITION_ACCOUNT', 'ORIGIN_MISMATCH') then 'QUARANTINE'
        when route_reason <> '' then 'OUT_OF_SCOPE'
        else 'DCO_SETTLEMENT'
    end as route
from reasons
