-- One row per input record with its single fate: MATCHED, BREAK, PENDING, QUARANTINED or OUT_OF_SCOPE (recon
-- NONE: valuation inputs the statements use and nothing reconciles yet).
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

matches as (
    select * from int_matches_all
),

breaks as (
    select * from int_breaks_all
),

matched as (
    select unnest(list_concat(clearing_records, bank_records, ledger_records)) as record_id from matches
),

in_breaks as (
    select distinct status, unnest(list_concat(clearing_records, bank_records, ledger_records)) as record_id
    from breaks
),

routed as (
    select source_file, record_id, route, currency, amount from bank
    union all
    select source_file, record_id, route, currency, amount from journal
    union all
    select source_file, record_id, route, currency, amount from position_reports
    union all
    select source_file, record_id, 'BANK_BALANCE' as route, currency, book_balance as amount from book_balances
),

not_reconciled as (
    select source_file, record_id, currency, cash_balance as amount from src_ledger__balances
    union all
    select source_file, record_id, currency, market_value as amount from src_ledger__custody
    union all
    select source_file, record_id, currency, market_value as amount from src_clearing__collateral
    union all
    select source_file, record_id, currency, market_value as amount from src_ledger__collateral_books
    union all
    select source_file, record_id, currency, cast(null as decimal(38, 9)) as amount from src_ledger__positions
    union all
    select source_file, record_id, '' as currency, cast(null as decimal(38, 9)) as amount from src_ledger__trades
    union all
    select source_file, record_id, '' as currency, cast(null as decimal(38, 9)) as amount
    from src_clearing__trade_reports
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
    case when routed.route in ('QUARANTINE', 'OUT_OF_SCOPE') then 'NONE' else routed.route end as recon,
    routed.currency,
    routed.amount,
    case
        when routed.route = 'QUARANTINE' then 'QUARANTINED'
        when routed.route = 'OUT_OF_SCOPE' then 'OUT_OF_SCOPE'
        when matched.record_id is not null then 'MATCHED'
        when in_breaks.status = 'PENDING' then 'PENDING'
        when in_breaks.record_id is not null then 'BREAK'
        else 'UNACCOUNTED'
    end as fate
from routed
left join matched on matched.record_id = routed.record_id
left join in_breaks on in_breaks.record_id = routed.record_id
union all
select source_file, record_id, 'NONE' as recon, currency, amount, 'OUT_OF_SCOPE' as fate from not_reconciled
union all
select source_file, record_id, 'NONE' as recon, currency, amount, 'QUARANTINED' as fate from src_quarantined_rows
