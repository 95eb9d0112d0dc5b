"""The worked example from landing files through `fcm-recon run` into the warehouse's segregation tables."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from recon.cli import main
from recon.warehouse import DuckDBWarehouse
from tests.segregation.checks import assert_sources_sum_to_lines, usd_lines
from tests.segregation.examples import WORKED_SEG_LINES
from tests.segregation.factory import DAY, write_worked_example


def run(landing: Path, warehouse: Path) -> int:
    return main(["run", "--date", DAY.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse)])


def read(warehouse: Path) -> dict[str, list[dict]]:
    with DuckDBWarehouse(warehouse) as target:
        return {name: target.read_partition(name, DAY)
                for name in ("seg_statement_lines", "seg_alerts", "seg_line_sources")}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    root = tmp_path_factory.mktemp("worked")
    landing = write_worked_example(root / "landing")
    assert run(landing, root / "wh.duckdb") == 0
    return read(root / "wh.duckdb")


def test_every_line_of_the_worked_example_is_published(published) -> None:
    """BAI2 015 -> 7A, custody -> 7B, collateral -> 8A/8C, EOD FMTM -> 9, option PosRpts -> 10A/10B, other FCM ->
    11A, balances and the EUR rate -> 1A-6: every SEG line to the cent, and the statement can be filed."""
    expected = {line: Decimal(v).quantize(Decimal("0.01")) for line, v in WORKED_SEG_LINES.items()}
    assert usd_lines(published["seg_statement_lines"], "SEG") == expected
    assert {r["statement_status"] for r in published["seg_statement_lines"]} == {"FILEABLE"}


def test_residual_interest_shortfall_and_currency_review_are_published(published) -> None:
    """UM_TOTAL 563,500 against RI 306,500: 257,000 to add by 6 p.m. ET on T+1; EUR needs review."""
    found = {(a["code"], a["currency"]): a["amount_usd"] for a in published["seg_alerts"]}
    assert found == {("RESIDUAL_INTEREST_SHORTFALL", None): Decimal("257000"),
                     ("CURRENCY_SHORTFALL", "EUR"): Decimal("132000")}


def test_lines_drill_down_to_the_landed_records(published) -> None:
    """7A goes to the BAI2 file, 9 to the position report file, 1A to balances.csv; every line sums exactly."""
    files = {(s["line"], s["source_file"]) for s in published["seg_line_sources"]}
    assert ("7A", "2026-11-24/bank/bankone.bai2") in files
    assert ("9", "2026-11-24/clearing/positions.xml") in files
    assert ("1A", "2026-11-24/ledger/balances.csv") in files
    assert_sources_sum_to_lines(published["seg_statement_lines"], published["seg_line_sources"])


def test_a_missing_required_file_makes_every_statement_not_fileable(tmp_path: Path) -> None:
    """custody.csv does not arrive: the run exits 2 and every statement is NOT_FILEABLE, the file named."""
    landing = write_worked_example(tmp_path / "landing")
    (landing / DAY.isoformat() / "ledger" / "custody.csv").unlink()
    assert run(landing, tmp_path / "wh.duckdb") == 2
    marts = read(tmp_path / "wh.duckdb")
    assert {r["statement_status"] for r in marts["seg_statement_lines"]} == {"NOT_FILEABLE"}
    incomplete = [a for a in marts["seg_alerts"] if a["code"] == "INCOMPLETE_INPUTS"]
    assert sorted(a["seg_class"] for a in incomplete) == ["CLEARED_SWAPS", "SECURED", "SEG"]
    assert all(a["subject"] == "2026-11-24/ledger/custody.csv" for a in incomplete)
