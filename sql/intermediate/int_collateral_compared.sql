-- COLLATERAL: the DCO's collateral file against the books, at the grain DCO, seg_class, asset (cash: currency;
-- security: CUSIP and holding type, in its currency). market_value compared within the rule's tolerance
-- (difference = clearing - ledger within -below .. +above, zero in the rule); a grain on one side only is missing
-- its other side.
with clearing as (
    select * from stg_clearing__collateral
),

ledger as (
    select * from stg_ledger__collateral_books
),

rule_pass as (
    select * from stg_rules__passes where rule_id = 'COLLATERAL-EXACT'
),

clearing_grain as (
    select
        dco, seg_class, asset_type, coalesce(holding_type, '') as holding_type, coalesce(cusip, '') as cusip,
        currency, sum(market_value) as market_value, list_sort(list(record_id)) as records,
        list(distinct source_file order by source_file nulls first) as source_files
    from clearing
    group by all
),

ledger_grain as (
    select
        dco, seg_class, asset_type, coalesce(holding_type, '') as holding_type, coalesce(cusip, '') as cusip,
        currency, sum(market_value) as market_value, list_sort(list(record_id)) as records,
        list(distinct source_file order by source_file nulls first) as source_files
    from ledger
    group by all
),

joined as (
    select
        coalesce(clearing_grain.dco, ledger_grain.dco) as dco,
        coalesce(clearing_grain.seg_class, ledger_grain.seg_class) as seg_class,
        coalesce(clearing_grain.asset_type, ledger_grain.asset_type) as asset_type,
        coalesce(clearing_grain.holding_type, ledger_grain.holding_type) as holding_type,
        coalesce(clearing_grain.cusip, ledger_grain.cusip) as cusip,
        coalesce(clearing_grain.currency, ledger_grain.currency) as currency,
        clearing_grain.market_value as clearing_amount,
        ledger_grain.market_value as ledger_amount,
        coalesce(clearing_grain.market_value, 0) - coalesce(ledger_grain.market_value, 0) as difference,
        coalesce(clearing_grain.records, cast([] as varchar[])) as clearing_records,
        coalesce(ledger_grain.records, cast([] as varchar[])) as ledger_records,
        -- clearing and ledger files are in different folders and each list is already sorted and distinct
        list_concat(
            coalesce(clearing_grain.source_files, cast([] as varchar[])),
            coalesce(ledger_grain.source_files, cast([] as varchar[]))
        ) as source_files
    from clearing_grain
    full outer join ledger_grain
        -- the keys of COLLATERAL-EXACT (recon/rules/collateral.yaml), compiled in by recon.sqlmodels
        on {{ keys('COLLATERAL-EXACT', 'clearing_grain', 'ledger_grain') }}
)

select
    joined.*,
    rule_pass.rule_id,
    rule_pass.rule_version,
    case
        when asset_type = 'CASH' then concat_ws('|', dco, seg_class, asset_type, currency)
        else concat_ws('|', dco, seg_class, asset_type, cusip, holding_type)
    end as reference,
    case
        when clearing_amount is null then 'MISSING_CLEARING'
        when ledger_amount is null then 'MISSING_LEDGER'
        -- the larger of the absolute tolerance and the percentage of the clearing value
        when difference < -greatest(
            rule_pass.amount_tolerance_below,
            cast(rule_pass.percentage_tolerance_below * abs(clearing_amount) as decimal(38, 9))
        )
        or difference > greatest(
            rule_pass.amount_tolerance_above,
            cast(rule_pass.percentage_tolerance_above * abs(clearing_amount) as decimal(38, 9))
        )
            then 'AMOUNT_MISMATCH'
        else 'MATCH'
    end as outcome
from joined
cross join rule_pass
