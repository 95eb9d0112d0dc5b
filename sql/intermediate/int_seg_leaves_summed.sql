-- Every leaf statement line of each customer class per currency: the sum of the rows seg_line_sources lists for it, in
-- their own currency and in USD (the ledger balance rows' lines 1A-3B, line 5's deficit rows and offset caps, and
-- every other source's line), added up before they are listed one by one, so that the statement lines need not read
-- the drill-down back. The drill-down leaves out zero rows, which add nothing; rows in a currency with no rate are
-- left out here as there.
with balances as (
    select * from int_seg_balances_usd where nle_usd is not null
),

-- the same rows again, for line 5 (a CTE read twice would be materialised by DuckDB: a copy of every row)
unit_balances as (
    select * from int_seg_balances_usd where nle_usd is not null
),

contributions as (
    select * from int_seg_contributions_usd where kind = 'LINE' and amount_usd is not null
),

equity as (
    select * from int_seg_account_equity
),

balance_totals as (
    select
        seg_class,
        currency,
        sum(line_1a) as line_1a,
        sum(line_1b) as line_1b,
        sum(line_2) as line_2,
        sum(line_3a) as line_3a,
        sum(line_3b) as line_3b,
        sum(line_1a_usd) as line_1a_usd,
        sum(line_1b_usd) as line_1b_usd,
        sum(line_2_usd) as line_2_usd,
        sum(line_3a_usd) as line_3a_usd,
        sum(line_3b_usd) as line_3b_usd
    from balances
    group by seg_class, currency
),

balance_leaves as (
    select
        balance_totals.seg_class,
        figures.line,
        balance_totals.currency,
        case figures.line
            when '1A' then balance_totals.line_1a
            when '1B' then balance_totals.line_1b
            when '2' then balance_totals.line_2
            when '3A' then balance_totals.line_3a
            else balance_totals.line_3b
        end as amount,
        case figures.line
            when '1A' then balance_totals.line_1a_usd
            when '1B' then balance_totals.line_1b_usd
            when '2' then balance_totals.line_2_usd
            when '3A' then balance_totals.line_3a_usd
            else balance_totals.line_3b_usd
        end as amount_usd
    from balance_totals
    cross join (values ('1A'), ('1B'), ('2'), ('3A'), ('3B')) as figures (line)
),

deficit_totals as (
    select
        unit_balances.seg_class,
        unit_balances.currency,
        -sum(unit_balances.nle) as gross,
        -sum(unit_balances.nle_usd) as gross_usd,
        -sum(unit_balances.offset_sec) as offset_sec,
        -sum(unit_balances.offset_sec_usd) as offset_sec_usd
    from unit_balances
    inner join equity
        on equity.seg_class = unit_balances.seg_class
        and equity.unit_id = unit_balances.unit_id
    where equity.def_usd > 0
    group by unit_balances.seg_class, unit_balances.currency
),

deficit_leaves as (
    select
        seg_class,
        '5_GROSS' as line,
        currency,
        gross as amount,
        gross_usd as amount_usd
    from deficit_totals
    union all
    select
        seg_class,
        '5_OFFSET' as line,
        currency,
        offset_sec as amount,
        offset_sec_usd as amount_usd
    from deficit_totals
),

offset_caps as (
    select
        seg_class,
        '5_OFFSET' as line,
        'USD' as currency,
        sum(offset_securities_usd - offset_usd) as amount,
        sum(offset_securities_usd - offset_usd) as amount_usd
    from equity
    where def_usd > 0 and offset_securities_usd > offset_usd
    group by seg_class
),

other_leaves as (
    select
        seg_class,
        figure as line,
        currency,
        sum(amount) as amount,
        sum(amount_usd) as amount_usd
    from contributions
    group by seg_class, figure, currency
),

leaves as (
    select * from balance_leaves
    union all
    select * from deficit_leaves
    union all
    select * from offset_caps
    union all
    select * from other_leaves
)

select
    seg_class,
    line,
    currency,
    sum(amount) as amount,
    sum(amount_usd) as amount_usd
from leaves
group by seg_class, line, currency
