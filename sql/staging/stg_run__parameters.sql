-- The run's parameters: the business date is an input, never the clock.
with source as (
    select * from src_run_parameters
)

select business_date from source
