-- Whether each customer class's statement can be filed: NOT_FILEABLE when any input file was rejected or is missing
-- today (src_file_problems, read here directly: the pipeline builds it from the run's file problems), when a
-- currency the class uses has no FX rate, when an option position of the class could not be valued, or when a counted
-- bank account of the class has no closing balance for the day (int_seg_missing_balances).
with file_problems as (
    select * from src_file_problems
),

currencies as (
    select * from int_seg_currencies
),

option_values as (
    select * from int_seg_option_values
),

missing_balances as (
    select
        seg_class,
        count(*) as accounts
    from int_seg_missing_balances
    group by seg_class
),

classes as (
    select * from (values ('SEG'), ('SECURED'), ('CLEARED_SWAPS')) as classes (seg_class)
),

problem_files as (
    select count(distinct source_file) as files from file_problems
),

missing_rates as (
    select
        seg_class,
        count(*) as currencies
    from currencies
    where not has_rate
    group by seg_class
),

unvalued as (
    select
        seg_class,
        count(*) as reports
    from option_values
    where not is_valued and (fin_long <> 0 or fin_short <> 0)
    group by seg_class
),

counted as (
    select
        classes.seg_class,
        problem_files.files as problem_files,
        coalesce(missing_rates.currencies, 0) as missing_rates,
        coalesce(unvalued.reports, 0) as unvalued_options,
        coalesce(missing_balances.accounts, 0) as missing_balances
    from classes
    cross join problem_files
    left join missing_rates on missing_rates.seg_class = classes.seg_class
    left join unvalued on unvalued.seg_class = classes.seg_class
    left join missing_balances on missing_balances.seg_class = classes.seg_class
)

select
    seg_class,
    problem_files,
    missing_rates,
    unvalued_options,
    missing_balances,
    case
        when problem_files + missing_rates + unvalued_options + missing_balances > 0 then 'NOT_FILEABLE'
        else 'FILEABLE'
    end as statement_status
from counted
