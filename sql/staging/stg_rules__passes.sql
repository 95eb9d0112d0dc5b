-- The rule passes in force (loaded from the versioned rule files), with their exact tolerances (absolute,
-- percentage, quantity) and, for a subset
-- search, its bounds (null for every other pass), and the equality keys the SQL joins of the pass were compiled from
-- (comma-separated, left=right where the sides name a key differently, ? for nulls equal; null for a pass whose
-- keys are still written in its model).
with source as (
    select * from src_rule_passes
)

select
    recon,
    rule_id,
    rule_version,
    pass_order,
    cast(amount_tolerance_below as decimal(38, 9)) as amount_tolerance_below,
    cast(amount_tolerance_above as decimal(38, 9)) as amount_tolerance_above,
    -- a fraction of the clearing amount (the rule file's percent / 100); the larger of it and the absolute applies
    cast(percentage_tolerance_below as decimal(38, 9)) as percentage_tolerance_below,
    cast(percentage_tolerance_above as decimal(38, 9)) as percentage_tolerance_above,
    -- contracts
    cast(quantity_tolerance_below as decimal(38, 9)) as quantity_tolerance_below,
    cast(quantity_tolerance_above as decimal(38, 9)) as quantity_tolerance_above,
    date_window_before,
    date_window_after,
    carries_forward,
    auto_match,
    equality_keys,
    max_candidates,
    max_subset_size
from source
