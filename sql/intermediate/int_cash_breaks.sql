-- CASH breaks: paired items outside tolerance or window, pass 2's AMBIGUOUS blocks (one break naming every pair of
-- the block), unpaired items (missing leg or duplicate) the subset pass did not take, and the subset pass's AMBIGUOUS
-- blocks. difference = bank - ledger, an absent leg counting as zero.
with mismatched as (
    select * from int_cash_reference_pairs where outcome in ('DATE_MISMATCH', 'AMOUNT_MISMATCH')
),

-- the block's reference, class and account are its first pair's (in bank record order); account is kept when every
-- pair names the same one
contested_pairs as (
    select
        *,
        row_number() over (partition by block_id order by bank_record_id) as pair_position
    from int_cash_reference_pairs
    where outcome = 'AMBIGUOUS'
),

contested as (
    select
        block_id,
        sum(bank_amount) as bank_amount,
        sum(ledger_amount) as ledger_amount,
        sum(difference) as difference,
        list_sort(list(bank_record_id)) as bank_records,
        list_sort(list(ledger_record_id)) as ledger_records,
        count(distinct account_id) as accounts
    from contested_pairs
    group by block_id
),

contested_files as (
    select block_id, list(distinct source_file order by source_file nulls first) as source_files
    from (
        select block_id, bank_source_file as source_file from contested_pairs
        union all
        select block_id, ledger_source_file as source_file from contested_pairs
    ) as files
    group by block_id
),

contested_blocks as (
    select
        contested.*,
        contested_pairs.seg_class,
        contested_pairs.bank_account_id,
        case when contested.accounts = 1 then contested_pairs.account_id end as account_id,
        contested_pairs.currency,
        contested_pairs.reference,
        contested_files.source_files
    from contested
    inner join contested_pairs
        on contested_pairs.block_id = contested.block_id
        and contested_pairs.pair_position = 1
    inner join contested_files on contested_files.block_id = contested.block_id
),

unpaired_items as (
    select * from int_cash_unpaired
),

subset_taken as (
    select record_id from int_cash_subset_fits
),

unpaired as (
    select unpaired_items.*
    from unpaired_items
    left join subset_taken on subset_taken.record_id = unpaired_items.record_id
    where subset_taken.record_id is null
),

ambiguous as (
    select * from int_cash_subset_groups where outcome = 'AMBIGUOUS'
),

breaks as (
    select
        outcome as break_type,
        seg_class,
        bank_account_id,
        account_id,
        currency,
        reference,
        bank_amount,
        ledger_amount,
        difference,
        [bank_record_id] as bank_records,
        [ledger_record_id] as ledger_records,
        -- sorted pair written out: BigQuery cannot sort an array literal
        case
            when bank_source_file <= ledger_source_file then [bank_source_file, ledger_source_file]
            else [ledger_source_file, bank_source_file]
        end as source_files
    from mismatched
    union all
    select
        'AMBIGUOUS' as break_type,
        seg_class,
        bank_account_id,
        account_id,
        currency,
        reference,
        bank_amount,
        ledger_amount,
        difference,
        bank_records,
        ledger_records,
        source_files
    from contested_blocks
    union all
    select
        break_type,
        seg_class,
        bank_account_id,
        account_id,
        currency,
        reference,
        case when side = 'BANK' then amount end as bank_amount,
        case when side = 'LEDGER' then amount end as ledger_amount,
        case when side = 'BANK' then amount else -amount end as difference,
        case when side = 'BANK' then [record_id] else cast([] as varchar[]) end as bank_records,
        case when side = 'LEDGER' then [record_id] else cast([] as varchar[]) end as ledger_records,
        [source_file] as source_files
    from unpaired
    union all
    select
        outcome as break_type,
        seg_class,
        bank_account_id,
        account_id,
        currency,
        reference,
        bank_amount,
        ledger_amount,
        difference,
        bank_records,
        ledger_records,
        source_files
    from ambiguous
)

select
    'CASH' as recon,
    break_type,
    'NEW' as status,
    seg_class,
    bank_account_id,
    account_id as account,
    currency,
    reference,
    cast(null as decimal(38, 9)) as clearing_amount,
    bank_amount,
    ledger_amount,
    difference,
    cast(null as date) as expected_date,
    cast([] as varchar[]) as clearing_records,
    bank_records,
    ledger_records,
    source_files,
    concat(bank_account_id, '|', currency, '|', reference) as grain_key
from breaks
