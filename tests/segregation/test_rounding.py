"""Rounding happens once per product, half-even at scale 9, the same in SQL (a DuckDB workaround) and in Python."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.segregation.examples import DAY, account, balance, option_report
from tests.segregation.harness import run_python, run_sql

# (amount in XTS at 0.5 USD per unit, USD contribution): exact halves go to the even neighbour
FX_TIES = [("0.000000001", "0"), ("0.000000003", "0.000000002"), ("-0.000000001", "0"),
           ("-0.000000003", "-0.000000002"), ("0.000000005", "0.000000002"), ("0.000000007", "0.000000004"),
           ("12345678901234.123456789", "6172839450617.061728394")]


def _fx_rows() -> dict[str, list[dict]]:
    return {
        "src_reference__accounts": [account(f"T{n}") for n in range(len(FX_TIES))],
        "src_ledger__balances": [balance(f"T{n}", "XTS", amount) for n, (amount, _) in enumerate(FX_TIES)],
        "src_reference__fx_rates": [{"currency": "XTS", "usd_per_unit": Decimal("0.5"), "record_id": "fx:XTS",
                                     "source_file": "fx_rates.csv"}],
    }


@pytest.mark.parametrize("side", ["sql", "python"])
def test_fx_conversion_rounds_half_even(side: str) -> None:
    """Each balance row's USD value is amount x rate rounded half-even (DuckDB's cast alone rounds half away)."""
    rows = _fx_rows()
    sources = run_sql(rows, DAY)["seg_line_sources"] if side == "sql" else run_python(rows, DAY).sources
    found = {s["subject"]: s["amount_usd"] for s in sources if s["line"] == "1A"}
    assert found == {f"T{n}": Decimal(usd) for n, (_, usd) in enumerate(FX_TIES)}


@pytest.mark.parametrize("side", ["sql", "python"])
def test_option_values_round_half_even_at_each_step(side: str) -> None:
    """SetPx 0.000000003 x price_factor 0.5 = 0.0000000015 -> 0.000000002, then x multiplier 1 x FIN long 1."""
    rows = {
        "int_position_reports_classified": [option_report("tie", "SEG", "1", "0", "0.000000003")],
        "src_reference__products": [{"exchange": "CBT", "product_code": "OZN", "instrument_type": "OPT",
                                     "multiplier": Decimal(1), "price_factor": Decimal("0.5"), "currency": "USD",
                                     "foreign_board": "N"}],
    }
    sources = run_sql(rows, DAY)["seg_line_sources"] if side == "sql" else run_python(rows, DAY).sources
    assert [(s["line"], s["amount_usd"]) for s in sources] == [("10A", Decimal("0.000000002"))]


@pytest.mark.parametrize("line_6, target", [("0.5", "0"), ("1.5", "0.000000002"), ("2.5", "0.000000002"),
                                            ("3.5", "0.000000004")])
@pytest.mark.parametrize("side", ["sql", "python"])
def test_the_target_percentage_rounds_half_even(side: str, line_6: str, target: str) -> None:
    """A target of 0.000000001 x line 6: line 6 = n + 0.5 gives a tie at the 9th place, rounded to even."""
    rows = {
        "src_reference__accounts": [account("T")],
        "src_ledger__balances": [balance("T", "USD", line_6)],
        "src_reference__targets": [{"seg_class": "SEG", "target_amount_usd": None,
                                    "target_pct_of_requirement": Decimal("0.000000001"), "approved_by": "B",
                                    "approved_on": DAY}],
    }
    lines = run_sql(rows, DAY)["seg_statement_lines"] if side == "sql" else run_python(rows, DAY).lines
    [row] = [r for r in lines if r["seg_class"] == "SEG" and r["line"] == "15"]
    assert row["amount_usd"] == Decimal(target)
