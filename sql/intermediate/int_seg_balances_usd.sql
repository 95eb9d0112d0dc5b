-- What each ledger balance row of a customer account contributes to the requirement side, one row per balance row,
-- in its own currency and in USD: lines 1A cash, 1B securities, 2 open trade equity, 3A long options and 3B short
-- options (negative), and the memo figures the per-account computations use: NLE (1A+1B+2+3A+3B), IM (initial margin
-- requirement) and OFFSET_SEC (securities eligible to offset a deficit, Reg 1.32(b)). Balances of accounts not in a
-- customer class (HOUSE, or unknown to accounts.csv: those are quarantined, see int_ledger_balances_routed)
-- contribute nothing. The drill-down (seg_line_sources) lists the figures one row each; the per-account figures sum
-- them.
--
-- USD: each figure x usd_per_unit at scale 9, rounded once, half-even; NULL where the currency has no rate. A USD row
-- needs no conversion: its rate is exactly 1 and its figures already have scale 9, so its USD figures are its figures.
-- Other rows follow the method of int_seg_contributions_usd: the exact product, cast to scale 9 rounding half away
-- from zero, a tie stepped back to the even neighbour. No binary floating point anywhere: money stays decimal. The
-- rounding is written once: a non-USD row's eight figures are taken one row each, converted, and put back.
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

figure_names as (
    select *
    from (
        values ('line_1a'), ('line_1b'), ('line_2'), ('line_3a'), ('line_3b'), ('nle'), ('im'), ('offset_sec')
    ) as names (figure)
),

-- the figures of the rows to convert, one row each, with their exact products
products as (
    select
        customer_balances.record_id,
        figure_names.figure,
        case figure_names.figure
            when 'line_1a' then customer_balances.line_1a
            when 'line_1b' then customer_balances.line_1b
            when 'line_2' then customer_balances.line_2
            when 'line_3a' then customer_balances.line_3a
            when 'line_3b' then customer_balances.line_3b
            when 'nle' then customer_balances.nle
            when 'im' then customer_balances.im
            when 'offset_sec' then customer_balances.offset_sec
        end * customer_balances.usd_per_unit as exact
    from customer_balances
    cross join figure_names
    where customer_balances.currency <> 'USD'
),

-- each product cast to scale 9, half away from zero
rounded_away as (
    select *, cast(exact as decimal(38, 9)) as away from products
),

-- a tie stepped back to its even neighbour: rounded once, half-even
converted as (
    select
        record_id,
        figure,
        case
            when abs(exact - away) = 0.0000000005 and mod(cast(away * 1000000000 as decimal(38, 0)), 2) <> 0
                then cast(away - sign(exact) * 0.000000001 as decimal(38, 9))
            else away
        end as usd
    from rounded_away
),

converted_rows as (
    select
        record_id,
        max(case when figure = 'line_1a' then usd end) as line_1a_usd,
        max(case when figure = 'line_1b' then usd end) as line_1b_usd,
        max(case when figure = 'line_2' then usd end) as line_2_usd,
        max(case when figure = 'line_3a' then usd end) as line_3a_usd,
        max(case when figure = 'line_3b' then usd end) as line_3b_usd,
        max(case when figure = 'nle' then usd end) as nle_usd,
        max(case when figure = 'im' then usd end) as im_usd,
        max(case when figure = 'offset_sec' then usd end) as offset_sec_usd
    from converted
    group by record_id
)

select
    customer_balances.seg_class,
    customer_balances.unit_id,
    customer_balances.subject,
    customer_balances.currency,
    customer_balances.source_file,
    customer_balances.record_id,
    customer_balances.line_1a,
    customer_balances.line_1b,
    customer_balances.line_2,
    customer_balances.line_3a,
    customer_balances.line_3b,
    customer_balances.nle,
    customer_balances.im,
    customer_balances.offset_sec,
    case when customer_balances.currency = 'USD' then customer_balances.line_1a else converted_rows.line_1a_usd end
        as line_1a_usd,
    case when customer_balances.currency = 'USD' then customer_balances.line_1b else converted_rows.line_1b_usd end
        as line_1b_usd,
    case when customer_balances.currency = 'USD' then customer_balances.line_2 else converted_rows.line_2_usd end
        as line_2_usd,
    case when customer_balances.currency = 'USD' then customer_balances.line_3a else converted_rows.line_3a_usd end
        as line_3a_usd,
    case when customer_balances.currency = 'USD' then customer_balances.line_3b else converted_rows.line_3b_usd end
        as line_3b_usd,
    case when customer_balances.currency = 'USD' then customer_balances.nle else converted_rows.nle_usd end
        as nle_usd,
    case when customer_balances.currency = 'USD' then customer_balances.im else converted_rows.im_usd end
        as im_usd,
    case
        when customer_balances.currency = 'USD' then customer_balances.offset_sec else converted_rows.offset_sec_usd
    end
        as offset_sec_usd
from customer_balances
left join converted_rows on converted_rows.record_id = customer_balances.record_id
