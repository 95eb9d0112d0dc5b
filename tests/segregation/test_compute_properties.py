"""Properties of compute.py on arbitrary ledgers: the spec's per-account formulas hold and every line is its sources."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from segregation.compute import SegInputs, compute_statements
from segregation.lines import Settings
from tests.segregation.checks import assert_sources_sum_to_lines
from tests.segregation.examples import DAY, account, balance

AMOUNTS = st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
VALUES = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
RATES = st.decimals(min_value=Decimal("0.000000001"), max_value=1000, places=9, allow_nan=False, allow_infinity=False)
ROW = st.tuples(st.integers(0, 5), st.sampled_from(("USD", "EUR", "JPY")), AMOUNTS, VALUES, AMOUNTS, VALUES, VALUES,
                VALUES, VALUES)


def _inputs(rows: list[tuple], eur: Decimal, jpy: Decimal) -> SegInputs:
    seen, balances = set(), []
    for n, currency, cash, sec, ote, long, short, im, offset in rows:
        if (n, currency) not in seen:
            seen.add((n, currency))
            balances.append(balance(f"P{n}", currency, str(cash), str(sec), str(ote), str(long), str(short), str(im),
                                    str(offset)))
    return SegInputs(
        DAY, balances=tuple(balances),
        accounts=tuple(account(f"P{n}", ("SEG", "SECURED", "CLEARED_SWAPS")[n % 3], owner=f"O{n % 2}")
                       for n in range(6)),
        fx_rates=({"currency": "EUR", "usd_per_unit": eur}, {"currency": "JPY", "usd_per_unit": jpy}))


@settings(max_examples=60, deadline=None)
@given(st.lists(ROW, max_size=12), RATES, RATES, st.booleans(), st.sampled_from(("NET", "GROSS")))
def test_per_account_formulas_and_drill_down_hold(rows, eur, jpy, combine, debit) -> None:
    """For any ledger and rates: line 5 gross / offset are the sums of DEF and OFFSET; 6 = 4 + 5; EXCESS = FUNDS -
    REQUIRED; UM_ADJ follows the setting; every line equals its drill-down."""
    result = compute_statements(_inputs(rows, eur, jpy), Settings(combine, debit))
    usd = {(r["seg_class"], r["line"]): r["amount_usd"] for r in result.lines if r["currency"] == "ALL"}
    for seg_class in ("SEG", "SECURED", "CLEARED_SWAPS"):
        units = [u for u in result.accounts if u["seg_class"] == seg_class]
        assert usd[(seg_class, "5_GROSS")] == sum((u["def_usd"] for u in units), Decimal(0))
        assert usd[(seg_class, "5_OFFSET")] == -sum((u["offset_usd"] for u in units), Decimal(0))
        assert usd[(seg_class, "6")] == usd[(seg_class, "4")] + usd[(seg_class, "5")]
        excess, funds, required = ("F9", "F8", "7") if seg_class == "SECURED" else ("14", "13", "6")
        assert usd[(seg_class, excess)] == usd[(seg_class, funds)] - usd[(seg_class, required)]
    for u in result.accounts:
        assert u["def_usd"] == max(Decimal(0), -u["nle_usd"])
        assert u["offset_usd"] == min(u["def_usd"], u["offset_securities_usd"])
        debit_amount = u["def_usd"] if debit == "GROSS" else u["def_usd"] - u["offset_usd"]
        assert u["um_adj_usd"] == u["um_usd"] - min(u["um_usd"], debit_amount)
    assert_sources_sum_to_lines(result.lines, result.sources)
