"""Each rule of spec/segregation.md on a small change to the worked example, checked in SQL and in compute.py."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from segregation.lines import Settings
from tests.segregation.checks import LINE_KEY, SOURCE_KEY, assert_same_rows, usd_lines
from tests.segregation.examples import (DAY, balance, bank_account, cash_break, closing, option_report,
                                        worked_example)
from tests.segregation.harness import run_python, run_sql


def both(rows: dict, settings: Settings | None = None, extra: tuple[str, ...] = ()) -> dict:
    """Run SQL and Python, check they agree, and return the SQL marts (and the ``extra`` models)."""
    sql = run_sql(rows, DAY, settings, extra)
    python = run_python(rows, DAY, settings)
    assert_same_rows(sql["seg_statement_lines"], python.lines, LINE_KEY)
    assert_same_rows(sql["seg_alerts"], python.alerts, ("alert_id",), drop=("message",))
    assert_same_rows(sql["seg_line_sources"], python.sources, SOURCE_KEY)
    return sql


def alerts(marts: dict, code: str) -> list[dict]:
    return [a for a in marts["seg_alerts"] if a["code"] == code]


def status(marts: dict) -> dict[str, str]:
    return {r["seg_class"]: r["statement_status"] for r in marts["seg_statement_lines"]}


def test_house_accounts_change_nothing() -> None:
    """Removing the HOUSE account's balances leaves every mart identical."""
    rows = worked_example()
    without = dict(rows, src_ledger__balances=[b for b in rows["src_ledger__balances"] if b["account_id"] != "H"])
    assert _unordered(run_sql(rows, DAY)) == _unordered(run_sql(without, DAY))


def _unordered(marts: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Each mart's rows in a fixed order (a table built on several threads has no row order)."""
    return {name: sorted(rows, key=repr) for name, rows in marts.items()}


def test_an_account_without_acknowledgment_letter_is_excluded_and_named() -> None:
    """A SEG bank account with no letter (or one dated after the business date): its balance stays out of 7A and an
    alert names it with the amount; a DCO account needs no letter and counts."""
    rows = worked_example()
    rows["src_reference__bank_accounts"] += [bank_account("NOLETTER", letter=None),
                                             bank_account("LATER", letter=DAY.replace(day=25)),
                                             bank_account("DCOACCT", depository_type="DCO", letter=None)]
    rows["int_bank_closing_balances"] += [closing("NOLETTER", "50000"), closing("LATER", "60000"),
                                          closing("DCOACCT", "7000")]
    marts = both(rows)
    assert usd_lines(marts["seg_statement_lines"], "SEG")["7A"] == Decimal("907000.00")
    found = {a["subject"]: (a["amount_usd"], a["severity"]) for a in alerts(marts, "MISSING_ACK_LETTER")}
    assert found == {"NOLETTER": (Decimal("50000"), "HIGH"), "LATER": (Decimal("60000"), "HIGH")}
    message = next(a["message"] for a in alerts(marts, "MISSING_ACK_LETTER") if a["subject"] == "NOLETTER")
    assert "NOLETTER" in message and "50000" in message


def test_unpaid_disbursements_reduce_7a_and_show_in_the_drill_down() -> None:
    """A booked withdrawal the bank has not paid (ledger-only, negative) lowers 7A; a ledger-only deposit does not
    raise it (deposits in transit are not added), nor does an amount mismatch."""
    rows = worked_example()
    rows["int_breaks_aged"] = [cash_break("SEGBANK1", "SEG", "USD", "MISSING_BANK", Decimal("-25000"), "W1"),
                               cash_break("SEGBANK1", "SEG", "USD", "MISSING_BANK", Decimal("40000"), "D1"),
                               cash_break("SEGBANK1", "SEG", "USD", "AMOUNT_MISMATCH", Decimal("-1000"), "M1")]
    marts = both(rows)
    assert usd_lines(marts["seg_statement_lines"], "SEG")["7A"] == Decimal("875000.00")
    drill = {(s["source_table"], s["record_id"]): s["amount_usd"] for s in marts["seg_line_sources"] if s["line"] == "7A"}
    assert drill == {("src_bank__balances", "bal-SEGBANK1-USD"): Decimal("900000"),
                     ("src_ledger__cash_journal", "journal-W1"): Decimal("-25000")}


def test_a_disbursement_still_unpaid_from_an_earlier_day_lowers_7a_once_until_the_bank_pays_it() -> None:
    """A withdrawal booked two days ago and still unpaid (OPEN, carried) lowers 7A as today's (NEW) does, its
    drill-down naming the journal record of the day it was booked; one the bank paid today (RESOLVED), one a person
    force-closed for today (CLOSED) and a DCO settlement leg the bank has not paid (line 9's business) do not. Neither
    open disbursement has a seg impact (break_impact.yaml): each is counted once, in 7A, while a deposit in transit is
    only an impact."""
    rows = worked_example()
    booked = DAY.replace(day=20)
    rows["int_breaks_aged"] = [
        cash_break("SEGBANK1", "SEG", "USD", "MISSING_BANK", Decimal("-25000"), "W-OPEN", "OPEN", booked),
        cash_break("SEGBANK1", "SEG", "USD", "MISSING_BANK", Decimal("-4000"), "W-NEW"),
        cash_break("SEGBANK1", "SEG", "USD", "MISSING_BANK", Decimal("-70000"), "W-PAID", "RESOLVED", booked),
        cash_break("SEGBANK1", "SEG", "USD", "MISSING_BANK", Decimal("-3000"), "W-CLOSED", "CLOSED", booked),
        dict(cash_break("SEGBANK1", "SEG", "USD", "MISSING_BANK", Decimal("-9000"), "CME-EOD-20261120", "OPEN"),
             recon="DCO_SETTLEMENT"),
        cash_break("SEGBANK1", "SEG", "USD", "MISSING_BANK", Decimal("5000"), "D-OPEN", "OPEN", booked)]
    marts = both(rows, extra=("int_seg_break_impact",))
    assert usd_lines(marts["seg_statement_lines"], "SEG")["7A"] == Decimal("871000.00")  # 900,000 - 25,000 - 4,000
    drill = {(s["source_file"], s["record_id"]): s["amount_usd"] for s in marts["seg_line_sources"]
             if s["line"] == "7A" and s["source_table"] == "src_ledger__cash_journal"}
    assert drill == {("2026-11-20/ledger/cash_journal.csv", "journal-W-OPEN"): Decimal("-25000"),
                     ("2026-11-24/ledger/cash_journal.csv", "journal-W-NEW"): Decimal("-4000")}
    [impact] = marts["int_seg_break_impact"]
    assert impact["break_id"] == "break-D-OPEN"
    assert (impact["seg_line"], impact["seg_impact_usd"]) == ("7A", Decimal("5000"))


def test_a_currency_shortfall_is_reviewed_even_under_a_usd_excess() -> None:
    """EUR requirement 120,000 with EUR funds of 30,000: a review alert for EUR 90,000 (USD 99,000) although the
    class has a USD excess."""
    rows = worked_example()
    rows["src_reference__bank_accounts"].append(bank_account("EURBANK", currency="EUR"))
    rows["int_bank_closing_balances"].append(closing("EURBANK", "30000", "EUR"))
    marts = both(rows)
    assert usd_lines(marts["seg_statement_lines"], "SEG")["14"] > 0
    [alert] = alerts(marts, "CURRENCY_SHORTFALL")
    assert (alert["currency"], alert["amount_usd"], alert["severity"]) == ("EUR", Decimal("99000"), "REVIEW")
    assert "Reg 1.49" in alert["message"]


def test_a_missing_rate_makes_that_class_not_fileable_and_names_the_currency() -> None:
    """No EUR rate: SEG is NOT_FILEABLE with a MISSING_FX_RATE alert naming EUR; EUR rows are left out (never
    valued at 0 or 1); the other classes stay FILEABLE."""
    rows = dict(worked_example(), src_reference__fx_rates=[])
    marts = both(rows)
    assert status(marts) == {"SEG": "NOT_FILEABLE", "SECURED": "FILEABLE", "CLEARED_SWAPS": "FILEABLE"}
    [alert] = alerts(marts, "MISSING_FX_RATE")
    assert (alert["seg_class"], alert["subject"], alert["severity"], alert["amount_usd"]) == ("SEG", "EUR", "CRITICAL", None)
    assert usd_lines(marts["seg_statement_lines"], "SEG")["1A"] == Decimal("1680000.00")
    assert not any(r["currency"] == "EUR" for r in marts["seg_statement_lines"] + marts["seg_line_sources"])


def test_a_rejected_or_missing_file_makes_every_statement_not_fileable() -> None:
    """A file problem: all three statements NOT_FILEABLE, each with an INCOMPLETE_INPUTS alert naming the file."""
    rows = dict(worked_example(), src_file_problems=[
        {"source_file": "2026-11-24/bank/bank.bai2", "code": "TRAILER_TOTAL_MISMATCH", "message": "49 total"},
        {"source_file": "2026-11-24/bank/bank.bai2", "code": "MISSING_STATEMENT", "message": "no statement"}])
    marts = both(rows)
    assert set(status(marts).values()) == {"NOT_FILEABLE"}
    found = alerts(marts, "INCOMPLETE_INPUTS")
    assert sorted(a["seg_class"] for a in found) == ["CLEARED_SWAPS", "SECURED", "SEG"]
    assert all(a["subject"] == "2026-11-24/bank/bank.bai2" and "TRAILER_TOTAL_MISMATCH" in a["message"]
               for a in found)


def test_an_option_that_cannot_be_valued_blocks_filing() -> None:
    """An option report whose product is not in products.csv: SEG NOT_FILEABLE, the report named."""
    rows = worked_example()
    rows["int_position_reports_classified"].append(option_report("opt-unknown", "SEG", "3", "0", "2", product="XYZ"))
    marts = both(rows)
    assert status(marts)["SEG"] == "NOT_FILEABLE"
    assert [a["subject"] for a in alerts(marts, "UNVALUED_OPTION_POSITION")] == ["opt-unknown"]


@pytest.mark.parametrize("change, line, expected", [
    (lambda r: r["int_position_reports_classified"].append(option_report("itd", "SEG", "9", "0", "5", session="ITD")),
     "10A", "50000.00"),
    (lambda r: r["int_position_reports_classified"].append(
        option_report("old", "SEG", "9", "0", "5", day=DAY.replace(day=23))), "10A", "50000.00"),
    (lambda r: r["int_position_reports_classified"].append(
        option_report("quarantined", "SEG", "9", "0", "5", route="QUARANTINE")), "10A", "50000.00"),
    (lambda r: r["int_dco_cycles"].append(dict(r["int_dco_cycles"][0], cycle="ITD", status="DUE", amount=Decimal(9))),
     "9", "-35000.00"),
])
def test_only_the_days_end_of_day_reports_count(change: Callable[[dict], None], line: str, expected: str) -> None:
    """Intraday, previous-day and quarantined position reports and settled cycles change no line."""
    rows = worked_example()
    change(rows)
    assert usd_lines(both(rows)["seg_statement_lines"], "SEG")[line] == Decimal(expected)


def test_deficiency_and_below_target() -> None:
    """Funds below the requirement: DEFICIENCY (critical) for the shortfall and BELOW_TARGET for the gap to target."""
    rows = worked_example()
    rows["int_bank_closing_balances"][0] = closing("SEGBANK1", "500000")
    marts = both(rows)
    lines = usd_lines(marts["seg_statement_lines"], "SEG")
    assert lines["14"] == Decimal("-93500.00")
    assert [(a["severity"], a["amount_usd"]) for a in alerts(marts, "DEFICIENCY")] == [("CRITICAL", Decimal("93500"))]
    assert [a["amount_usd"] for a in alerts(marts, "BELOW_TARGET")] == [Decimal("343500")]


def test_the_target_is_the_greater_of_amount_and_percentage() -> None:
    """target_pct_of_requirement 0.2 (20 %) of line 6 (2,168,500) is 433,700 > 250,000; blank figures are ignored."""
    rows = worked_example()
    rows["src_reference__targets"][0] = dict(rows["src_reference__targets"][0], target_pct_of_requirement=Decimal("0.2"))
    lines = usd_lines(both(rows)["seg_statement_lines"], "SEG")
    assert (lines["15"], lines["16"]) == (Decimal("433700.00"), Decimal("-127200.00"))
    rows["src_reference__targets"][0] = dict(rows["src_reference__targets"][0], target_amount_usd=None)
    assert usd_lines(both(rows)["seg_statement_lines"], "SEG")["15"] == Decimal("433700.00")


def test_beneficial_owner_grouping_nets_deficits_within_an_owner() -> None:
    """With the setting on, B's deficit (30,000) is offset by A's equity when one owner holds both: line 5 loses
    it; with the setting off (default) it is a deficit."""
    rows = worked_example()
    rows["src_reference__accounts"] = [dict(a, beneficial_owner_id="OWNER1") if a["account_id"] in "AB" else a
                                       for a in rows["src_reference__accounts"]]
    assert usd_lines(both(rows)["seg_statement_lines"], "SEG")["5_GROSS"] == Decimal("50000.00")
    combined = both(rows, Settings(combine_beneficial_owners=True))
    assert usd_lines(combined["seg_statement_lines"], "SEG")["5_GROSS"] == Decimal("20000.00")


def test_gross_reading_counts_the_offset_debit_once_more() -> None:
    """GROSS setting: UM_ADJ(C) = 20,000 - min(20,000, 20,000) = 0, so UM_TOTAL is 550,000 and the shortfall 243,500."""
    marts = both(worked_example(), Settings(residual_interest_debit="GROSS"))
    [alert] = alerts(marts, "RESIDUAL_INTEREST_SHORTFALL")
    assert alert["amount_usd"] == Decimal("243500")


def test_an_offset_above_the_deficit_is_capped_and_the_cap_drills_down() -> None:
    """C's eligible securities of 50,000 offset only its 20,000 deficit; a USD row adds back the 30,000 above it."""
    rows = worked_example()
    rows["src_ledger__balances"][2] = balance("C", "USD", "-20000", offset="50000")
    marts = both(rows)
    assert usd_lines(marts["seg_statement_lines"], "SEG")["5_OFFSET"] == Decimal("-20000.00")
    caps = [s for s in marts["seg_line_sources"] if s["source_table"] == "int_seg_account_equity"]
    assert [(c["record_id"], c["amount_usd"]) for c in caps] == [("offset_cap:account:C", Decimal("30000"))]


def test_secured_statement_lines() -> None:
    """SECURED: line 7 is the greater of line 0 (foreign requirement) and line 6; F1A/F1B split US and other banks,
    F2A/F2B custody by the bank's country; F3-F5 sub-items by depository type; F6 other depositories."""
    day = "2026-11-24"
    rows = {
        "src_reference__accounts": [{"account_id": "S1", "seg_class": "SECURED", "account_type": "CUSTOMER"}],
        "src_ledger__balances": [balance("S1", "USD", "1000", ote="-200")],
        "src_ledger__foreign_requirements": [{"source_file": f"{day}/ledger/foreign_requirements.csv",
                                              "record_id": "fr:UK", "jurisdiction": "UK", "currency": "USD",
                                              "amount": Decimal("900")}],
        "src_reference__bank_accounts": [bank_account("SUS", "SECURED"), bank_account("SGB", "SECURED", country="GB")],
        "int_bank_closing_balances": [closing("SUS", "100"), closing("SGB", "200")],
        "src_ledger__custody": [{"source_file": f"{day}/ledger/custody.csv", "record_id": f"custody:{b}",
                                 "seg_class": "SECURED", "depository_account_id": b, "holding_type": "INVESTMENT",
                                 "cusip": "X", "quantity": Decimal(1), "market_value": Decimal(v), "currency": "USD"}
                                for b, v in (("SUS", "10"), ("SGB", "20"))],
        "src_ledger__foreign_depository_equities": [
            {"source_file": f"{day}/ledger/foreign_depository_equities.csv", "record_id": f"fde:{t}",
             "depository": t, "depository_type": t, "currency": "USD", "cash": Decimal(1), "securities_value": Decimal(2),
             "unrealized_pl": Decimal(-3), "long_option_value": Decimal(4), "short_option_value": Decimal(5)}
            for t in ("FCM", "FBOT_CLEARING_ORG", "FBOT_MEMBER", "OTHER")],
    }
    lines = usd_lines(both(rows)["seg_statement_lines"], "SECURED")
    expected = {"6": "800", "0": "900", "7": "900", "F1A": "100", "F1B": "200", "F2A": "10", "F2B": "20",
                "F3A": "1", "F3E": "-5", "F3": "-1", "F4": "-1", "F5": "-1", "F6": "-1", "F8": "326", "F9": "-574"}
    assert {k: lines[k] for k in expected} == {k: Decimal(v).quantize(Decimal("0.01")) for k, v in expected.items()}


def test_quarantined_rows_of_a_statement_file_are_named_on_the_statements_they_may_belong_to() -> None:
    """A balance of an account the reference data does not know and rows of custody and foreign requirements that
    broke their contracts: each customer class's statement gets a HIGH alert per file it is computed from (the
    foreign files only on SECURED), the figures leave the rows out, and the statements stay fileable; a quarantined
    row of a file no statement reads (the cash journal) raises nothing."""
    rows = worked_example()
    lines_before = usd_lines(both(rows)["seg_statement_lines"], "SEG")
    rows["src_ledger__balances"] = [*rows["src_ledger__balances"], balance("NOBODY", "USD", "70000")]
    rows["src_quarantined_rows"] = [
        {"source_file": f"{DAY}/ledger/custody.csv", "record_id": "custody:X", "currency": "USD", "amount": None},
        {"source_file": f"{DAY}/ledger/foreign_requirements.csv", "record_id": "foreign_requirements:UK|GBP",
         "currency": "GBP", "amount": Decimal("12.5")},
        {"source_file": f"{DAY}/ledger/cash_journal.csv", "record_id": "cash_journal:J9", "currency": "USD",
         "amount": Decimal("5")},
    ]
    marts = both(rows)
    found = sorted((a["seg_class"], a["subject"], a["severity"]) for a in alerts(marts, "QUARANTINED_INPUT_ROWS"))
    statement_files = [f"{DAY}/ledger/balances.csv", f"{DAY}/ledger/custody.csv"]
    assert found == sorted([(c, f, "HIGH") for c in ("SEG", "SECURED", "CLEARED_SWAPS") for f in statement_files]
                           + [("SECURED", f"{DAY}/ledger/foreign_requirements.csv", "HIGH")])
    messages = {(a["seg_class"], a["subject"]): a["message"] for a in alerts(marts, "QUARANTINED_INPUT_ROWS")}
    assert messages[("SEG", f"{DAY}/ledger/balances.csv")].startswith(
        f"1 row(s) of {DAY}/ledger/balances.csv were quarantined (USD 70000;")
    assert "(USD amount not readable;" in messages[("SEG", f"{DAY}/ledger/custody.csv")]
    assert "(GBP 12.5;" in messages[("SECURED", f"{DAY}/ledger/foreign_requirements.csv")]
    assert usd_lines(marts["seg_statement_lines"], "SEG") == lines_before
    assert set(status(marts).values()) == {"FILEABLE"}
