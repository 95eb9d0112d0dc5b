-- One row per input record with its single fate: MATCHED, BREAK, PENDING, QUARANTINED or OUT_OF_SCOPE (recon
-- NONE: valuation inputs the statements use and nothing reconciles yet).
-- A record's fate is read from the matches and breaks of its own recon only. A PosRpt feeds two recons
-- (DCO_SETTLEMENT through its Amt, POSITION through its FIN quantities and SetPx): it keeps its DCO_SETTLEMENT fate
-- and is counted once there; the POSITION matches and breaks that name it do not count it again. Cancelled trades
-- (a CANCEL at clearing, status CANCELLED in the books) and the previous day's trade reports are OUT_OF_SCOPE,
-- counted under TRADE. On a run that reconciles nothing (a SECURED-only run, stg_run__scope) every routed record that
-- is not quarantined is OUT_OF_SCOPE under recon NONE.
with bank as (
    select * from int_bank_entries_routed
),

journal as (
    select * from int_cash_journal_routed
),

position_reports as (
    select * from int_position_report_amounts
),

book_balances as (
    select * from stg_ledger__bank_balances
),

customer_balances as (
    select * from int_ledger_balances_routed
),

ledger_positions as (
    select * from int_ledger_positions_routed
),

ledger_trades as (
    select * from int_ledger_trades_routed
),

trade_reports as (
    select * from stg_clearing__trade_reports
),

clearing_trades as (
    select * from int_trade_reports_collapsed
),

run_parameters as (
    select * from stg_run__parameters
),

run_scope as (
    select * from stg_run__scope
),

matches as (
    select * from int_matches_all
),

breaks as (
    select * from int_breaks_all
),

matched as (
    select recon, unnest(list_concat(clearing_records, bank_records, ledger_records)) as record_id from matches
),

in_breaks as (
    select distinct recon, status, unnest(list_concat(clearing_records, bank_records, ledger_records)) as record_id
    from breaks
),

cancelled_reports as (
    select unnest(records) as record_id from clearing_trades where is_cancelled
),

trade_reports_routed as (
    select
        trade_reports.source_file,
        trade_reports.record_id,
        case
            when trade_reports.biz_date <> run_parameters.business_date then 'OUT_OF_SCOPE'
            when cancelled_reports.record_id is not null then 'OUT_OF_SCOPE'
            else 'TRADE'
        end as route
    from trade_reports
    cross join run_parameters
    left join cancelled_reports on cancelled_reports.record_id = trade_reports.record_id
),

routed as (
    select source_file, record_id, route, route as recon, currency, amount from bank
    union all
    select source_file, record_id, route, route as recon, currency, amount from journal
    union all
    select source_file, record_id, route, route as recon, currency, amount from position_reports
    union all
    select source_file, record_id, 'BANK_BALANCE' as route, 'BANK_BALANCE' as recon, currency, book_balance as amount
    from book_balances
    union all
    select source_file, record_id, route, 'POSITION' as recon, currency, cast(null as decimal(38, 9)) as amount
    from ledger_positions
    union all
    select source_file, record_id, route, 'TRADE' as recon, '' as currency, cast(null as decimal(38, 9)) as amount
    from ledger_trades
    union all
    select source_file, record_id, route, 'TRADE' as recon, '' as currency, cast(null as decimal(38, 9)) as amount
    from trade_reports_routed
    union all
    select source_file, record_id, 'COLLATERAL' as route, 'COLLATERAL' as recon, currency, market_value as amount
    from src_clearing__collateral
    union all
    select source_file, record_id, 'COLLATERAL' as route, 'COLLATERAL' as recon, currency, market_value as amount
    from src_ledger__collateral_books
    union all
    -- balances feed the statements, not a recon: quarantined when their account is unknown, else out of scope
    select source_file, record_id, case when route = 'QUARANTINE' then 'QUARANTINE' else 'OUT_OF_SCOPE' end as route,
        'NONE' as recon, currency, cash_balance as amount
    from customer_balances
),

not_reconciled as (
    select source_file, record_id, currency, market_value as amount from src_ledger__custody
    union all
    select source_file, record_id, currency, net_liquidating_equity as amount from src_ledger__other_fcm_equities
    union all
    select source_file, record_id, currency, cash as amount from src_ledger__foreign_depository_equities
    union all
    select source_file, record_id, currency, amount from src_ledger__foreign_requirements
    union all
    select source_file, record_id, currency, cast(null as decimal(38, 9)) as amount from src_reference__fx_rates
)

select
    routed.source_file,
    routed.record_id,
    -- quarantined and out-of-scope rows of the cash and clearing routes belong to no recon; cancelled and
    -- previous-day trades are counted under TRADE
    case
        when routed.route = 'QUARANTINE' then 'NONE'
        when not run_scope.reconciles then 'NONE'
        when routed.route = 'OUT_OF_SCOPE' and routed.recon <> 'TRADE' then 'NONE'
        else routed.recon
    end as recon,
    routed.currency,
    routed.amount,
    case
        when routed.route = 'QUARANTINE' then 'QUARANTINED'
        when routed.route = 'OUT_OF_SCOPE' or not run_scope.reconciles then 'OUT_OF_SCOPE'
        when matched.record_id is not null then 'MATCHED'
        when in_breaks.status = 'PENDING' then 'PENDING'
        when in_breaks.record_id is not null then 'BREAK'
        else 'UNACCOUNTED'
    end as fate
from routed
cross join run_scope
left join matched on matched.record_id = routed.record_id and matched.recon = routed.recon
left join in_breaks on in_breaks.record_id = routed.record_id and in_breaks.recon = routed.recon
union all
select source_file, record_id, 'NONE' as recon, currency, amount, 'OUT_OF_SCOPE' as fate from not_reconciled
union all
select source_file, record_id, 'NONE' as recon, currency, amount, 'QUARANTINED' as fate from src_quarantined_rows
