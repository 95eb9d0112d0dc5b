-- Every input row's fate per file, recon and currency; rows_read equals the sum of the fates, in count and amount.
with fates as (
    select * from int_record_fates
)

select
    source_file,
    recon,
    currency,
    count(*) as rows_read,
    count(*) filter (where fate = 'MATCHED') as rows_matched,
    count(*) filter (where fate = 'BREAK') as rows_in_breaks,
    count(*) filter (where fate = 'PENDING') as rows_pending,
    count(*) filter (where fate = 'QUARANTINED') as rows_quarantined,
    count(*) filter (where fate = 'OUT_OF_SCOPE') as rows_out_of_scope,
    coalesce(sum(amount), 0) as amount_read,
    coalesce(sum(amount) filter (where fate = 'MATCHED'), 0) as amount_matched,
    coalesce(sum(amount) filter (where fate = 'BREAK'), 0) as amount_in_breaks,
    coalesce(sum(amount) filter (where fate = 'PENDING'), 0) as amount_pending,
    coalesce(sum(amount) filter (where fate = 'QUARANTINED'), 0) as amount_quarantined,
    coalesce(sum(amount) filter (where fate = 'OUT_OF_SCOPE'), 0) as amount_out_of_scope
from fates
group by source_file, recon, currency
