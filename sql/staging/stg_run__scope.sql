-- What the run covers (one row): reconciles is true on a CME business day, false on a SECURED-only run of a date CME
-- does not clear (spec/inputs.md, Calendars), which computes the secured statement and reconciles nothing.
with source as (
    select * from src_run_scope
)

select reconciles from source
