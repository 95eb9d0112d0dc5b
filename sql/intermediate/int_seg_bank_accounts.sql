-- The bank, custodian, FCM and DCO accounts titled for a customer class (any purpose), and whether their funds count:
-- an account at a bank, custodian or FCM counts only with an acknowledgment letter on file by the business date
-- (Reg 1.20, 1.26, 30.7); an account at a DCO needs none.
with bank_accounts as (
    select * from stg_reference__bank_accounts
),

run_parameters as (
    select * from stg_run__parameters
)

select
    bank_account_id,
    seg_class,
    depository,
    depository_type,
    country,
    currency,
    depository_type = 'DCO'
        or coalesce(acknowledgment_letter_date <= run_parameters.business_date, false) as is_counted
from bank_accounts
cross join run_parameters
where seg_class in ('SEG', 'SECURED', 'CLEARED_SWAPS')
