"""segregation.invariants catches a mart that breaks its own arithmetic or disagrees with compute.py."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from recon.errors import InvariantViolation
from segregation.invariants import check_marts, cross_check
from segregation.lines import Settings
from tests.segregation.examples import DAY, worked_example
from tests.segregation.harness import input_tables, run_sql


@pytest.fixture(scope="module")
def marts() -> dict[str, list[dict]]:
    return run_sql(worked_example(), DAY)


def _tamper(marts: dict, table: str, line: str, currency: str = "ALL") -> dict:
    changed = copy.deepcopy(marts)
    row = next(r for r in changed[table] if r["line"] == line and r["currency"] == currency and r["seg_class"] == "SEG")
    row["amount_usd"] += Decimal("0.000000001")
    return changed


@pytest.mark.parametrize("table, line, currency, message", [
    ("seg_statement_lines", "14", "ALL", "EXCESS"),
    ("seg_statement_lines", "16", "ALL", "OVER_TARGET"),
    ("seg_statement_lines", "7A", "USD", "sum of its sources"),
    ("seg_line_sources", "8A", "USD", "sum of its sources"),
])
def test_check_marts_finds_a_broken_figure(marts, table: str, line: str, currency: str, message: str) -> None:
    """One nano-dollar off on a role line or a drill-down row stops the run, naming what broke."""
    changed = _tamper(marts, table, line, currency)
    with pytest.raises(InvariantViolation, match=message):
        check_marts(changed["seg_statement_lines"], changed["seg_alerts"], changed["seg_line_sources"])


def test_check_marts_refuses_duplicate_alert_ids(marts) -> None:
    """Alert ids derive from content and must be unique."""
    alerts = marts["seg_alerts"] + marts["seg_alerts"][:1]
    with pytest.raises(InvariantViolation, match="alert_id"):
        check_marts(marts["seg_statement_lines"], alerts, marts["seg_line_sources"])


def test_cross_check_finds_sql_that_disagrees_with_python(marts) -> None:
    """A line the SQL computed differently from compute.py is a defect: the cross-check names it."""
    tables = {name: table.to_pylist() for name, table in input_tables(worked_example()).items()}
    cross_check(lambda name: tables[name], DAY, Settings(), marts)
    changed = _tamper(marts, "seg_statement_lines", "1B", "USD")
    with pytest.raises(InvariantViolation, match=r"line \('SEG', 2, 'USD'\)"):
        cross_check(lambda name: tables[name], DAY, Settings(), changed)
