"""The worked example of spec/segregation.md, to the cent, through compute.py and through the SQL models."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.segregation.checks import (LINE_KEY, SOURCE_KEY, assert_same_rows, assert_sources_sum_to_lines,
                                      usd_lines)
from tests.segregation.examples import DAY, WORKED_SEG_LINES, WORKED_UM_ADJ, worked_example
from tests.segregation.harness import run_python, run_sql


@pytest.fixture(scope="module")
def sql() -> dict[str, list[dict]]:
    return run_sql(worked_example(), DAY, extra=("int_seg_account_equity",))


@pytest.fixture(scope="module")
def python():
    return run_python(worked_example(), DAY)


def _expected_lines() -> dict[str, Decimal]:
    return {line: Decimal(amount).quantize(Decimal("0.01")) for line, amount in WORKED_SEG_LINES.items()}


def test_python_reproduces_every_line_to_the_cent(python) -> None:
    """compute.py gives every SEG line of the worked example (1A 1,790,000 ... 14 306,500, 16 56,500)."""
    assert usd_lines(python.lines, "SEG") == _expected_lines()


def test_sql_reproduces_every_line_to_the_cent(sql) -> None:
    """The SQL models give every SEG line of the worked example, and the statement can be filed."""
    assert usd_lines(sql["seg_statement_lines"], "SEG") == _expected_lines()
    assert {r["statement_status"] for r in sql["seg_statement_lines"]} == {"FILEABLE"}


def test_the_eur_account_counts_at_the_day_rate(sql) -> None:
    """E's EUR 100,000 cash and 20,000 OTE appear in EUR and at 1.10 in USD; the USD rows carry the rest."""
    rows = {(r["line"], r["currency"]): (r["amount"], r["amount_usd"]) for r in sql["seg_statement_lines"]
            if r["seg_class"] == "SEG"}
    assert rows[("1A", "EUR")] == (Decimal("100000"), Decimal("110000"))
    assert rows[("2", "EUR")] == (Decimal("20000"), Decimal("22000"))
    assert rows[("1A", "USD")] == (Decimal("1680000"), Decimal("1680000"))
    assert ("15", "EUR") not in rows and ("15", "ALL") in rows


@pytest.mark.parametrize("side", ["sql", "python"])
def test_residual_interest_and_alerts(side: str, sql, python) -> None:
    """UM_ADJ per account (B 400,000, C 13,500, D 150,000) totals 563,500 > RI 306,500: a shortfall of 257,000; the
    EUR requirement (120,000) has no EUR funds: a review alert worth USD 132,000. No other alert."""
    accounts = sql["int_seg_account_equity"] if side == "sql" else python.accounts
    alerts = sql["seg_alerts"] if side == "sql" else python.alerts
    um_adj = {a["unit_id"]: a["um_adj_usd"] for a in accounts if a["seg_class"] == "SEG"}
    assert um_adj == {unit: Decimal(v) for unit, v in WORKED_UM_ADJ.items()}
    assert sum(um_adj.values()) == Decimal("563500")
    found = {(a["seg_class"], a["code"], a["currency"]): (a["severity"], a["amount_usd"], a["subject"]) for a in alerts}
    assert found == {
        ("SEG", "RESIDUAL_INTEREST_SHORTFALL", None): ("HIGH", Decimal("257000"), "14"),
        ("SEG", "CURRENCY_SHORTFALL", "EUR"): ("REVIEW", Decimal("132000"), "EUR"),
    }


def test_the_shortfall_message_gives_the_amount_and_the_deadline(sql) -> None:
    """The residual interest alert says how much to add and by when (6 p.m. Eastern on T+1)."""
    message = next(a["message"] for a in sql["seg_alerts"] if a["code"] == "RESIDUAL_INTEREST_SHORTFALL")
    assert "add USD 257000 by 6 p.m. Eastern on 2026-11-25" in message


def test_line_five_drills_down_to_the_deficit_accounts(sql) -> None:
    """5_GROSS is B's 30,000 and C's 20,000 debit; 5_OFFSET is C's 13,500 of securities."""
    drill = {(s["line"], s["subject"]): s["amount_usd"] for s in sql["seg_line_sources"]
             if s["line"] in ("5_GROSS", "5_OFFSET")}
    assert drill == {("5_GROSS", "B"): Decimal("30000"), ("5_GROSS", "C"): Decimal("20000"),
                     ("5_OFFSET", "C"): Decimal("-13500")}


def test_house_account_is_never_in_a_statement(sql) -> None:
    """Account H (HOUSE) holds 999,999 but no line or source mentions it."""
    assert all(s["subject"] != "H" for s in sql["seg_line_sources"])
    assert all(a["unit_id"] != "account:H" for a in sql["int_seg_account_equity"])


def test_other_classes_are_empty_and_fileable(sql) -> None:
    """SECURED and CLEARED_SWAPS have every line at 0 (no inputs) and no alert."""
    for seg_class in ("SECURED", "CLEARED_SWAPS"):
        assert set(usd_lines(sql["seg_statement_lines"], seg_class).values()) == {Decimal("0.00")}


def test_sql_and_python_agree_row_for_row(sql, python) -> None:
    """Every line, alert (but its wording), source row and per-account figure is the same on both sides."""
    assert_same_rows(sql["seg_statement_lines"], python.lines, LINE_KEY)
    assert_same_rows(sql["seg_alerts"], python.alerts, ("alert_id",), drop=("message",))
    assert_same_rows(sql["seg_line_sources"], python.sources, SOURCE_KEY)
    assert_same_rows(sql["int_seg_account_equity"], python.accounts, ("seg_class", "unit_id"))


def test_each_line_is_the_sum_of_its_sources(sql) -> None:
    """The drill-down of every line sums to it exactly, per currency and in USD."""
    assert_sources_sum_to_lines(sql["seg_statement_lines"], sql["seg_line_sources"])
