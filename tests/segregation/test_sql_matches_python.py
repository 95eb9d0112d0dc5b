"""The SQL models and compute.py agree row for row on randomised days, and every line equals its drill-down."""

from __future__ import annotations

import random

import pytest

from segregation.lines import Settings
from tests.segregation.checks import LINE_KEY, SOURCE_KEY, assert_same_rows, assert_sources_sum_to_lines, keyed
from tests.segregation.examples import DAY, random_example
from tests.segregation.harness import run_python, run_sql

CASES = [
    (1, None, False, Settings()),
    (2, "CHF", False, Settings()),
    (3, None, True, Settings(combine_beneficial_owners=True)),
    (4, "JPY", False, Settings(residual_interest_debit="GROSS")),
    (5, None, False, Settings(combine_beneficial_owners=True, residual_interest_debit="GROSS")),
]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"seed{c[0]}-{c[1] or 'all-rates'}")
def day(request: pytest.FixtureRequest):
    seed, missing_rate, file_problem, settings = request.param
    rows = random_example(seed, missing_rate=missing_rate, file_problem=file_problem)
    return rows, settings, run_sql(rows, DAY, settings, extra=("int_seg_account_equity",)), run_python(rows, DAY, settings)


def test_statement_lines_agree(day) -> None:
    """Every line of every class, per currency and in USD, and the statement status, are equal on both sides."""
    _, _, sql, python = day
    assert_same_rows(sql["seg_statement_lines"], python.lines, LINE_KEY)


def test_alerts_agree(day) -> None:
    """The same alerts (id, class, code, severity, currency, amount, subject) on both sides."""
    _, _, sql, python = day
    assert_same_rows(sql["seg_alerts"], python.alerts, ("alert_id",), drop=("message",))


def test_drill_down_and_account_figures_agree(day) -> None:
    """The same source rows, and the same NLE, DEF, OFFSET, UM and UM_ADJ per account (or owner)."""
    _, _, sql, python = day
    assert_same_rows(sql["seg_line_sources"], python.sources, SOURCE_KEY)
    assert_same_rows(sql["int_seg_account_equity"], python.accounts, ("seg_class", "unit_id"))


def test_every_line_equals_its_sources(day) -> None:
    """Per line and currency the drill-down sums to the line exactly; per line its USD sums to the class total."""
    _, _, sql, _ = day
    assert_sources_sum_to_lines(sql["seg_statement_lines"], sql["seg_line_sources"])


def test_excess_is_funds_less_requirement(day) -> None:
    """Assert in pairs: EXCESS = FUNDS - REQUIRED and OVER_TARGET = EXCESS - TARGET for every class, in USD."""
    _, _, sql, _ = day
    for seg_class in ("SEG", "SECURED", "CLEARED_SWAPS"):
        role = {r["role"]: r["amount_usd"] for r in sql["seg_statement_lines"]
                if r["seg_class"] == seg_class and r["currency"] == "ALL" and r["role"]}
        assert role["EXCESS"] == role["FUNDS"] - role["REQUIRED"]
        assert role["OVER_TARGET"] == role["EXCESS"] - role["TARGET"]


def test_shuffled_inputs_give_the_same_marts(day) -> None:
    """Determinism: the same rows in another order give identical marts (ids derive from content). A mart's row
    order is not part of its contents (the warehouse reads a partition in key order), so rows are compared by key."""
    rows, settings, sql, _ = day
    shuffled = {name: random.Random(7).sample(table, len(table)) for name, table in rows.items()}
    again = run_sql(shuffled, DAY, settings)
    for name, key in (("seg_statement_lines", LINE_KEY), ("seg_alerts", ("alert_id",)),
                      ("seg_line_sources", SOURCE_KEY)):
        assert keyed(again[name], key) == keyed(sql[name], key), name
    ids = [a["alert_id"] for a in sql["seg_alerts"]]
    assert len(ids) == len(set(ids))
