"""The acceptance scenarios of the segregation issue, each from landing files through `fcm-recon run`.

Every scenario is the worked example's landing area (tests/segregation/factory.py) with one stated change, run into
its own warehouse; the assertions read what the run published.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from recon.cli import main
from recon.warehouse import DuckDBWarehouse
from tests.segregation.checks import assert_sources_sum_to_lines, usd_lines
from tests.segregation.factory import (BALANCES, BANK_ACCOUNTS, CLOSING, DAY, SINCE, Scenario,
                                       write_worked_example)

D = Decimal


def run_scenario(tmp_path: Path, scenario: Scenario) -> dict[str, list[dict]]:
    """Write the scenario's landing area, run the day, and return the published segregation tables."""
    landing = write_worked_example(tmp_path / "landing", scenario)
    warehouse = tmp_path / "wh.duckdb"
    assert main(["run", "--date", DAY.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse)]) == 0
    with DuckDBWarehouse(warehouse) as target:
        marts = {name: target.read_partition(name, DAY) for name in
                 ("seg_statement_lines", "seg_alerts", "seg_line_sources", "seg_account_figures", "recon_breaks")}
    assert_sources_sum_to_lines(marts["seg_statement_lines"], marts["seg_line_sources"])
    return marts


def alerts(marts: dict, code: str, seg_class: str = "SEG") -> list[dict]:
    return [a for a in marts["seg_alerts"] if a["code"] == code and a["seg_class"] == seg_class]


def test_deficit_accounts_with_and_without_the_securities_offset_and_a_debit_with_no_positions(tmp_path: Path) -> None:
    """B liquidates to a 30,000 deficit with no offset; C's 20,000 debit is offset by 13,500 of securities; X is a
    5,000 debit balance with no positions and no securities: line 5 is 55,000 gross, (13,500) offset, 41,500 net,
    each deficit drills down to its account (line 6 is unchanged: X lowers line 4 by what it adds to line 5), and
    X's debit is not counted again in UM_TOTAL."""
    scenario = Scenario(balances=[*BALANCES, ["X", "USD", "-5000", "0", "0", "0", "0", "0", "0"]],
                        accounts=[(a, "SEG") for a in "ABCDEX"])
    marts = run_scenario(tmp_path, scenario)
    lines = usd_lines(marts["seg_statement_lines"], "SEG")
    assert (lines["5_GROSS"], lines["5_OFFSET"], lines["5"], lines["6"]) == (
        D("55000.00"), D("-13500.00"), D("41500.00"), D("2168500.00"))
    drill = {(s["line"], s["subject"]): s["amount_usd"] for s in marts["seg_line_sources"]
             if s["line"] in ("5_GROSS", "5_OFFSET")}
    assert drill == {("5_GROSS", "B"): D(30000), ("5_GROSS", "C"): D(20000), ("5_GROSS", "X"): D(5000),
                     ("5_OFFSET", "C"): D(-13500)}
    figures = {a["unit_id"]: (a["def_usd"], a["offset_usd"], a["um_usd"], a["um_adj_usd"])
               for a in marts["seg_account_figures"]}
    assert figures["account:X"] == (D(5000), D(0), D(5000), D(0))
    assert figures["account:C"] == (D(20000), D(13500), D(20000), D(13500))
    assert figures["account:B"] == (D(30000), D(0), D(430000), D(400000))


def test_a_class_in_deficiency(tmp_path: Path) -> None:
    """The bank holds 500,000 instead of 900,000: line 14 is (93,500), a CRITICAL DEFICIENCY for 93,500."""
    marts = run_scenario(tmp_path, Scenario(closing=dict(CLOSING, SEGBANK1=D("500000"))))
    assert usd_lines(marts["seg_statement_lines"], "SEG")["14"] == D("-93500.00")
    assert [(a["severity"], a["amount_usd"]) for a in alerts(marts, "DEFICIENCY")] == [("CRITICAL", D(93500))]


@pytest.mark.parametrize("target, line_15, short", [
    (["SEG", "400000", "", "Board", "2026-01-05", SINCE, ""], "400000.00", D(93500)),
    (["SEG", "", "0.2", "Board", "2026-01-05", SINCE, ""], "433700.00", D(127200)),
], ids=["amount", "percentage"])
def test_excess_below_the_management_target(tmp_path: Path, target: list[str], line_15: str, short: Decimal) -> None:
    """Excess 306,500 against a target of 400,000, or of 20% of line 6 (433,700): BELOW_TARGET by the gap, no
    deficiency."""
    marts = run_scenario(tmp_path, Scenario(targets=[target]))
    lines = usd_lines(marts["seg_statement_lines"], "SEG")
    assert (lines["14"], lines["15"]) == (D("306500.00"), D(line_15))
    assert [a["amount_usd"] for a in alerts(marts, "BELOW_TARGET")] == [short]
    assert alerts(marts, "DEFICIENCY") == []


def test_a_missing_acknowledgment_letter(tmp_path: Path) -> None:
    """SEGBANK2 holds 50,000 but has no acknowledgment letter: 7A stays 900,000 and an alert names the account and
    the amount left out."""
    scenario = Scenario(
        bank_accounts=[*BANK_ACCOUNTS, ["SEGBANK2", "Bank One", "BANK", "US", "SEG", "CUSTOMER_FUNDS", "USD", "BAI2",
                                        "", SINCE, ""]],
        closing=dict(CLOSING, SEGBANK2=D("50000")))
    marts = run_scenario(tmp_path, scenario)
    assert usd_lines(marts["seg_statement_lines"], "SEG")["7A"] == D("900000.00")
    [alert] = alerts(marts, "MISSING_ACK_LETTER")
    assert (alert["subject"], alert["amount_usd"], alert["severity"]) == ("SEGBANK2", D(50000), "HIGH")
    assert "SEGBANK2" in alert["message"] and "50000" in alert["message"]


def test_a_single_currency_shortfall_under_a_usd_excess(tmp_path: Path) -> None:
    """E's EUR 120,000 of equity has no EUR funds: a CURRENCY_SHORTFALL review for USD 132,000 while the class is
    306,500 in excess in USD."""
    marts = run_scenario(tmp_path, Scenario())
    assert usd_lines(marts["seg_statement_lines"], "SEG")["14"] == D("306500.00")
    [alert] = alerts(marts, "CURRENCY_SHORTFALL")
    assert (alert["currency"], alert["amount_usd"], alert["severity"]) == ("EUR", D(132000), "REVIEW")


def test_secured_where_the_foreign_jurisdiction_amount_governs(tmp_path: Path) -> None:
    """S1 (SECURED) has 100,000 of equity, the UK requires 150,000: line 7 is the greater, 150,000; F1A holds
    120,000 at a US bank, so F9 is (30,000) and SECURED is in deficiency."""
    scenario = Scenario(
        balances=[*BALANCES, ["S1", "USD", "100000", "0", "0", "0", "0", "0", "0"]],
        accounts=[*[(a, "SEG") for a in "ABCDE"], ("S1", "SECURED")],
        bank_accounts=[*BANK_ACCOUNTS, ["SECBANK1", "Bank One", "BANK", "US", "SECURED", "CUSTOMER_FUNDS", "USD",
                                        "BAI2", "2020-01-02", SINCE, ""]],
        closing=dict(CLOSING, SECBANK1=D("120000")),
        foreign_requirements=[["UK", "USD", "150000"]])
    marts = run_scenario(tmp_path, scenario)
    lines = usd_lines(marts["seg_statement_lines"], "SECURED")
    assert (lines["6"], lines["0"], lines["7"], lines["F1A"], lines["F8"], lines["F9"]) == (
        D("100000.00"), D("150000.00"), D("150000.00"), D("120000.00"), D("120000.00"), D("-30000.00"))
    assert [a["amount_usd"] for a in alerts(marts, "DEFICIENCY", "SECURED")] == [D(30000)]


def test_an_fx_rate_with_a_non_terminating_expansion_is_rounded_once(tmp_path: Path) -> None:
    """JPY at 1/150 USD (0.00666..., given to 9 places as 0.006666667): each of three 1,000 JPY balances is
    6.666667 USD at scale 9, the line sums them exactly to 20.000001, and only the presentation rounds (to 20.00,
    where rounding each row to the cent first would give 20.01)."""
    scenario = Scenario(
        balances=[*BALANCES, *[[f"J{n}", "JPY", "1000", "0", "0", "0", "0", "0", "0"] for n in range(3)]],
        accounts=[*[(a, "SEG") for a in "ABCDE"], *[(f"J{n}", "SEG") for n in range(3)]],
        fx_rates=[["EUR", "1.10"], ["JPY", "0.006666667"], ["USD", "1"]])
    marts = run_scenario(tmp_path, scenario)
    jpy = [s["amount_usd"] for s in marts["seg_line_sources"] if s["line"] == "1A" and s["currency"] == "JPY"]
    assert jpy == [D("6.666667")] * 3
    row = next(r for r in marts["seg_statement_lines"]
               if r["seg_class"] == "SEG" and r["line"] == "1A" and r["currency"] == "JPY")
    assert (row["amount"], row["amount_usd"]) == (D(3000), D("20.000001"))
    total = next(r for r in marts["seg_statement_lines"]
                 if r["seg_class"] == "SEG" and r["line"] == "1A" and r["currency"] == "ALL")
    assert total["amount_usd"] == D("1790020.000001")
    assert usd_lines(marts["seg_statement_lines"], "SEG")["1A"] == D("1790020.00")


def test_an_open_deposit_in_transit_has_a_seg_impact_on_7a(tmp_path: Path) -> None:
    """A customer deposit the books have and the bank has not credited (MISSING_BANK, +5,000) is not in 7A; its
    break carries seg_line 7A and seg_impact_usd 5,000 (break_impact.yaml)."""
    journal = [["DEP1", DAY.isoformat(), "A", "SEGBANK1", "SEG", "CUSTOMER_DEPOSIT", "", "USD", "5000", "DEP1REF",
                "deposit in transit"]]
    marts = run_scenario(tmp_path, Scenario(journal=journal))
    assert usd_lines(marts["seg_statement_lines"], "SEG")["7A"] == D("900000.00")
    [found] = [(b["seg_line"], b["seg_impact_usd"]) for b in marts["recon_breaks"]
               if b["recon"] == "CASH" and b["break_type"] == "MISSING_BANK"]
    assert found == ("7A", D(5000))


TARGET_100K = [["SEG", "100000", "", "Board", "2026-01-05", SINCE, ""]]
# B and D margined so that only C's 13,500 is undermargined: RI 306,500 stands well above UM_TOTAL
LOW_IM = [row if row[0] not in "BD" else [*row[:7], "0", row[8]] for row in BALANCES]


def _withdraw(landing: Path, warehouse: Path, amount: str, fmt: str = "json") -> Path:
    out = warehouse.parent / f"withdraw-{amount}.{fmt}"
    code = main(["statement", "--date", DAY.isoformat(), "--class", "SEG", "--warehouse", str(warehouse),
                 "--landing", str(landing), "--withdraw", amount, "--format", fmt, "--out", str(out)])
    assert code == 0
    return out


def _answer(landing: Path, warehouse: Path, amount: str) -> tuple[str, str]:
    import json

    doc = json.loads(_withdraw(landing, warehouse, amount).read_text(encoding="utf-8"))
    return doc["withdrawal"]["decision"], doc["withdrawal"]["deciding_test"]


@pytest.fixture(scope="module")
def margined(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("margined")
    landing = write_worked_example(root / "landing", Scenario(balances=LOW_IM))
    assert main(["run", "--date", DAY.isoformat(), "--landing", str(landing), "--warehouse",
                 str(root / "wh.duckdb")]) == 0
    return landing, root / "wh.duckdb"


@pytest.mark.parametrize("amount, decision, test_words", [
    ("10000", "ALLOWED", "stays at or above 0"),
    ("60000", "NEEDS_APPROVAL", "below the management target USD 250,000.00"),
    ("300000", "BLOCKED", "USD 6,500.00 would be below the undermargined amount UM_TOTAL USD 13,500.00"),
    ("310000", "BLOCKED", "the pro-forma excess USD -3,500.00 would be below 0"),
])
def test_withdrawals_allowed_below_target_and_blocked(margined, amount: str, decision: str, test_words: str) -> None:
    """RI 306,500, UM_TOTAL 13,500, target 250,000: 10,000 is allowed; 60,000 leaves 246,500, below target (needs
    approval); 300,000 leaves 6,500, below UM_TOTAL, and 310,000 leaves (3,500), below 0 (both blocked). Each
    answer names its deciding test."""
    landing, warehouse = margined
    found, test = _answer(landing, warehouse, amount)
    assert found == decision and test_words in test


def test_a_withdrawal_below_um_total_is_blocked(tmp_path: Path) -> None:
    """The worked example: RI 306,500 is already below UM_TOTAL 563,500, so even 1,000 is blocked by that test."""
    landing = write_worked_example(tmp_path / "landing")
    warehouse = tmp_path / "wh.duckdb"
    assert main(["run", "--date", DAY.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse)]) == 0
    decision, test = _answer(landing, warehouse, "1000")
    assert decision == "BLOCKED" and "below the undermargined amount UM_TOTAL USD 563,500.00" in test


def test_withdrawals_over_25_percent_of_the_filed_residual_interest_need_approval(tmp_path: Path) -> None:
    """A 10,000 FIRM_TRANSFER withdrawal was booked earlier today (unpaid, so 7A is 890,000 and RI 296,500); the
    statement is marked filed. 25% of the filed RI is 74,125: a further 64,125 is allowed, 64,125.01 needs approval."""
    journal = [["FT1", DAY.isoformat(), "", "SEGBANK1", "SEG", "FIRM_TRANSFER", "", "USD", "-10000", "FT1REF",
                "residual interest withdrawal"]]
    landing = write_worked_example(tmp_path / "landing", Scenario(balances=LOW_IM, targets=TARGET_100K,
                                                                   journal=journal))
    warehouse = tmp_path / "wh.duckdb"
    assert main(["run", "--date", DAY.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse)]) == 0
    assert main(["statement", "--date", DAY.isoformat(), "--warehouse", str(warehouse), "--mark-filed",
                 "--by", "Jane Compliance"]) == 0
    assert _answer(landing, warehouse, "64125")[0] == "ALLOWED"
    decision, test = _answer(landing, warehouse, "64125.01")
    assert decision == "NEEDS_APPROVAL"
    assert "withdrawals USD 74,125.01 would exceed 25% of the residual interest USD 296,500.00" in test


def test_a_rerun_that_changes_a_filed_figure_raises_a_refiling_alert(tmp_path: Path) -> None:
    """The day is marked filed; the bank's closing balance is then corrected to 880,000 and the day re-run: the
    alert REFILING_MAY_BE_NEEDED states the excess moved by (20,000), and the document lists 7A, 13, 14 and 16 as
    changed, filed against now."""
    landing = write_worked_example(tmp_path / "landing")
    warehouse = tmp_path / "wh.duckdb"
    run = ["run", "--date", DAY.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse)]
    assert main(run) == 0
    mark_filed = ["statement", "--date", DAY.isoformat(), "--class", "SEG", "--warehouse", str(warehouse),
                  "--mark-filed", "--by", "Jane Compliance"]
    assert main(mark_filed) == 0
    assert main(mark_filed) == 1  # the same run's statement is filed once
    assert main(run) == 0
    with DuckDBWarehouse(warehouse) as target:
        assert [a["code"] for a in target.read_partition("seg_alerts", DAY)
                if a["code"] == "REFILING_MAY_BE_NEEDED"] == []
    write_worked_example(landing, Scenario(closing=dict(CLOSING, SEGBANK1=D("880000"))))
    assert main(run) == 0
    with DuckDBWarehouse(warehouse) as target:
        [alert] = [a for a in target.read_partition("seg_alerts", DAY) if a["code"] == "REFILING_MAY_BE_NEEDED"]
    assert (alert["seg_class"], alert["severity"], alert["amount_usd"]) == ("SEG", "HIGH", D(-20000))
    assert "Jane Compliance" in alert["message"] and "7A ALL: 900000 -> 880000" in alert["message"]
    out = tmp_path / "seg.txt"
    assert main(["statement", "--date", DAY.isoformat(), "--class", "SEG", "--warehouse", str(warehouse),
                 "--out", str(out)]) == 0
    changed = [line.split(":")[0].strip() for line in out.read_text(encoding="utf-8").splitlines()
               if line.strip().startswith("CHANGED") and " ALL:" in line]
    assert changed == ["CHANGED 7A ALL", "CHANGED 13 ALL", "CHANGED 14 ALL", "CHANGED 16 ALL"]
