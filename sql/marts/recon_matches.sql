-- Every match of every reconciliation run today.
with matches as (
    select * from int_matches_all
)

select * from matches
