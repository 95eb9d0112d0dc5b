-- People's decisions in force for the run (read back from the warehouse's append-only decisions table): an ACCEPT
-- or CLOSE made for this business date, and every ANNOTATE made for it or an earlier one (a note follows its break
-- for as long as the break is reported).
with source as (
    select * from src_warehouse__decisions
),

run_parameters as (
    select * from stg_run__parameters
)

select
    source.decision_id,
    source.business_date,
    source.action,
    source.target_id,
    source.decided_by,
    source.decided_at,
    source.reason
from source
cross join run_parameters
where
    source.business_date = run_parameters.business_date
    or (source.action = 'ANNOTATE' and source.business_date < run_parameters.business_date)
