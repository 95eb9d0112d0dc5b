"""A ledger balance row of an account reference/accounts.csv does not know on the business date is quarantined with
its detail and counted as quarantined, never silently dropped from the segregation statement (inputs.md, "What bad
input gets")."""

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
BALANCES = f"{DAY.isoformat()}/ledger/balances.csv"
UNKNOWN_ROW = "C999999,USD,100.00,0.00,0.00,0.00,0.00,0.00,0.00\n"


def _tables(warehouse: Path) -> dict[str, list[dict]]:
    with DuckDBWarehouse(warehouse) as target:
        return {name: target.read_partition(name, DAY)
                for name in ("quarantine", "conservation", "seg_statement_lines", "seg_line_sources")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, int, int, int]:
    """The generated day run as generated, and again with one balance row of an unknown account appended."""
    root = tmp_path_factory.mktemp("unknown_account")
    landing = root / "landing"
    generate(landing, OPTIONS)
    clean = run_day(DAY, landing, root / "clean.duckdb", documents=False).exit_code
    with (landing / BALANCES).open("a", encoding="utf-8") as handle:
        handle.write(UNKNOWN_ROW)
    line = len((landing / BALANCES).read_text(encoding="utf-8").splitlines())
    exit_code = run_day(DAY, landing, root / "bad.duckdb", documents=False).exit_code
    return _tables(root / "clean.duckdb"), _tables(root / "bad.duckdb"), clean, exit_code, line


def test_the_row_is_quarantined_with_file_line_field_expected_and_found(runs) -> None:
    clean, bad, _, _, line = runs
    assert [q for q in clean["quarantine"] if q["source_file"] == BALANCES] == []
    (row,) = [q for q in bad["quarantine"] if q["source_file"] == BALANCES]
    assert (row["scope"], row["location"], row["field"], row["code"], row["found"]) == (
        "ROW", f"line {line}", "account_id", "UNKNOWN_ACCOUNT", "C999999")
    assert row["expected"] == "an account in reference/accounts.csv in force on the business date"
    assert (row["amount"], row["currency"]) == (Decimal("100.00"), "USD")
    assert row["file_sha256"]


def test_conservation_counts_it_as_quarantined_in_count_and_amount(runs) -> None:
    clean, bad, _, _, _ = runs
    before = next(r for r in clean["conservation"] if r["source_file"] == BALANCES and r["currency"] == "USD")
    after = next(r for r in bad["conservation"] if r["source_file"] == BALANCES and r["currency"] == "USD")
    assert after["rows_read"] == before["rows_read"] + 1
    assert (after["rows_quarantined"], after["amount_quarantined"]) == (1, Decimal("100.00"))
    assert (after["rows_out_of_scope"], after["amount_out_of_scope"]) == (
        before["rows_out_of_scope"], before["amount_out_of_scope"])
    assert after["amount_read"] == before["amount_read"] + Decimal("100.00")


def test_the_statement_leaves_it_out_and_the_run_completes(runs) -> None:
    """Its money is in no line (the quarantine row is the trace) and nothing else changes; a quarantined row is not
    a rejected file, so the run exits 0 (product.md) and the statements stay as they were."""
    clean, bad, clean_exit, exit_code, _ = runs
    assert (clean_exit, exit_code) == (0, 0)
    assert [s for s in bad["seg_line_sources"] if s["subject"] == "C999999"] == []
    assert bad["seg_statement_lines"] == clean["seg_statement_lines"]
