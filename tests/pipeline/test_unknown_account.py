"""A ledger row (balances, positions, trades, cash journal) of an account reference/accounts.csv does not know on the
business date is quarantined with its detail and counted as quarantined, never silently dropped from the segregation
statement nor reported as a break against the clearing side (inputs.md, "What bad input gets")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from recon.generate import GenerateOptions, generate
from recon.pipeline import run_day
from recon.warehouse import DuckDBWarehouse

DAY = date(2026, 3, 2)
OPTIONS = GenerateOptions(start=DAY, days=1, accounts=12, trades_per_day=20, seed=7)
LEDGER = f"{DAY.isoformat()}/ledger"
# One row per ledger file naming an account the reference data does not know: (file, row, amount, currency).
UNKNOWN_ROWS = {
    f"{LEDGER}/balances.csv": ("C999999,USD,100.00,0.00,0.00,0.00,0.00,0.00,0.00\n", Decimal("100.00"), "USD"),
    f"{LEDGER}/positions.csv": ("C999999,CME,ES,FUT,202606,,,3,0,4957.75,USD\n", None, "USD"),
    f"{LEDGER}/trades.csv": ("T20260302-99999999,2026-03-02,C999999,CME,ES,FUT,202606,,,BUY,3,4940.50,ACTIVE,,\n",
                             None, ""),
    f"{LEDGER}/cash_journal.csv": (f"J20260302-9999999,{DAY.isoformat()},C999999,410000102,SEG,CUSTOMER_DEPOSIT,"
                                   "Customer C999999,USD,250.00,DEP-20260302-999999,WIRE deposit\n",
                                   Decimal("250.00"), "USD"),
}
EXPECTED = "an account in reference/accounts.csv in force on the business date"
# The books that record the deposit carry it in their balance of its bank account (bank_balances.csv).
BOOK_BALANCES, DEPOSIT_ACCOUNT = f"{LEDGER}/bank_balances.csv", "410000102,USD,"


def _tables(warehouse: Path) -> dict[str, list[dict]]:
    with DuckDBWarehouse(warehouse) as target:
        return {name: target.read_partition(name, DAY)
                for name in ("quarantine", "conservation", "seg_statement_lines", "seg_line_sources", "recon_breaks",
                             "recon_matches", "seg_alerts")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, int, int, dict[str, int]]:
    """The generated day run as generated, and again with one unknown-account row appended to each ledger file (the
    deposit's bank account's book balance raised by it)."""
    root = tmp_path_factory.mktemp("unknown_account")
    landing = root / "landing"
    generate(landing, OPTIONS)
    clean = run_day(DAY, landing, root / "clean.duckdb", documents=False).exit_code
    lines = {}
    for name, (row, _, _) in UNKNOWN_ROWS.items():
        with (landing / name).open("a", encoding="utf-8") as handle:
            handle.write(row)
        lines[name] = len((landing / name).read_text(encoding="utf-8").splitlines())
    _add_to_book_balance(landing / BOOK_BALANCES, UNKNOWN_ROWS[f"{LEDGER}/cash_journal.csv"][1])
    exit_code = run_day(DAY, landing, root / "bad.duckdb", documents=False).exit_code
    return _tables(root / "clean.duckdb"), _tables(root / "bad.duckdb"), clean, exit_code, lines


def _add_to_book_balance(path: Path, amount: Decimal) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    (index,) = [i for i, line in enumerate(lines) if line.startswith(DEPOSIT_ACCOUNT)]
    balance = Decimal(lines[index].strip().rsplit(",", 1)[1])
    lines[index] = f"{DEPOSIT_ACCOUNT}{balance + amount}\n"
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize("name", sorted(UNKNOWN_ROWS))
def test_the_row_is_quarantined_with_file_line_field_expected_and_found(runs, name: str) -> None:
    clean, bad, _, _, lines = runs
    assert [q for q in clean["quarantine"] if q["source_file"] == name] == []
    (row,) = [q for q in bad["quarantine"] if q["source_file"] == name]
    assert (row["scope"], row["location"], row["field"], row["code"], row["found"]) == (
        "ROW", f"line {lines[name]}", "account_id", "UNKNOWN_ACCOUNT", "C999999")
    assert row["expected"] == EXPECTED
    assert "C999999" in row["message"] and "does not have in force on the business date" in row["message"]
    _, amount, currency = UNKNOWN_ROWS[name]
    assert (row["amount"], row["currency"]) == (amount, currency)
    assert row["file_sha256"]


@pytest.mark.parametrize("name", sorted(UNKNOWN_ROWS))
def test_conservation_counts_it_as_quarantined(runs, name: str) -> None:
    clean, bad, _, _, _ = runs
    _, amount, currency = UNKNOWN_ROWS[name]
    before, after = _file_totals(clean, name, currency), _file_totals(bad, name, currency)
    assert after["rows_read"] == before["rows_read"] + 1
    assert (after["rows_quarantined"], before["rows_quarantined"]) == (1, 0)
    if amount is not None:
        assert after["amount_quarantined"] == amount
        assert after["amount_read"] == before["amount_read"] + amount
    for key in ("rows_matched", "rows_in_breaks", "rows_pending", "rows_out_of_scope"):
        assert after[key] == before[key], key


def _file_totals(tables: dict, name: str, currency: str) -> dict[str, int | Decimal]:
    """The file's conservation counts and amounts in ``currency``, over every recon its rows went to."""
    rows = [r for r in tables["conservation"] if r["source_file"] == name and r["currency"] == currency]
    keys = [k for k in rows[0] if k.startswith(("rows_", "amount_"))]
    return {key: sum(row[key] for row in rows) for key in keys}


def test_no_break_or_match_names_the_rows(runs) -> None:
    """The unknown account's position, trade and journal entry are not differences against the clearing house or the
    bank: the breaks and matches are those of the clean run (proof of cash counts the quarantined deposit, which the
    book balance includes, as explained)."""
    clean, bad, _, _, _ = runs
    quarantined = {q["record_id"] for q in bad["quarantine"] if q["code"] == "UNKNOWN_ACCOUNT"}
    assert len(quarantined) == len(UNKNOWN_ROWS)
    for table in ("recon_breaks", "recon_matches"):
        named = {r for row in bad[table] for side in ("clearing_records", "bank_records", "ledger_records")
                 for r in row[side]}
        assert not quarantined & named, table
        assert len(bad[table]) == len(clean[table]), table


def test_the_statement_leaves_them_out_and_the_run_completes(runs) -> None:
    """Their money is in no line (the quarantine rows are the trace) and nothing else changes; a quarantined row is
    not a rejected file, so the run exits 0 (product.md) and the statements stay as they were."""
    clean, bad, clean_exit, exit_code, _ = runs
    assert (clean_exit, exit_code) == (0, 0)
    assert [s for s in bad["seg_line_sources"] if s["subject"] == "C999999"] == []
    assert bad["seg_statement_lines"] == clean["seg_statement_lines"]


def test_every_statement_names_the_quarantined_balance(runs) -> None:
    """The balance row's money is in no statement: each customer class's statement carries a HIGH alert naming the
    file and the amount, so nobody signs it unaware; the statement stays fileable (a bad row is not a bad file)."""
    clean, bad, _, _, _ = runs
    balances = f"{LEDGER}/balances.csv"
    assert [a for a in clean["seg_alerts"] if a["code"] == "QUARANTINED_INPUT_ROWS"] == []
    alerts = [a for a in bad["seg_alerts"] if a["code"] == "QUARANTINED_INPUT_ROWS"]
    assert sorted((a["seg_class"], a["subject"], a["severity"]) for a in alerts) == [
        (seg_class, balances, "HIGH") for seg_class in ("CLEARED_SWAPS", "SECURED", "SEG")]
    assert all(a["message"].startswith(f"1 row(s) of {balances} were quarantined (USD 100;") for a in alerts)
