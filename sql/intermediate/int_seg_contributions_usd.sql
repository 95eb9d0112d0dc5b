-- Every contribution of a source row other than a ledger balance (int_seg_balances_usd has those) to a customer
-- statement: line 0 of the secured statement (foreign requirements), the funds lines, and funds rows excluded with
-- the reason; converted to USD at the day's closing rate: amount_usd = amount x usd_per_unit, at scale 9,
-- rounded once, half-even, as recon.money.round_scale does. amount_usd is NULL where the currency has no rate.
--
-- Rounding method (DuckDB): DECIMAL(38, 9) x DECIMAL(38, 9) is an exact DECIMAL(38, 18) (so |amount x rate| must stay
-- below 10^20). A cast to DECIMAL(38, 9) rounds half away from zero; when the part cut off is exactly half a unit of
-- the 9th place and the cast's last digit is odd, the cast went the wrong way for half-even and is stepped back by
-- one unit towards zero. (BigQuery differs: NUMERIC x NUMERIC is already rounded to scale 9, so a port multiplies
-- as BIGNUMERIC and applies ROUND(x, 9, 'ROUND_HALF_EVEN'); the same holds wherever this method is used.)
with foreign_requirements as (
    select * from stg_ledger__foreign_requirements
),

funds as (
    select * from int_seg_funds_contributions
),

rates as (
    select * from int_seg_rates
),

foreign_required as (
    select
        'SECURED' as seg_class,
        'LINE' as kind,
        '0' as figure,
        currency,
        'src_ledger__foreign_requirements' as source_table,
        source_file,
        record_id,
        jurisdiction as subject,
        amount
    from foreign_requirements
),

contributions as (
    select * from foreign_required
    union all
    select * from funds
),

exact as (
    select
        contributions.*,
        rates.usd_per_unit,
        contributions.amount * rates.usd_per_unit as exact_usd,
        cast(contributions.amount * rates.usd_per_unit as decimal(38, 9)) as away_usd
    from contributions
    left join rates on rates.currency = contributions.currency
)

select
    seg_class,
    kind,
    figure,
    currency,
    source_table,
    source_file,
    record_id,
    subject,
    amount,
    usd_per_unit,
    case
        when abs(exact_usd - away_usd) = 0.0000000005
            and mod(cast(away_usd * 1000000000 as decimal(38, 0)), 2) <> 0
            then cast(away_usd - sign(exact_usd) * 0.000000001 as decimal(38, 9))
        else away_usd
    end as amount_usd
from exact
