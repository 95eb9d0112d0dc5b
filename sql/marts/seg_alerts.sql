-- The alerts of the customer statements (spec/segregation.md, "Alerts"), one row each, with a content-derived id.
-- Amounts in messages are the exact figures with trailing zeros dropped (presentation rounds elsewhere).
with figures as (
    select * from int_seg_class_figures
),

currency_positions as (
    select * from int_seg_currency_positions
),

currencies as (
    select * from int_seg_currencies
),

status as (
    select * from int_seg_statement_status
),

option_values as (
    select * from int_seg_option_values
),

bank_accounts as (
    select * from int_seg_bank_accounts
),

excluded as (
    select * from int_seg_contributions_usd where kind = 'EXCLUDED'
),

file_problems as (
    select * from src_file_problems
),

run_parameters as (
    select * from stg_run__parameters
),

filed_differences as (
    select * from int_seg_filed_differences
),

missing_balances as (
    select * from int_seg_missing_balances
),

unknown_lines as (
    select * from int_seg_unknown_lines
),

quarantined_inputs as (
    select * from int_seg_quarantined_inputs
),

excess_lines as (
    select * from stg_segregation__lines where role = 'EXCESS'
),

closing_balances as (
    select * from int_bank_closing_balances
),

previous_days as (
    select max(days.day) as previous_business_day
    from stg_calendar__business_days as days
    cross join run_parameters
    where days.is_business_day and days.day < run_parameters.business_date
),

-- the business date's Fedwire facts and the previous CME business day (what a Fedwire holiday carries from); a date
-- CME does not clear is a SECURED-only run's (Thanksgiving), which carries from the previous CME business day too
today as (
    select
        days.is_bank_day,
        days.bank_holiday_name,
        days.settlement_day,
        previous_days.previous_business_day,
        case when days.is_business_day then 'CME clears'
            else 'CME does not clear (the SECURED statement alone is run)' end as clearing,
        case when days.is_business_day then 'previous business day' else 'previous CME business day' end
            as previous_day_words
    from stg_calendar__business_days as days
    inner join run_parameters on run_parameters.business_date = days.day
    cross join previous_days
),

problem_files as (
    select
        source_file,
        array_to_string(list_sort(list_distinct(array_agg(concat(code, ': ', message)))), '; ') as details
    from file_problems
    group by source_file
),

incomplete_inputs as (
    select
        status.seg_class,
        'INCOMPLETE_INPUTS' as code,
        'CRITICAL' as severity,
        cast(null as varchar) as currency,
        cast(null as decimal(38, 9)) as amount_usd,
        problem_files.source_file as subject,
        concat('Input file ', problem_files.source_file, ' was rejected or is missing (', problem_files.details,
            '): the ', status.seg_class, ' statement is NOT_FILEABLE until it is corrected and the day is re-run.')
            as message
    from status
    cross join problem_files
),

-- A counted bank account with no closing balance: its cash line and the lines computed from it are unknown (not
-- published), so no DEFICIENCY, BELOW_TARGET, RESIDUAL_INTEREST_SHORTFALL or CURRENCY_SHORTFALL is stated from them.
unknown_line_lists as (
    select
        unknown_lines.seg_class,
        array_to_string(array_agg(unknown_lines.line order by statement_lines.line_order nulls first), ', ') as lines
    from unknown_lines
    inner join stg_segregation__lines as statement_lines
        on statement_lines.seg_class = unknown_lines.seg_class
        and statement_lines.line = unknown_lines.line
    where unknown_lines.currency = 'ALL'
    group by unknown_lines.seg_class
),

missing_statements as (
    select
        missing_balances.seg_class,
        'INCOMPLETE_INPUTS' as code,
        'CRITICAL' as severity,
        missing_balances.currency,
        cast(null as decimal(38, 9)) as amount_usd,
        missing_balances.bank_account_id as subject,
        case
            when today.is_bank_day then concat('No statement of record for bank account ',
                missing_balances.bank_account_id, ' at ', missing_balances.depository, ' (', missing_balances.currency,
                ') for ', cast(run_parameters.business_date as varchar), ': its closing balance was never read (bank ',
                'files rejected or missing today: ', coalesce(missing_balances.bank_files, 'none recorded'),
                '). A rejected file is not a Fedwire holiday: no earlier balance is carried forward. Lines ',
                unknown_line_lists.lines, ' of the ', missing_balances.seg_class, ' statement are unknown and not ',
                'computed, and no deficiency, target, residual interest or currency alert is raised from them; the ',
                'statement is NOT_FILEABLE until the file is corrected and the day is re-run.')
            else concat(cast(run_parameters.business_date as varchar), ' is a Fedwire holiday (',
                coalesce(today.bank_holiday_name, 'Fedwire closed'), ') on which ', today.clearing, ': no bank ',
                'file is expected, and the closing balance of bank account ', missing_balances.bank_account_id, ' at ',
                missing_balances.depository, ' (', missing_balances.currency, ') is carried forward from the ',
                today.previous_day_words, ', but the warehouse holds no published closing balance of it for ',
                cast(today.previous_business_day as varchar), ' (no completed run of that day, or its bank file was ',
                'rejected or missing). Lines ', unknown_line_lists.lines, ' of the ', missing_balances.seg_class,
                ' statement are unknown and not computed, and no deficiency, target, residual interest or currency ',
                'alert is raised from them; the statement is NOT_FILEABLE until ',
                cast(today.previous_business_day as varchar), ' is run and this day is re-run.')
        end as message
    from missing_balances
    inner join unknown_line_lists on unknown_line_lists.seg_class = missing_balances.seg_class
    cross join run_parameters
    cross join today
),

-- On a Fedwire holiday CME clears (or a SECURED-only run of one it does not), each counted class account's closing
-- balance carried forward from the previous CME business day's published run: information, the statement stays
-- fileable.
carried_balances as (
    select
        bank_accounts.seg_class,
        'CARRIED_BANK_BALANCE' as code,
        'INFO' as severity,
        closing_balances.currency,
        cast(null as decimal(38, 9)) as amount_usd,
        closing_balances.bank_account_id as subject,
        concat(cast(run_parameters.business_date as varchar), ' is a Fedwire holiday (',
            coalesce(today.bank_holiday_name, 'Fedwire closed'), ') on which ', today.clearing,
            ': no bank file is expected. ',
            'The closing ledger balance of bank account ', closing_balances.bank_account_id, ' at ',
            bank_accounts.depository, ', ', rtrim(rtrim(cast(closing_balances.amount as varchar), '0'), '.'), ' ',
            closing_balances.currency, ', is carried forward from ',
            cast(closing_balances.carried_from_date as varchar), ' as published by the run of ',
            cast(today.previous_business_day as varchar), ' (', coalesce(closing_balances.source_file,
                'bank file not recorded'), ', record ', closing_balances.record_id, '); money due today moves to ',
            'the next bank day, ', cast(today.settlement_day as varchar), '.') as message
    from closing_balances
    inner join bank_accounts
        on bank_accounts.bank_account_id = closing_balances.bank_account_id
        and bank_accounts.is_counted
    cross join run_parameters
    cross join today
    where closing_balances.source_table = 'src_warehouse__previous_bank_balances'
),

-- Rows of a file the statement is computed from that were quarantined: their money is in no line. The statement is
-- still published and fileable (a bad row is not a bad file), but whoever signs it must know.
quarantined_amounts as (
    select
        seg_class,
        source_file,
        currency,
        count(*) as row_count,
        sum(amount) as amount,
        count(amount) = count(*) as all_read
    from quarantined_inputs
    group by seg_class, source_file, currency
),

quarantined_files as (
    select
        seg_class,
        'QUARANTINED_INPUT_ROWS' as code,
        'HIGH' as severity,
        cast(null as varchar) as currency,
        cast(null as decimal(38, 9)) as amount_usd,
        source_file as subject,
        concat(cast(sum(row_count) as varchar), ' row(s) of ', source_file, ' were quarantined (',
            array_to_string(list_sort(array_agg(concat(currency, ' ',
                case
                    when all_read then rtrim(rtrim(cast(amount as varchar), '0'), '.')
                    else 'amount not readable'
                end))), ', '),
            '; the quarantine table names each row, field and reason): money they hold is in no line of the ',
            seg_class, ' statement. Correct the file and re-run the day before relying on the statement.') as message
    from quarantined_amounts
    group by seg_class, source_file
),

missing_rates as (
    select
        currencies.seg_class,
        'MISSING_FX_RATE' as code,
        'CRITICAL' as severity,
        currencies.currency,
        cast(null as decimal(38, 9)) as amount_usd,
        currencies.currency as subject,
        concat('No closing FX rate for ', currencies.currency, ' on ', cast(run_parameters.business_date as varchar),
            ': ', cast(currencies.records as varchar), ' rows in ', currencies.currency, ' (statement lines ',
            rtrim(rtrim(cast(currencies.line_amount as varchar), '0'), '.'), ' ', currencies.currency,
            ') are left out of the ', currencies.seg_class,
            ' statement, which is NOT_FILEABLE; add the rate to fx_rates.csv and re-run.') as message
    from currencies
    cross join run_parameters
    where not currencies.has_rate
),

unvalued_options as (
    select
        seg_class,
        'UNVALUED_OPTION_POSITION' as code,
        'CRITICAL' as severity,
        currency,
        cast(null as decimal(38, 9)) as amount_usd,
        record_id as subject,
        concat('Option position report ', record_id, ' (account ', position_account, ', ', exchange, ' ',
            product_code, ') in ', source_file, ' has no product in products.csv or no settlement price: lines ',
            '10A/10B are incomplete and the ', seg_class, ' statement is NOT_FILEABLE.') as message
    from option_values
    where not is_valued and (fin_long <> 0 or fin_short <> 0)
),

excluded_totals as (
    select
        seg_class,
        figure,
        subject,
        -- NULL when any row's currency has no rate: the amount at stake is then unknown
        case when count(*) = count(amount_usd) then sum(amount_usd) end as amount_usd
    from excluded
    group by seg_class, figure, subject
),

missing_letters as (
    select
        bank_accounts.seg_class,
        'MISSING_ACK_LETTER' as code,
        'HIGH' as severity,
        bank_accounts.currency,
        case
            when excluded_totals.subject is null then cast(0 as decimal(38, 9))
            else excluded_totals.amount_usd
        end as amount_usd,
        bank_accounts.bank_account_id as subject,
        concat('Account ', bank_accounts.bank_account_id, ' at ', bank_accounts.depository, ' (',
            bank_accounts.depository_type, ') has no acknowledgment letter on file (Reg 1.20, 1.26, 30.7): its ',
            'funds are excluded from the ', bank_accounts.seg_class, ' statement (USD ',
            coalesce(rtrim(rtrim(cast(excluded_totals.amount_usd as varchar), '0'), '.'),
                case when excluded_totals.subject is null then '0' else 'amount unknown: a rate is missing' end),
            '). Obtain the letter or move the funds.') as message
    from bank_accounts
    left join excluded_totals
        on excluded_totals.seg_class = bank_accounts.seg_class
        and excluded_totals.subject = bank_accounts.bank_account_id
        and excluded_totals.figure = 'NO_ACK_LETTER'
    where not bank_accounts.is_counted
),

unrecognised_depositories as (
    select
        seg_class,
        'UNRECOGNISED_DEPOSITORY' as code,
        'REVIEW' as severity,
        cast(null as varchar) as currency,
        amount_usd,
        subject,
        concat('Custody held at depository account ', subject, ' is not at an account titled ', seg_class,
            ' in bank_accounts.csv: it is excluded from the statement (USD ',
            coalesce(rtrim(rtrim(cast(amount_usd as varchar), '0'), '.'), 'amount unknown: a rate is missing'),
            ').') as message
    from excluded_totals
    where figure = 'UNRECOGNISED_DEPOSITORY'
),

currency_shortfalls as (
    select
        seg_class,
        'CURRENCY_SHORTFALL' as code,
        'REVIEW' as severity,
        currency,
        requirement_usd - funds_usd as amount_usd,
        currency as subject,
        concat('Funds held in ', currency, ' (', rtrim(rtrim(cast(funds as varchar), '0'), '.'),
            ') are below the requirement in ', currency, ' (', rtrim(rtrim(cast(requirement as varchar), '0'), '.'),
            ') by ', rtrim(rtrim(cast(requirement - funds as varchar), '0'), '.'), ' ', currency,
            '. Reg 1.49 lets USD (and, as the firm''s policy says, money-centre currencies) cover obligations in ',
            'other currencies: review the cover.') as message
    from currency_positions
    where funds < requirement
),

figure_alerts as (
    select
        seg_class,
        'DEFICIENCY' as code,
        'CRITICAL' as severity,
        -excess_usd as amount_usd,
        concat('The ', seg_class, ' statement shows a deficiency of USD ',
            rtrim(rtrim(cast(-excess_usd as varchar), '0'), '.'), ' (line ', excess_line,
            '): immediate notice is required (Reg 1.12).') as message,
        statement_status,
        excess_line
    from figures
    where excess_usd < 0
    union all
    select
        seg_class,
        'BELOW_TARGET' as code,
        'HIGH' as severity,
        target_usd - excess_usd as amount_usd,
        concat('Excess funds of USD ', rtrim(rtrim(cast(excess_usd as varchar), '0'), '.'), ' (line ', excess_line,
            ') are below the management target of USD ', rtrim(rtrim(cast(target_usd as varchar), '0'), '.'),
            ' by USD ', rtrim(rtrim(cast(target_usd - excess_usd as varchar), '0'), '.'), '.') as message,
        statement_status,
        excess_line
    from figures
    where excess_usd < target_usd
    union all
    select
        seg_class,
        'RESIDUAL_INTEREST_SHORTFALL' as code,
        'HIGH' as severity,
        um_total_usd - excess_usd as amount_usd,
        concat('Projected residual interest shortfall: RI of USD ', rtrim(rtrim(cast(excess_usd as varchar), '0'), '.'),
            ' (line ', excess_line, ') is below the undermargined amount UM_TOTAL of USD ',
            rtrim(rtrim(cast(um_total_usd as varchar), '0'), '.'), ': add USD ',
            rtrim(rtrim(cast(um_total_usd - excess_usd as varchar), '0'), '.'),
            case
                when seg_class = 'CLEARED_SWAPS' then ' before each DCO settlement cycle on '
                else ' by 6 p.m. Eastern on '
            end,
            coalesce(cast(deadline_date as varchar), 'the next business day'),
            ' (margin calls met before then reduce it).') as message,
        statement_status,
        excess_line
    from figures
    where excess_usd < um_total_usd
),

refilings as (
    select
        filed_differences.seg_class,
        'REFILING_MAY_BE_NEEDED' as code,
        'HIGH' as severity,
        cast(null as varchar) as currency,
        -- how much the filed excess moved (0 when only other lines changed)
        coalesce(sum(filed_differences.current_amount_usd - filed_differences.filed_amount_usd) filter (
            where filed_differences.currency = 'ALL' and filed_differences.line = excess_lines.line), 0) as amount_usd,
        filed_differences.filed_run_id as subject,
        concat('The ', filed_differences.seg_class, ' statement of ', cast(run_parameters.business_date as varchar),
            ' was marked filed by ', filed_differences.filed_by, ' from run ', filed_differences.filed_run_id,
            '; this run changes ', cast(count(*) as varchar), ' of its figures (line currency: filed -> now): ',
            array_to_string(list_sort(array_agg(concat(filed_differences.line, ' ', filed_differences.currency, ': ',
                coalesce(rtrim(rtrim(cast(filed_differences.filed_amount as varchar), '0'), '.'), 'none'), ' -> ',
                coalesce(rtrim(rtrim(cast(filed_differences.current_amount as varchar), '0'), '.'), 'none')))), '; '),
            '. A refiling may be needed: compare the documents and notify the DSRO if the filed statement was wrong.')
            as message
    from filed_differences
    inner join excess_lines on excess_lines.seg_class = filed_differences.seg_class
    cross join run_parameters
    group by filed_differences.seg_class, filed_differences.filed_run_id, filed_differences.filed_by,
        run_parameters.business_date
),

class_alerts as (
    select
        seg_class,
        code,
        severity,
        cast(null as varchar) as currency,
        amount_usd,
        excess_line as subject,
        case
            when statement_status = 'NOT_FILEABLE'
                then concat(message, ' Computed from incomplete inputs: the statement is NOT_FILEABLE.')
            else message
        end as message
    from figure_alerts
),

alerts as (
    select * from incomplete_inputs
    union all
    select * from missing_statements
    union all
    select * from carried_balances
    union all
    select * from quarantined_files
    union all
    select * from missing_rates
    union all
    select * from unvalued_options
    union all
    select * from missing_letters
    union all
    select * from unrecognised_depositories
    union all
    select * from currency_shortfalls
    union all
    select * from class_alerts
    union all
    select * from refilings
)

select
    substr(md5(concat(seg_class, '|', code, '|', coalesce(currency, ''), '|', coalesce(subject, ''))), 1, 16)
        as alert_id,
    seg_class,
    code,
    severity,
    currency,
    cast(amount_usd as decimal(38, 9)) as amount_usd,
    subject,
    message
from alerts
order by seg_class, code, subject, currency
