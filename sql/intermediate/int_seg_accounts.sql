-- The accounts of the three customer classes (HOUSE accounts are never in a customer statement), each with the unit
-- its deficit and undermargined amount are computed over: the account itself, or its beneficial owner when the
-- setting combines one owner's accounts within a class (a blank owner stands alone).
with accounts as (
    select * from stg_reference__accounts
),

settings as (
    select * from int_seg_settings
)

select
    accounts.account_id,
    accounts.seg_class,
    case
        when settings.combine_beneficial_owners and accounts.beneficial_owner_id <> ''
            then concat('owner:', accounts.beneficial_owner_id)
        else concat('account:', accounts.account_id)
    end as unit_id
from accounts
cross join settings
where accounts.seg_class in ('SEG', 'SECURED', 'CLEARED_SWAPS')
