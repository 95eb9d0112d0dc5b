-- The drill-down: every row a statement line sums, with its contribution in its own currency and in USD, so each
-- line (per currency, and in USD) equals the sum of its sources exactly. Line 5 is built per deficit account:
--   5_GROSS   each balance row of an account with DEF > 0 contributes -NLE(row): together DEF(a)
--   5_OFFSET  each of its rows with offset securities contributes -offset(row), and when OFFSET(a) is capped at
--             DEF(a) one USD row (source int_seg_account_equity) adds back the part above the cap
-- Zero contributions and rows in a currency with no rate are left out.
with contributions as (
    select * from int_seg_contributions_usd where amount_usd is not null
),

equity as (
    select * from int_seg_account_equity
),

line_rows as (
    select
        seg_class,
        figure as line,
        currency,
        source_table,
        source_file,
        record_id,
        subject,
        amount,
        amount_usd
    from contributions
    where kind = 'LINE'
),

deficit_rows as (
    select
        contributions.seg_class,
        case contributions.figure when 'NLE' then '5_GROSS' else '5_OFFSET' end as line,
        contributions.currency,
        contributions.source_table,
        contributions.source_file,
        contributions.record_id,
        contributions.subject,
        -contributions.amount as amount,
        -contributions.amount_usd as amount_usd
    from contributions
    inner join equity
        on equity.seg_class = contributions.seg_class
        and equity.unit_id = contributions.unit_id
    where contributions.kind = 'MEMO'
        and contributions.figure in ('NLE', 'OFFSET_SEC')
        and equity.def_usd > 0
),

offset_caps as (
    select
        seg_class,
        '5_OFFSET' as line,
        'USD' as currency,
        'int_seg_account_equity' as source_table,
        cast(null as varchar) as source_file,
        concat('offset_cap:', unit_id) as record_id,
        unit_id as subject,
        offset_securities_usd - offset_usd as amount,
        offset_securities_usd - offset_usd as amount_usd
    from equity
    where def_usd > 0 and offset_securities_usd > offset_usd
),

sources as (
    select * from line_rows
    union all
    select * from deficit_rows
    union all
    select * from offset_caps
)

select
    seg_class,
    line,
    currency,
    source_table,
    source_file,
    record_id,
    subject,
    amount,
    amount_usd
from sources
where amount <> 0 or amount_usd <> 0
