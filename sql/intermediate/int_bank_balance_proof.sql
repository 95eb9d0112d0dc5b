-- BANK_BALANCE (proof of cash) per bank account and currency: (bank closing - book balance) - explained items.
-- Zero within the rule's tolerance is a match; anything else is unexplained.
with closing as (
    select * from int_bank_closing_balances
),

book as (
    select * from stg_ledger__bank_balances
),

explained as (
    select * from int_bank_balance_explained
),

bank_accounts as (
    select * from stg_reference__bank_accounts
),

rule_pass as (
    select * from stg_rules__passes where rule_id = 'BANK-PROOF'
),

joined as (
    select
        coalesce(closing.bank_account_id, book.bank_account_id) as bank_account_id,
        coalesce(closing.currency, book.currency) as currency,
        closing.amount as bank_amount,
        book.book_balance as ledger_amount,
        coalesce(explained.explained, 0) as explained,
        case when closing.record_id is null then cast([] as varchar[]) else [closing.record_id] end as bank_records,
        case when book.record_id is null then cast([] as varchar[]) else [book.record_id] end as ledger_records,
        -- the bank file and the ledger file are in different folders: concatenation keeps a fixed order
        list_concat(
            case when closing.source_file is null then cast([] as varchar[]) else [closing.source_file] end,
            case when book.source_file is null then cast([] as varchar[]) else [book.source_file] end
        ) as source_files
    from closing
    full outer join book
        on book.bank_account_id = closing.bank_account_id
        and book.currency = closing.currency
    left join explained
        on explained.bank_account_id = coalesce(closing.bank_account_id, book.bank_account_id)
        and explained.currency = coalesce(closing.currency, book.currency)
)

select
    rule_pass.rule_id,
    rule_pass.rule_version,
    joined.*,
    bank_accounts.seg_class,
    coalesce(joined.bank_amount, 0) - coalesce(joined.ledger_amount, 0) - joined.explained as unexplained,
    case
        when joined.bank_amount is null then 'MISSING_BANK'
        when joined.ledger_amount is null then 'MISSING_LEDGER'
        when coalesce(joined.bank_amount, 0) - coalesce(joined.ledger_amount, 0) - joined.explained
            between -rule_pass.amount_tolerance_below and rule_pass.amount_tolerance_above then 'MATCH'
        else 'BALANCE_MISMATCH'
    end as outcome
from joined
cross join rule_pass
left join bank_accounts on bank_accounts.bank_account_id = joined.bank_account_id
