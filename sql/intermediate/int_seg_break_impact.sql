-- The seg impact of each open (or force-closed) break of a customer class (segregation/break_impact.yaml): the
-- statement line it could move and by how much in USD, sign x the rule's amount column at the day's rate, rounded
-- once half-even (the method of int_seg_contributions_usd). No rate for the currency: the line is named, the amount is NULL.
with breaks as (
    select * from int_breaks_aged
),

rules as (
    select * from stg_segregation__break_impact_rules
),

bank_accounts as (
    select * from int_seg_bank_accounts
),

rates as (
    select * from int_seg_rates
),

open_breaks as (
    select *
    from breaks
    -- a force-closed break keeps the impact it had open, for the report
    where status in ('NEW', 'OPEN', 'CLOSED') and seg_class in ('SEG', 'SECURED', 'CLEARED_SWAPS')
),

candidates as (
    select
        open_breaks.break_id,
        open_breaks.currency,
        rules.rule_order,
        case
            when open_breaks.seg_class <> 'SECURED' then rules.seg_line
            when bank_accounts.country = 'US' then rules.secured_us_line
            else rules.secured_other_line
        end as seg_line,
        rules.sign,
        rules.when_sign,
        case rules.amount_column
            when 'difference' then open_breaks.difference
            when 'bank_amount' then open_breaks.bank_amount
            when 'ledger_amount' then open_breaks.ledger_amount
            else open_breaks.clearing_amount
        end as basis
    from open_breaks
    inner join rules
        on rules.recon = open_breaks.recon
        and rules.break_type = open_breaks.break_type
        and coalesce(open_breaks.reference, '') like rules.reference_like
    left join bank_accounts on bank_accounts.bank_account_id = open_breaks.bank_account_id
),

applicable as (
    select
        candidates.*,
        sign * basis as amount
    from candidates
    where seg_line is not null
        and basis is not null
        and (when_sign = 'ANY' or (when_sign = 'POSITIVE' and basis > 0) or (when_sign = 'NEGATIVE' and basis < 0))
),

first_rule as (
    select
        break_id,
        min(rule_order) as rule_order
    from applicable
    group by break_id
),

exact as (
    select
        applicable.break_id,
        applicable.seg_line,
        applicable.amount * rates.usd_per_unit as exact_usd,
        cast(applicable.amount * rates.usd_per_unit as decimal(38, 9)) as away_usd
    from applicable
    inner join first_rule
        on first_rule.break_id = applicable.break_id
        and first_rule.rule_order = applicable.rule_order
    left join rates on rates.currency = applicable.currency
)

select
    break_id,
    seg_line,
    case
        when abs(exact_usd - away_usd) = 0.0000000005
            and mod(cast(away_usd * 1000000000 as decimal(38, 0)), 2) <> 0
            then cast(away_usd - sign(exact_usd) * 0.000000001 as decimal(38, 9))
        else away_usd
    end as seg_impact_usd
from exact
