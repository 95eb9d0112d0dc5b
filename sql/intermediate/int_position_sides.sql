-- POSITION sides at the grain DCO, position account, instrument: the clearing side is the business date's
-- end-of-day PosRpt (FIN long/short, SetPx) of the reports routed to DCO_SETTLEMENT; the ledger side is
-- positions.csv summed through accounts.clearing_account (many customer accounts may share one position account); a
-- row of an account the reference data does not know is quarantined (int_ledger_positions_routed), not a side.
-- Instrument keys are compared as written after trimming and upper-casing (contract month YYYYMM and YYYYMMDD are
-- different months unless a product says otherwise; no product does yet), put/call P/C or '', strike a decimal.
with reports as (
    select * from int_position_reports_classified
),

ledger_positions as (
    select * from int_ledger_positions_routed where route = 'POSITION'
),

accounts as (
    select * from stg_reference__accounts
),

clearing_accounts as (
    select * from stg_reference__clearing_accounts
),

clearing as (
    select
        dco,
        position_account,
        seg_class,
        exchange,
        product_code,
        security_type as instrument_type,
        contract_month,
        upper(trim(put_call)) as put_call,
        strike,
        currency,
        sum(fin_long) as long_quantity,
        sum(fin_short) as short_quantity,
        -- one EOD report per grain is expected; with several, min and max both face the ledger's price
        min(settlement_price) as settlement_price_min,
        max(settlement_price) as settlement_price_max,
        list_sort(list(record_id)) as records,
        list(distinct source_file order by source_file nulls first) as source_files
    from reports
    where route = 'DCO_SETTLEMENT' and settl_session = 'EOD' and biz_date = business_date
    group by all
),

ledger_mapped as (
    select
        ledger_positions.*,
        accounts.clearing_account as position_account,
        coalesce(clearing_accounts.dco, 'CME') as dco,
        coalesce(clearing_accounts.seg_class, accounts.seg_class) as seg_class
    from ledger_positions
    left join accounts on accounts.account_id = ledger_positions.account_id
    left join clearing_accounts
        on clearing_accounts.position_account = accounts.clearing_account
        and clearing_accounts.currency = ledger_positions.currency
),

ledger as (
    select
        dco,
        position_account,
        seg_class,
        exchange,
        product_code,
        instrument_type,
        contract_month,
        put_call,
        strike,
        currency,
        sum(long_quantity) as long_quantity,
        sum(short_quantity) as short_quantity,
        min(settlement_price) as settlement_price_min,
        max(settlement_price) as settlement_price_max,
        list_sort(list(record_id)) as records,
        list(distinct source_file order by source_file nulls first) as source_files
    from ledger_mapped
    group by all
)

select
    coalesce(clearing.dco, ledger.dco) as dco,
    coalesce(clearing.position_account, ledger.position_account) as position_account,
    coalesce(clearing.seg_class, ledger.seg_class) as seg_class,
    coalesce(clearing.exchange, ledger.exchange) as exchange,
    coalesce(clearing.product_code, ledger.product_code) as product_code,
    coalesce(clearing.instrument_type, ledger.instrument_type) as instrument_type,
    coalesce(clearing.contract_month, ledger.contract_month) as contract_month,
    coalesce(clearing.put_call, ledger.put_call) as put_call,
    coalesce(clearing.strike, ledger.strike) as strike,
    coalesce(clearing.currency, ledger.currency) as currency,
    concat_ws(
        '|',
        coalesce(clearing.exchange, ledger.exchange),
        coalesce(clearing.product_code, ledger.product_code),
        coalesce(clearing.instrument_type, ledger.instrument_type),
        coalesce(clearing.contract_month, ledger.contract_month),
        coalesce(clearing.put_call, ledger.put_call),
        -- the strike as a plain decimal (4900, 4900.5): trailing zeros of the scale dropped
        coalesce(rtrim(rtrim(cast(coalesce(clearing.strike, ledger.strike) as varchar), '0'), '.'), '')
    ) as instrument_key,
    clearing.records is not null as has_clearing,
    ledger.records is not null as has_ledger,
    clearing.long_quantity as clearing_long,
    clearing.short_quantity as clearing_short,
    clearing.settlement_price_min as clearing_price_min,
    clearing.settlement_price_max as clearing_price_max,
    ledger.long_quantity as ledger_long,
    ledger.short_quantity as ledger_short,
    ledger.settlement_price_min as ledger_price_min,
    ledger.settlement_price_max as ledger_price_max,
    coalesce(clearing.records, cast([] as varchar[])) as clearing_records,
    coalesce(ledger.records, cast([] as varchar[])) as ledger_records,
    -- clearing and ledger files are in different folders and each list is already sorted and distinct
    list_concat(
        coalesce(clearing.source_files, cast([] as varchar[])), coalesce(ledger.source_files, cast([] as varchar[]))
    ) as source_files
from clearing
full outer join ledger
    -- the keys of POSITION-EXACT (recon/rules/position.yaml), compiled in by recon.sqlmodels
    on {{ keys('POSITION-EXACT', 'clearing', 'ledger') }}
