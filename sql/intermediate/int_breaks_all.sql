-- Every recon's breaks and pending items found today in one shape, before ids, ages and tiers. Today's item
-- breaks that resolved a break carried from an earlier day are matches (int_carried_matches), not breaks.
with carry as (
    select * from int_item_carry
),

items as (
    select
        recon, break_type, 'NEW' as status, seg_class, bank_account_id, account, currency, reference,
        clearing_amount, bank_amount, ledger_amount, difference, expected_date, clearing_records, bank_records,
        ledger_records, source_files, grain_key
    from carry
    where origin = 'TODAY' and not is_resolved
),

pending as (
    select * from int_dco_breaks where status = 'PENDING'
),

bank_balance as (
    select * from int_bank_balance_breaks
),

positions as (
    select * from int_position_breaks
),

collateral as (
    select * from int_collateral_breaks
),

run_scope as (
    select * from stg_run__scope
),

all_breaks as (
    select * from items
    union all
    select * from pending
    union all
    select * from bank_balance
    union all
    select * from positions
    union all
    select * from collateral
)

-- a SECURED-only run (stg_run__scope) reconciles nothing: it has no breaks
select all_breaks.*
from all_breaks
cross join run_scope
where run_scope.reconciles
