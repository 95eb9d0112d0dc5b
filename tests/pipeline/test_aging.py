"""Breaks age across business days: a difference planted on day 1 and fixed on day 3 is NEW, then OPEN one business
day older, then RESOLVED, with the same break id throughout."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from recon import calendar
from recon.pipeline import run_day
from recon.warehouse import DuckDBWarehouse
from tests.factory import DAY, CashDay, write_csv

DAYS = calendar.business_days(DAY, 3)


def _write_day(landing: Path, day: object, book_balance: str) -> None:
    """A quiet day whose bank closes at 1,000.00 on the customer-funds account; the books say ``book_balance``."""
    cash = CashDay()
    cash.closing["100200300"] = Decimal("1000.00")
    cash.write(landing, day)
    write_csv(landing / day.isoformat() / "ledger" / "bank_balances.csv", ["bank_account_id", "currency", "book_balance"],
              [["100200300", "USD", book_balance], ["100200400", "USD", "0.00"]])


def test_a_balance_break_is_new_then_open_then_resolved_with_one_id(tmp_path: Path) -> None:
    """An unexplained 100.00 on days 1 and 2, explained on day 3: NEW age 0, OPEN age 1, RESOLVED; one break id."""
    landing, warehouse = tmp_path / "landing", tmp_path / "wh.duckdb"
    for day, book in zip(DAYS, ("900.00", "900.00", "1000.00")):
        _write_day(landing, day, book)
        assert run_day(day, landing, warehouse).exit_code == 0
    with DuckDBWarehouse(warehouse) as target:
        history = [
            [(b["status"], b["age_business_days"], b["break_id"], b["first_seen_date"], b["difference"])
             for b in target.read_partition("recon_breaks", day) if b["recon"] == "BANK_BALANCE"]
            for day in DAYS
        ]
    (new,), (still_open,), (resolved,) = history
    assert new[:2] == ("NEW", 0) and new[4] == Decimal("100.00")
    assert still_open[:2] == ("OPEN", 1) and still_open[4] == Decimal("100.00")
    assert resolved[:2] == ("RESOLVED", 2) and resolved[4] == 0
    assert new[2] == still_open[2] == resolved[2]
    assert new[3] == still_open[3] == resolved[3] == DAYS[0]


def test_a_break_whose_amount_changes_keeps_its_id(tmp_path: Path) -> None:
    """Unexplained 100.00 on day 1, 150.00 on day 2: the same difference unresolved, so one break id, OPEN at age 1
    with the new amount (the amount is never part of the id)."""
    landing, warehouse = tmp_path / "landing", tmp_path / "wh.duckdb"
    for day, book in zip(DAYS[:2], ("900.00", "850.00")):
        _write_day(landing, day, book)
        assert run_day(day, landing, warehouse).exit_code == 0
    with DuckDBWarehouse(warehouse) as target:
        (first,), (second,) = ([b for b in target.read_partition("recon_breaks", day) if b["recon"] == "BANK_BALANCE"]
                               for day in DAYS[:2])
    assert (first["status"], first["difference"]) == ("NEW", Decimal("100.00"))
    assert (second["status"], second["age_business_days"], second["difference"]) == ("OPEN", 1, Decimal("150.00"))
    assert second["break_id"] == first["break_id"]

def test_re_running_a_day_ages_from_the_day_before_not_from_itself(tmp_path: Path) -> None:
    """Running day 2 twice gives the same OPEN break both times (its age comes from day 1, not from day 2's run)."""
    landing, warehouse = tmp_path / "landing", tmp_path / "wh.duckdb"
    for day in DAYS[:2]:
        _write_day(landing, day, "900.00")
        run_day(day, landing, warehouse)
    with DuckDBWarehouse(warehouse) as target:
        first = target.partition_hash("recon_breaks", DAYS[1])
    run_day(DAYS[1], landing, warehouse)
    with DuckDBWarehouse(warehouse) as target:
        assert target.partition_hash("recon_breaks", DAYS[1]) == first


def test_a_day_whose_previous_business_day_never_ran_is_refused_until_the_gap_is_run(tmp_path: Path) -> None:
    """Day 1 published a break; day 3 run while day 2 never ran would drop it unresolved. The command line refuses
    day 3 (exit 1, naming the missing day and the backfill that fills it) and writes nothing; after day 2 runs, day 3
    carries the break OPEN at age 2 with its id. A date before everything published (history backfilled backwards)
    carries nothing and runs."""
    from recon.cli import main

    landing, warehouse = tmp_path / "landing", tmp_path / "wh.duckdb"
    for day in DAYS:
        _write_day(landing, day, "900.00")
    assert run_day(DAYS[0], landing, warehouse).exit_code == 0
    with DuckDBWarehouse(warehouse) as target:
        before = target.attempts()
    arguments = ["run", "--date", DAYS[2].isoformat(), "--landing", str(landing), "--warehouse", str(warehouse)]
    error = _stderr_of(main, arguments)
    assert error == (f"fcm-recon: error: {DAYS[2]}: the previous CME business day {DAYS[1]} has no completed run, but "
                     f"{DAYS[0]} has: the breaks open on {DAYS[0]} would not be carried into {DAYS[2]}. Run the "
                     f"missing days first: fcm-recon backfill --start {DAYS[1]} --end {DAYS[2]}")
    with DuckDBWarehouse(warehouse) as target:
        assert target.attempts() == before and target.read_partition("recon_breaks", DAYS[2]) == []
    assert run_day(DAYS[1], landing, warehouse).exit_code == 0
    assert run_day(DAYS[2], landing, warehouse).exit_code == 0
    with DuckDBWarehouse(warehouse) as target:
        first, last = ([b for b in target.read_partition("recon_breaks", day) if b["recon"] == "BANK_BALANCE"]
                       for day in (DAYS[0], DAYS[2]))
    assert [(b["status"], b["age_business_days"], b["break_id"]) for b in last] == [("OPEN", 2, first[0]["break_id"])]
    earlier = calendar.previous_business_day(DAYS[0])
    _write_day(landing, earlier, "900.00")
    assert run_day(earlier, landing, warehouse).exit_code == 0


def _stderr_of(main, arguments: list[str]) -> str:
    """The last line ``main`` printed to standard error, after checking it exited 1."""
    import contextlib
    import io

    stream = io.StringIO()
    with contextlib.redirect_stderr(stream):
        assert main(arguments) == 1
    return stream.getvalue().strip().splitlines()[-1]
