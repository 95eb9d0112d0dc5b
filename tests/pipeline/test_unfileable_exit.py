"""A run whose statement is NOT_FILEABLE although no file was rejected (here a currency in use has no FX rate) exits
2 and says which statement and why: product.md's exit 2 is "an input was rejected or is missing", and an on-call
engineer reading exit 0 would take the day for fileable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from recon.generate import GenerateOptions, generate
from recon.pipeline import run_day
from recon.warehouse import DuckDBWarehouse

DAY = date(2026, 3, 2)
OPTIONS = GenerateOptions(start=DAY, days=1, accounts=12, trades_per_day=20, seed=7)
RATES = f"{DAY.isoformat()}/reference/fx_rates.csv"


def test_a_missing_fx_rate_makes_the_run_exit_2_naming_the_statement(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate(landing, OPTIONS)
    assert run_day(DAY, landing, tmp_path / "clean.duckdb", documents=False).exit_code == 0
    rates = landing / RATES
    rates.write_text("".join(line for line in rates.read_text().splitlines(keepends=True)
                             if not line.startswith("EUR,")))
    result = run_day(DAY, landing, tmp_path / "no_eur.duckdb", documents=False)
    published = result.stages["publish"]
    assert result.exit_code == 2 and published["file_problems"] == []
    with DuckDBWarehouse(tmp_path / "no_eur.duckdb") as target:
        unfileable = sorted({row["seg_class"] for row in target.read_partition("seg_statement_lines", DAY)
                             if row["statement_status"] == "NOT_FILEABLE"})
        runs = target.connection.execute("select status, exit_code from runs where run_id = ?",
                                         [published["run_id"]]).fetchall()
    assert unfileable and [line.split(" ", 1)[0] for line in published["unfileable_statements"]] == unfileable
    assert all("MISSING_FX_RATE" in line and "EUR" in line for line in published["unfileable_statements"])
    assert ("COMPLETED_WITH_REJECTIONS", 2) in runs
