"""Ledger and reference contracts: typed exact rows from CSV or Parquet, bad rows quarantined, effective dating."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from recon.contracts.ledger import CASH_JOURNAL
from recon.contracts.reference import ACCOUNTS, in_force
from recon.contracts.tabular import read_table
from recon.errors import FileRejected
from tests.factory import JOURNAL_HEADER, write_csv

GOOD = ["J1", "2026-11-24", "C1", "100", "SEG", "CUSTOMER_DEPOSIT", "", "USD", "12345678901234567.89", "R1", ""]


def _journal(tmp_path: Path, *rows: list[object]) -> Path:
    return write_csv(tmp_path / "cash_journal.csv", JOURNAL_HEADER, list(rows))


def test_csv_and_parquet_give_the_same_exact_rows(tmp_path: Path) -> None:
    """The same journal as CSV and as Parquet reads to identical typed rows; the amount is exact."""
    csv_path = _journal(tmp_path, GOOD)
    parquet_path = tmp_path / "cash_journal.parquet"
    pl.read_csv(csv_path, infer_schema=False).write_parquet(parquet_path)
    from_csv = read_table(csv_path, "cash_journal.csv", CASH_JOURNAL).frame.drop("source_file")
    from_parquet = read_table(parquet_path, "cash_journal.csv", CASH_JOURNAL).frame.drop("source_file")
    assert from_csv.to_dicts() == from_parquet.to_dicts()
    assert from_csv["amount"][0] == Decimal("12345678901234567.89")
    assert from_csv["value_date"][0] == date(2026, 11, 24)


@pytest.mark.parametrize(("field", "value", "code"), [
    ("amount", "12x", "BAD_DECIMAL"),
    ("amount", "1e5", "BAD_DECIMAL"),
    ("amount", "1.1234567891", "BAD_DECIMAL"),
    ("amount", "1,000.00", "BAD_DECIMAL"),
    ("value_date", "2026-02-30", "BAD_DATE"),
    ("value_date", "2026-1-24", "BAD_DATE"),
    ("value_date", "+2026-1-24", "BAD_DATE"),
    ("value_date", "2026/11/24", "BAD_DATE"),
    ("amount", ".5", "BAD_DECIMAL"),
    ("currency", "usd", "BAD_CURRENCY"),
    ("entry_type", "GIFT", "BAD_CODE"),
    ("reference", "", "MISSING_VALUE"),
])
def test_a_bad_row_is_quarantined_naming_line_field_expected_and_found(tmp_path: Path, field: str, value: str,
                                                                       code: str) -> None:
    """One bad field quarantines its row only; the problem names the line, the field and the value found."""
    bad = list(GOOD)
    bad[0], bad[JOURNAL_HEADER.index(field)] = "J2", value
    read = read_table(_journal(tmp_path, GOOD, bad), "cash_journal.csv", CASH_JOURNAL)
    assert read.frame["entry_id"].to_list() == ["J1"]
    (problem,) = read.problems
    assert (problem.location, problem.field, problem.code, problem.found) == ("line 3", field, code, value)
    assert problem.expected


@pytest.mark.parametrize(("field", "written"), [
    ("entry_id", " J2"), ("reference", "R2\t"), ("description", "fee\u00a0"), ("account_id", "\u3000C1"),
    ("counterparty", "  Bank of X  "), ("amount", " -5.25 "), ("currency", "USD "), ("value_date", " 2026-11-24"),
])
def test_values_padded_with_any_whitespace_are_read_stripped(tmp_path: Path, field: str, written: str) -> None:
    """A value padded with blanks, a tab or a Unicode space reads as the value; an inner space is kept."""
    padded = list(GOOD)
    padded[0], padded[JOURNAL_HEADER.index("description")] = "J2", "journal entry 2"
    padded[JOURNAL_HEADER.index(field)] = written
    read = read_table(_journal(tmp_path, GOOD, padded), "cash_journal.csv", CASH_JOURNAL)
    assert read.problems == ()
    row = read.frame.row(1, named=True)
    expected = written.strip()
    assert str(row[field]) == (expected if field != "amount" else "-5.250000000")
    if field != "description":
        assert row["description"] == "journal entry 2"
    assert read.frame.row(0, named=True)["entry_id"] == "J1"


def test_a_file_of_only_its_header_reads_as_typed_empty_rows(tmp_path: Path) -> None:
    """A header with no rows is a file with nothing to report: no problem, the contract's types."""
    read = read_table(_journal(tmp_path), "cash_journal.csv", CASH_JOURNAL)
    assert (read.frame.height, read.problems) == (0, ())
    assert read.frame.schema == CASH_JOURNAL.empty_frame().schema


def test_duplicate_keys_quarantine_every_claimant(tmp_path: Path) -> None:
    """Two rows with one entry_id are both quarantined (neither is silently preferred)."""
    read = read_table(_journal(tmp_path, GOOD, GOOD), "cash_journal.csv", CASH_JOURNAL)
    assert read.frame.height == 0 and [p.code for p in read.problems] == ["DUPLICATE_KEY", "DUPLICATE_KEY"]


def test_a_missing_required_column_or_an_empty_file_rejects_the_file(tmp_path: Path) -> None:
    """A file without a required column, or with no header at all, is rejected whole, naming what is missing."""
    path = write_csv(tmp_path / "cash_journal.csv", [c for c in JOURNAL_HEADER if c != "amount"], [])
    with pytest.raises(FileRejected) as rejected:
        read_table(path, "cash_journal.csv", CASH_JOURNAL)
    assert rejected.value.problem.code == "MISSING_COLUMN" and rejected.value.problem.field == "amount"
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(FileRejected) as empty:
        read_table(tmp_path / "empty.csv", "empty.csv", CASH_JOURNAL)
    assert empty.value.problem.code == "UNREADABLE_FILE"


def test_reference_rows_are_chosen_by_effective_date(tmp_path: Path) -> None:
    """The row in force on the date is used; overlapping rows and a PROPRIETARY account outside HOUSE are not."""
    header = [f.name for f in ACCOUNTS.fields]
    rows = [
        ["A1", "Alpha", "SEG", "CUSTOMER", "A1", "SEG-01", "2020-01-01", "2026-06-30"],
        ["A1", "Alpha", "SECURED", "CUSTOMER", "A1", "SEC-01", "2026-07-01", ""],
        ["B1", "Beta", "SEG", "CUSTOMER", "B1", "SEG-01", "2020-01-01", ""],
        ["B1", "Beta", "SEG", "CUSTOMER", "B1", "SEG-02", "2025-01-01", ""],
        ["P1", "Prop", "SEG", "PROPRIETARY", "P1", "HOUSE-01", "2020-01-01", ""],
    ]
    read = read_table(write_csv(tmp_path / "accounts.csv", header, rows), "reference/accounts.csv", ACCOUNTS)
    old, _ = in_force(read, "accounts", date(2026, 1, 5))
    new, problems = in_force(read, "accounts", date(2026, 11, 24))
    assert old.filter(pl.col("account_id") == "A1")["seg_class"].to_list() == ["SEG"]
    assert new["account_id"].to_list() == ["A1"] and new["seg_class"].to_list() == ["SECURED"]
    assert sorted(p.code for p in problems) == [
        "HOUSE_ACCOUNT_IN_CUSTOMER_CLASS", "OVERLAPPING_EFFECTIVE_DATES", "OVERLAPPING_EFFECTIVE_DATES"]
