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
