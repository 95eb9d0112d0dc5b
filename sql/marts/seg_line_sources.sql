-- The drill-down from each statement line to the rows it sums; per line and currency the amounts add up to the
-- line exactly (see int_seg_line_sources).
with sources as (
    select * from int_seg_line_sources
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
order by seg_class, line, currency, source_table, record_id
