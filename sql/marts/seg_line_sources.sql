-- The drill-down from each statement line to the rows it sums, with each row's contribution in its own currency and
-- in USD; per line and currency the amounts add up to the line exactly (int_seg_leaves_summed sums the same rows
-- before they are listed one by one). A ledger balance row gives one row per line 1A, 1B, 2, 3A, 3B; line 5 is built
-- per deficit account:
--   5_GROSS   each balance row of an account with DEF > 0 contributes -NLE(row): together DEF(a)
--   5_OFFSET  each of its rows with offset securities contributes -offset(row), and when OFFSET(a) is capped at
--             DEF(a) one USD row (source int_seg_account_equity) adds back the part above the cap
-- Zero contributions, rows in a currency with no rate and rows of a line that cannot be computed (a bank balance it
-- adds up is missing: int_seg_unknown_lines; the statement has no such line) are left out. Not sorted (5 rows a customer account): the
-- warehouse reads a partition in key order (seg_class, line, currency, source_table, record_id).
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

unknown_lines as (
    select * from int_seg_unknown_lines
),

balance_rows as (
    select
        balances.seg_class,
        figures.line,
        balances.currency,
        'src_ledger__balances' as source_table,
        balances.source_file,
        balances.record_id,
        balances.subject,
        case figures.line
            when '1A' then balances.line_1a
            when '1B' then balances.line_1b
            when '2' then balances.line_2
            when '3A' then balances.line_3a
            else balances.line_3b
        end as amount,
        case figures.line
            when '1A' then balances.line_1a_usd
            when '1B' then balances.line_1b_usd
            when '2' then balances.line_2_usd
            when '3A' then balances.line_3a_usd
            else balances.line_3b_usd
        end as amount_usd
    from balances
    cross join (values ('1A'), ('1B'), ('2'), ('3A'), ('3B')) as figures (line)
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
),

deficit_balances as (
    select unit_balances.*
    from unit_balances
    inner join equity
        on equity.seg_class = unit_balances.seg_class
        and equity.unit_id = unit_balances.unit_id
    where equity.def_usd > 0
),

deficit_rows as (
    select
        deficit_balances.seg_class,
        parts.line,
        deficit_balances.currency,
        'src_ledger__balances' as source_table,
        deficit_balances.source_file,
        deficit_balances.record_id,
        deficit_balances.subject,
        case parts.line when '5_GROSS' then -deficit_balances.nle else -deficit_balances.offset_sec end as amount,
        case parts.line
            when '5_GROSS' then -deficit_balances.nle_usd
            else -deficit_balances.offset_sec_usd
        end as amount_usd
    from deficit_balances
    cross join (values ('5_GROSS'), ('5_OFFSET')) as parts (line)
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
    select * from balance_rows
    union all
    select * from line_rows
    union all
    select * from deficit_rows
    union all
    select * from offset_caps
)

select
    sources.seg_class,
    sources.line,
    sources.currency,
    sources.source_table,
    sources.source_file,
    sources.record_id,
    sources.subject,
    sources.amount,
    sources.amount_usd
from sources
left join unknown_lines
    on unknown_lines.seg_class = sources.seg_class
    and unknown_lines.line = sources.line
    and unknown_lines.currency = sources.currency
where (sources.amount <> 0 or sources.amount_usd <> 0) and unknown_lines.line is null
