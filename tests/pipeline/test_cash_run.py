"""The CASH slice end to end: landing files -> `fcm-recon run` -> warehouse tables."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from recon import calendar
from recon.cli import main
from recon.warehouse import DuckDBWarehouse
from tests.factory import DAY, CashDay, credit, debit, journal_row

NEXT_DAY = calendar.next_business_day(DAY)


def cash_day() -> CashDay:
    """A day with one case of every CASH outcome, amounts beyond float precision included."""
    day = CashDay()
    day.bank["100200300"] = [
        credit("1000.00", "REF-A"),
        credit("999.00", "REF-B"),
        credit("998.99", "REF-C"),
        credit("12345678901234567.89", "REF-D"),
        credit("500.00", "REF-E"),
        credit("70.00", "REF-F"),
        credit("300.00", "REF-H"),
        credit("300.00", "REF-H"),
        debit("250.00", "REF-I"),
    ]
    day.bank["100200400"] = [credit("5000.00", "CME-ITD-20261124")]
    day.journal = [
        journal_row("J1", "1000.00", "ref-a "),
        journal_row("J2", "1000.00", "REF-B"),
        journal_row("J3", "1000.00", "REF-C"),
        journal_row("J4", "12345678901234568.90", "REF-D"),
        journal_row("J5", "500.00", "REF-E", value_date=NEXT_DAY),
        journal_row("J7", "-40.00", "REF-G", entry_type="CUSTOMER_WITHDRAWAL"),
        journal_row("J8", "300.00", "REF-H"),
        journal_row("J9", "-250.00", "REF-I", entry_type="CUSTOMER_WITHDRAWAL"),
        journal_row("J10", "5000.00", "CME-ITD-20261124", entry_type="DCO_SETTLEMENT", bank_account_id="100200400"),
        journal_row("J11", "10.00", "REF-X", bank_account_id="999999"),
        journal_row("J12", "12x", "REF-Y"),
    ]
    return day


def run(landing: Path, warehouse: Path, *extra: str) -> int:
    return main(["run", "--date", DAY.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse), *extra])


@pytest.fixture()
def published(tmp_path: Path) -> Path:
    landing = cash_day().write(tmp_path / "landing")
    warehouse = tmp_path / "wh.duckdb"
    assert run(landing, warehouse) == 0
    return warehouse


def test_every_cash_outcome_is_reported_with_its_type_and_exact_difference(published: Path) -> None:
    """Each planted CASH case ends as the right match or break, with the exact decimal difference."""
    with DuckDBWarehouse(published) as warehouse:
        breaks = {(b["reference"], b["break_type"]): b["difference"]
                  for b in warehouse.read_partition("recon_breaks", DAY) if b["recon"] == "CASH"}
        matches = {m["reference"]: (m["rule_id"], m["difference"])
                   for m in warehouse.read_partition("recon_matches", DAY) if m["recon"] == "CASH"}
    assert breaks == {
        ("REF-C", "AMOUNT_MISMATCH"): Decimal("-1.01"),
        ("REF-D", "AMOUNT_MISMATCH"): Decimal("-1.01"),
        ("REF-E", "DATE_MISMATCH"): Decimal("0"),
        ("REF-F", "MISSING_LEDGER"): Decimal("70.00"),
        ("REF-G", "MISSING_BANK"): Decimal("40.00"),
        ("REF-H", "DUPLICATE"): Decimal("300.00"),
    }
    assert matches == {
        "REF-A": ("CASH-EXACT", Decimal("0")),
        "REF-B": ("CASH-REFERENCE", Decimal("-1.00")),
        "REF-H": ("CASH-EXACT", Decimal("0")),
        "REF-I": ("CASH-EXACT", Decimal("0")),
    }


def test_amounts_beyond_float_precision_come_back_exactly(published: Path) -> None:
    """12345678901234567.89 survives file -> DuckDB -> warehouse unchanged (a float would give ...568)."""
    with DuckDBWarehouse(published) as warehouse:
        row = next(b for b in warehouse.read_partition("recon_breaks", DAY) if b["reference"] == "REF-D")
        money_types = warehouse.connection.execute(
            "select distinct data_type from information_schema.columns where table_name = 'recon_breaks' "
            "and column_name in ('bank_amount', 'ledger_amount', 'difference')").fetchall()
    assert row["bank_amount"] == Decimal("12345678901234567.89")
    assert row["ledger_amount"] == Decimal("12345678901234568.90")
    assert money_types == [("DECIMAL(38,9)",)]


def test_every_row_is_accounted_for_per_file(published: Path) -> None:
    """Conservation: per file, read = matched + breaks + pending + quarantined + out of scope, in count and amount."""
    with DuckDBWarehouse(published) as warehouse:
        rows = warehouse.read_partition("conservation", DAY)
        quarantine = warehouse.read_partition("quarantine", DAY)
    by_file: dict[str, dict[str, int]] = {}
    for row in rows:
        totals = by_file.setdefault(row["source_file"], {})
        for key in ("rows_read", "rows_matched", "rows_in_breaks", "rows_quarantined", "rows_out_of_scope"):
            totals[key] = totals.get(key, 0) + row[key]
    journal = by_file["2026-11-24/ledger/cash_journal.csv"]
    bank = by_file["2026-11-24/bank/bankone.bai2"]
    # the DCO wire and journal entry have no position reports behind them: a MISSING_CLEARING break, not a match
    assert journal == {"rows_read": 11, "rows_matched": 4, "rows_in_breaks": 5, "rows_quarantined": 2,
                       "rows_out_of_scope": 0}
    assert bank == {"rows_read": 10, "rows_matched": 4, "rows_in_breaks": 6, "rows_quarantined": 0,
                    "rows_out_of_scope": 0}
    codes = sorted((q["code"], q["found"]) for q in quarantine)
    assert codes == [("BAD_DECIMAL", "12x"), ("UNKNOWN_BANK_ACCOUNT", "999999")]


def test_a_wrong_49_trailer_rejects_the_file_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A BAI2 file whose 49 total is wrong loads none of its rows; the run exits 2 naming file, record, expected, found."""
    landing = cash_day().write(tmp_path / "landing")
    bank_file = landing / "2026-11-24" / "bank" / "bankone.bai2"
    lines = bank_file.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("49,"))
    total, count = lines[index][3:].rstrip("/").split(",")
    lines[index] = f"49,{int(total) + 1},{count}/"
    bank_file.write_text("\n".join(lines) + "\n")
    warehouse = tmp_path / "wh.duckdb"
    assert run(landing, warehouse) == 2
    out = capsys.readouterr().out
    assert "2026-11-24/bank/bankone.bai2" in out and "49" in out
    assert f"expected {total}, found {int(total) + 1}" in out
    with DuckDBWarehouse(warehouse) as target:
        files = {row["source_file"] for row in target.read_partition("conservation", DAY)}
        rejected = [q for q in target.read_partition("quarantine", DAY) if q["scope"] == "FILE"]
        runs = target.runs(DAY)
    assert "2026-11-24/bank/bankone.bai2" not in files
    assert {q["code"] for q in rejected} >= {"TRAILER_TOTAL_MISMATCH", "MISSING_STATEMENT"}
    assert runs[0]["status"] == "COMPLETED_WITH_REJECTIONS" and runs[0]["exit_code"] == 2
