-- Per customer account (or beneficial owner, when combined) and class, in USD across its currencies:
--   nle_usd     NLE_usd(a) = sum over currencies of NLE(a, c) x rate
--   def_usd     DEF(a) = max(0, -NLE_usd(a))                      liquidating to a deficit / debit balance
--   offset_usd  OFFSET(a) = min(DEF(a), offset securities(a))     Reg 1.32(b)
--   um_usd      UM(a) = max(0, IM_usd(a) - NLE_usd(a))            undermargined amount
--   um_adj_usd  UM(a) - min(UM(a), DEF(a) - OFFSET(a)), or - min(UM(a), DEF(a)) when the setting reads it gross
-- Rows in a currency with no rate are left out (the statement is NOT_FILEABLE; see int_seg_currencies).
with balances as (
    select * from int_seg_balances_usd where nle_usd is not null
),

-- read apart from balances: DuckDB would materialise a CTE read twice (a copy of every row)
owner_balances as (
    select * from int_seg_balances_usd where nle_usd is not null and unit_id like 'owner:%'
),

settings as (
    select * from int_seg_settings
),

-- a unit 'account:<id>' is that one account (int_seg_accounts): only owners' units need a list of their accounts
owner_accounts as (
    select
        seg_class,
        unit_id,
        list_sort(list_distinct(array_agg(subject))) as account_ids
    from owner_balances
    group by seg_class, unit_id
),

sums as (
    select
        seg_class,
        unit_id,
        min(subject) as account_id,
        sum(nle_usd) as nle_usd,
        sum(im_usd) as im_usd,
        sum(offset_sec_usd) as offset_securities_usd
    from balances
    group by seg_class, unit_id
),

units as (
    select
        sums.seg_class,
        sums.unit_id,
        coalesce(owner_accounts.account_ids, [sums.account_id]) as account_ids,
        sums.nle_usd,
        sums.im_usd,
        sums.offset_securities_usd
    from sums
    left join owner_accounts
        on owner_accounts.seg_class = sums.seg_class
        and owner_accounts.unit_id = sums.unit_id
),

deficits as (
    select
        units.*,
        greatest(cast(0 as decimal(38, 9)), -nle_usd) as def_usd,
        greatest(cast(0 as decimal(38, 9)), im_usd - nle_usd) as um_usd
    from units
),

offsets as (
    select
        deficits.*,
        least(def_usd, offset_securities_usd) as offset_usd
    from deficits
)

select
    offsets.seg_class,
    offsets.unit_id,
    offsets.account_ids,
    offsets.nle_usd,
    offsets.im_usd,
    offsets.offset_securities_usd,
    offsets.def_usd,
    offsets.offset_usd,
    offsets.um_usd,
    offsets.um_usd - least(
        offsets.um_usd,
        case when settings.residual_interest_debit = 'GROSS' then offsets.def_usd
            else offsets.def_usd - offsets.offset_usd end
    ) as um_adj_usd
from offsets
cross join settings
