-- CASH pass 3 (CASH-SUBSET), the search: items passes 1 and 2 left unpaired (a duplicate stays a duplicate), in
-- blocks of bank account, currency and date (bank entry date, journal value date). A block with more than
-- max_candidates items on either side is not searched. In a searched block every subset of 2 to max_subset_size
-- items of one side is listed once (items taken in candidate order: amount, date, reference, record id) and fits an
-- item of the other side when bank - ledger is within the pass tolerance. A fit is clean when none of its records
-- is in another fit (so it is also its item's only fit): it is a match. Every other fit of the block goes into the
-- block's one AMBIGUOUS break, for review. One row per record the pass takes, with its outcome and group (the fit
-- for a match, the block for an AMBIGUOUS break); is_single marks the item a subset was fitted to.
with recursive unpaired as (
    select * from int_cash_unpaired where break_type <> 'DUPLICATE'
),

rule_pass as (
    select * from stg_rules__passes where rule_id = 'CASH-SUBSET'
),

counted as (
    select
        unpaired.*,
        row_number() over (
            partition by bank_account_id, currency, item_date, side order by amount, item_date, reference, record_id
        ) as ordinal,
        count(*) over (partition by bank_account_id, currency, item_date, side) as side_items
    from unpaired
),

-- the bound on the search: a block over it on either side keeps its items' missing-leg breaks
searched_blocks as (
    select counted.bank_account_id, counted.currency, counted.item_date
    from counted
    cross join rule_pass
    group by counted.bank_account_id, counted.currency, counted.item_date, rule_pass.max_candidates
    having count(distinct counted.side) = 2 and max(counted.side_items) <= rule_pass.max_candidates
),

candidates as (
    select counted.*
    from counted
    inner join searched_blocks
        on searched_blocks.bank_account_id = counted.bank_account_id
        and searched_blocks.currency = counted.currency
        and searched_blocks.item_date = counted.item_date
),

-- each subset of one side of a block once: a subset grows only by an item later in candidate order, up to
-- max_subset_size items
subsets as (
    select
        bank_account_id,
        currency,
        item_date,
        side,
        ordinal as last_ordinal,
        1 as item_count,
        amount as total,
        [record_id] as records
    from candidates
    union all
    select
        subsets.bank_account_id,
        subsets.currency,
        subsets.item_date,
        subsets.side,
        candidates.ordinal as last_ordinal,
        subsets.item_count + 1 as item_count,
        subsets.total + candidates.amount as total,
        list_concat(subsets.records, [candidates.record_id]) as records
    from subsets
    inner join candidates
        on candidates.bank_account_id = subsets.bank_account_id
        and candidates.currency = subsets.currency
        and candidates.item_date = subsets.item_date
        and candidates.side = subsets.side
        and candidates.ordinal > subsets.last_ordinal
    cross join rule_pass
    where subsets.item_count < rule_pass.max_subset_size
),

fits as (
    select
        concat('FIT|', single.record_id, '|', array_to_string(subsets.records, ',')) as fit_key,
        single.record_id as single_record_id,
        single.bank_account_id,
        single.currency,
        single.item_date,
        subsets.records as subset_records
    from subsets
    inner join candidates as single
        on single.bank_account_id = subsets.bank_account_id
        and single.currency = subsets.currency
        and single.item_date = subsets.item_date
        and single.side <> subsets.side
    cross join rule_pass
    where subsets.item_count >= 2
        and case when single.side = 'BANK' then single.amount - subsets.total else subsets.total - single.amount end
        between -rule_pass.amount_tolerance_below and rule_pass.amount_tolerance_above
),

fit_records as (
    select fit_key, bank_account_id, currency, item_date, single_record_id as record_id, 1 as is_single
    from fits
    union all
    select fits.fit_key, fits.bank_account_id, fits.currency, fits.item_date, element.record_id, 0 as is_single
    from fits
    cross join unnest(fits.subset_records) as element(record_id)
),

claims as (
    select record_id, count(distinct fit_key) as fit_count from fit_records group by record_id
),

contested_fits as (
    select distinct fit_records.fit_key
    from fit_records
    inner join claims on claims.record_id = fit_records.record_id
    where claims.fit_count > 1
),

assigned as (
    select
        case when contested_fits.fit_key is null then 'MATCH' else 'AMBIGUOUS' end as outcome,
        case
            when contested_fits.fit_key is null then fit_records.fit_key
            else concat(
                'BLOCK|', fit_records.bank_account_id, '|', fit_records.currency, '|',
                cast(fit_records.item_date as varchar)
            )
        end as group_key,
        fit_records.record_id,
        fit_records.is_single
    from fit_records
    left join contested_fits on contested_fits.fit_key = fit_records.fit_key
),

-- a record in several contested fits of its block is taken once, as a single item if it is one in any of them
taken as (
    select outcome, group_key, record_id, max(is_single) = 1 as is_single
    from assigned
    group by outcome, group_key, record_id
)

select
    rule_pass.rule_id,
    rule_pass.rule_version,
    taken.outcome,
    taken.group_key,
    taken.is_single,
    candidates.side,
    candidates.record_id,
    candidates.source_file,
    candidates.bank_account_id,
    candidates.seg_class,
    candidates.account_id,
    candidates.currency,
    candidates.item_date,
    candidates.reference,
    candidates.amount
from taken
inner join candidates on candidates.record_id = taken.record_id
cross join rule_pass
