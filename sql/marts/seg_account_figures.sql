-- The residual interest figures of every customer account (or beneficial owner, when combined) per class, in USD:
-- NLE, initial margin, deficit and its securities offset, the undermargined amount UM and UM_ADJ (whose sum over a
-- class is UM_TOTAL, the figure residual interest is tested against). See int_seg_account_equity. Not sorted: one row
-- a customer account, and the warehouse reads a partition in key order (seg_class, unit_id).
with equity as (
    select * from int_seg_account_equity
)

select
    seg_class,
    unit_id,
    account_ids,
    nle_usd,
    im_usd,
    offset_securities_usd,
    def_usd,
    offset_usd,
    um_usd,
    um_adj_usd
from equity
