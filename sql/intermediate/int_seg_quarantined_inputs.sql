-- The quarantined rows of the day's files the statements are computed from (ledger balances, custody, other-FCM
-- equities and, for the SECURED statement, foreign depository equities and foreign requirements), per class they may
-- belong to: a row that breaks its contract (src_quarantined_rows) or a balance of an account the reference data does
-- not know (int_ledger_balances_routed). Their money is in no statement; seg_alerts names them so that nobody signs a
-- statement without knowing (inputs.md: the statement is still published, the counts per file show it).
with quarantined_rows as (
    select source_file, record_id, currency, amount from src_quarantined_rows
),

unknown_account_balances as (
    select source_file, record_id, currency, cash_balance as amount
    from int_ledger_balances_routed
    where route = 'QUARANTINE'
),

classes as (
    select distinct seg_class from stg_segregation__lines
),

-- the statements of every class read balances, custody and other-FCM equities; only SECURED reads the foreign files
files as (
    select 'balances' as file_name, false as secured_only
    union all
    select 'custody' as file_name, false as secured_only
    union all
    select 'other_fcm_equities' as file_name, false as secured_only
    union all
    select 'foreign_depository_equities' as file_name, true as secured_only
    union all
    select 'foreign_requirements' as file_name, true as secured_only
),

statement_files as (
    select
        files.file_name,
        classes.seg_class
    from files
    cross join classes
    where not files.secured_only or classes.seg_class = 'SECURED'
),

quarantined as (
    select * from quarantined_rows
    union all
    select * from unknown_account_balances
)

select
    statement_files.seg_class,
    quarantined.source_file,
    quarantined.record_id,
    quarantined.currency,
    quarantined.amount
from quarantined
inner join statement_files
    on quarantined.source_file like concat('%/ledger/', statement_files.file_name, '.csv')
    or quarantined.source_file like concat('%/ledger/', statement_files.file_name, '.parquet')
