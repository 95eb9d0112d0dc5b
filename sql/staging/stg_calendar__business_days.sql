-- CME business days around the business date, numbered, so date windows count business days on any engine; with
-- the Fedwire facts of each day: whether Fedwire is open (a Federal Reserve holiday CME clears, Columbus Day or
-- Veterans Day, is a business day but not a bank day: no bank file is expected), the holiday's name, the next bank
-- day, and the settlement days (CME business day and bank day) that pay the day's intraday cycle (the day itself
-- when it is one) and its end-of-day cycle (the first one after it).
with source as (
    select * from src_business_days
)

select
    day,
    day_index,
    is_business_day,
    next_business_day,
    is_bank_day,
    bank_holiday_name,
    next_bank_day,
    settlement_day,
    next_settlement_day
from source
