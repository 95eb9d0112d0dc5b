-- What each ledger balance row of a customer account contributes to the requirement side, one row per balance row,
-- in its own currency and in USD: lines 1A cash, 1B securities, 2 open trade equity, 3A long options and 3B short
-- options (negative), and the memo figures the per-account computations use: NLE (1A+1B+2+3A+3B), IM (initial margin
-- requirement) and OFFSET_SEC (securities eligible to offset a deficit, Reg 1.32(b)). Balances of accounts not in a
-- customer class (HOUSE, or unknown to accounts.csv) contribute nothing. The drill-down (seg_line_sources) lists
-- the figures one row each; the per-account figures sum them.
--
-- USD: each figure x usd_per_unit at scale 9, rounded once, half-even; NULL where the currency has no rate. A USD row
-- needs no conversion: its rate is exactly 1 and its figures already have scale 9, so its USD figures are its figures.
-- Other rows follow the method of int_seg_contributions_usd: the exact product, cast to scale 9 rounding half away
-- from zero, a tie stepped back to the even neighbour. No binary floating point anywhere: money stays decimal.
with balances as (
    select * from stg_ledger__balances
),

accounts as (
    select * from int_seg_accounts
),

rates as (
    select * from int_seg_rates
),

customer_balances as (
    select
        accounts.seg_class,
        accounts.unit_id,
        balances.account_id as subject,
        balances.currency,
        balances.source_file,
        balances.record_id,
        balances.cash_balance as line_1a,
        balances.securities_value as line_1b,
        balances.open_trade_equity as line_2,
        balances.long_option_value as line_3a,
        -balances.short_option_value as line_3b,
        balances.cash_balance + balances.securities_value + balances.open_trade_equity
            + balances.long_option_value - balances.short_option_value as nle,
        balances.initial_margin_requirement as im,
        balances.offset_securities_value as offset_sec,
        rates.usd_per_unit
    from balances
    inner join accounts on accounts.account_id = balances.account_id
    left join rates on rates.currency = balances.currency
),

-- exact products of the rows to convert (NULL for USD rows)
products as (
    select
        *,
        case when currency <> 'USD' then line_1a * usd_per_unit end as line_1a_exact,
        case when currency <> 'USD' then line_1b * usd_per_unit end as line_1b_exact,
        case when currency <> 'USD' then line_2 * usd_per_unit end as line_2_exact,
        case when currency <> 'USD' then line_3a * usd_per_unit end as line_3a_exact,
        case when currency <> 'USD' then line_3b * usd_per_unit end as line_3b_exact,
        case when currency <> 'USD' then nle * usd_per_unit end as nle_exact,
        case when currency <> 'USD' then im * usd_per_unit end as im_exact,
        case when currency <> 'USD' then offset_sec * usd_per_unit end as offset_sec_exact
    from customer_balances
),

-- each product cast to scale 9, half away from zero
rounded_away as (
    select
        *,
        cast(line_1a_exact as decimal(38, 9)) as line_1a_away,
        cast(line_1b_exact as decimal(38, 9)) as line_1b_away,
        cast(line_2_exact as decimal(38, 9)) as line_2_away,
        cast(line_3a_exact as decimal(38, 9)) as line_3a_away,
        cast(line_3b_exact as decimal(38, 9)) as line_3b_away,
        cast(nle_exact as decimal(38, 9)) as nle_away,
        cast(im_exact as decimal(38, 9)) as im_away,
        cast(offset_sec_exact as decimal(38, 9)) as offset_sec_away
    from products
)

select
    seg_class,
    unit_id,
    subject,
    currency,
    source_file,
    record_id,
    line_1a,
    line_1b,
    line_2,
    line_3a,
    line_3b,
    nle,
    im,
    offset_sec,
    case
        when currency = 'USD' then line_1a
        when abs(line_1a_exact - line_1a_away) = 0.0000000005
            and mod(cast(line_1a_away * 1000000000 as decimal(38, 0)), 2) <> 0
            then cast(line_1a_away - sign(line_1a_exact) * 0.000000001 as decimal(38, 9))
        else line_1a_away
    end as line_1a_usd,
    case
        when currency = 'USD' then line_1b
        when abs(line_1b_exact - line_1b_away) = 0.0000000005
            and mod(cast(line_1b_away * 1000000000 as decimal(38, 0)), 2) <> 0
            then cast(line_1b_away - sign(line_1b_exact) * 0.000000001 as decimal(38, 9))
        else line_1b_away
    end as line_1b_usd,
    case
        when currency = 'USD' then line_2
        when abs(line_2_exact - line_2_away) = 0.0000000005
            and mod(cast(line_2_away * 1000000000 as decimal(38, 0)), 2) <> 0
            then cast(line_2_away - sign(line_2_exact) * 0.000000001 as decimal(38, 9))
        else line_2_away
    end as line_2_usd,
    case
        when currency = 'USD' then line_3a
        when abs(line_3a_exact - line_3a_away) = 0.0000000005
            and mod(cast(line_3a_away * 1000000000 as decimal(38, 0)), 2) <> 0
            then cast(line_3a_away - sign(line_3a_exact) * 0.000000001 as decimal(38, 9))
        else line_3a_away
    end as line_3a_usd,
    case
        when currency = 'USD' then line_3b
        when abs(line_3b_exact - line_3b_away) = 0.0000000005
            and mod(cast(line_3b_away * 1000000000 as decimal(38, 0)), 2) <> 0
            then cast(line_3b_away - sign(line_3b_exact) * 0.000000001 as decimal(38, 9))
        else line_3b_away
    end as line_3b_usd,
    case
        when currency = 'USD' then nle
        when abs(nle_exact - nle_away) = 0.0000000005
            and mod(cast(nle_away * 1000000000 as decimal(38, 0)), 2) <> 0
            then cast(nle_away - sign(nle_exact) * 0.000000001 as decimal(38, 9))
        else nle_away
    end as nle_usd,
    case
        when currency = 'USD' then im
        when abs(im_exact - im_away) = 0.0000000005
            and mod(cast(im_away * 1000000000 as decimal(38, 0)), 2) <> 0
            then cast(im_away - sign(im_exact) * 0.000000001 as decimal(38, 9))
        else im_away
    end as im_usd,
    case
        when currency = 'USD' then offset_sec
        when abs(offset_sec_exact - offset_sec_away) = 0.0000000005
            and mod(cast(offset_sec_away * 1000000000 as decimal(38, 0)), 2) <> 0
            then cast(offset_sec_away - sign(offset_sec_exact) * 0.000000001 as decimal(38, 9))
        else offset_sec_away
    end as offset_sec_usd
from rounded_away
