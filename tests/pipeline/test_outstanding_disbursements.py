"""A customer withdrawal the books pay out on day 1 and the bank debits only on day 3 lowers line 7A on every day it
is outstanding: day 1 (a NEW CASH MISSING_BANK break), day 2 (the break carried, OPEN) and not day 3, when the bank's
debit resolves it; a withdrawal a person force-closes for day 1 does not lower 7A once day 1 is re-run with the close,
nor later; and a withdrawal the bank paid on day 1 that the books book late on day 2 never lowers it (the bank's
balance already holds the payment)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from recon import calendar
from recon.decisions import record_decision
from recon.pipeline import run_day
from tests.factory import CashDay, credit, debit, journal_row, partition_rows, write_csv

DAY1, DAY2, DAY3 = calendar.business_days(date(2026, 11, 16), 3)
FUNDS, SETTLEMENT = "100200300", "100200400"
PAID_LATE = Decimal("-2500.00")  # booked on day 1, debited by the bank on day 3
WRITTEN_OFF = Decimal("-700.00")  # booked on day 1, never debited: force-closed for day 1
BOOKED_LATE = Decimal("-400.00")  # debited by the bank on day 1, booked on day 2 with its value date
OPENING = Decimal("49000.00")  # the customer-funds account before day 1, at the bank and in the books
# the customer-funds account's closing balance (BAI2 015) and the day's bank entries and journal entries
BANK = {
    DAY1: (Decimal("49600.00"), [credit("1000.00", "DEP-1"), debit("400.00", "WDL-3")]),
    DAY2: (Decimal("49900.00"), [credit("300.00", "DEP-2")]),
    DAY3: (Decimal("47400.00"), [debit("2500.00", "WDL-1")]),
}
# (entry id, amount, reference, entry type, value date)
JOURNAL = {
    DAY1: [("J1", "1000.00", "DEP-1", "CUSTOMER_DEPOSIT", DAY1),
           ("J2", str(PAID_LATE), "WDL-1", "CUSTOMER_WITHDRAWAL", DAY1),
           ("J3", str(WRITTEN_OFF), "WDL-2", "CUSTOMER_WITHDRAWAL", DAY1)],
    DAY2: [("J4", "300.00", "DEP-2", "CUSTOMER_DEPOSIT", DAY2),
           ("J5", str(BOOKED_LATE), "WDL-3", "CUSTOMER_WITHDRAWAL", DAY1)],
    DAY3: [],
}


def _write_day(landing: Path, day: date, book_balance: Decimal) -> None:
    """The day's bank file and journal (reference files are shared by the days: the customer is stated, not
    inferred from a journal that is empty on day 3), and the books' balances."""
    cash = CashDay(accounts=[["C001", "", "SEG", "CUSTOMER", "", "", "2020-01-01", ""]])
    closing, cash.bank[FUNDS] = BANK[day]
    cash.closing[FUNDS] = closing
    cash.journal = [journal_row(entry_id, amount, reference, value_date=value_date, entry_type=entry_type)
                    for entry_id, amount, reference, entry_type, value_date in JOURNAL[day]]
    cash.write(landing, day)
    write_csv(landing / day.isoformat() / "ledger" / "bank_balances.csv",
              ["bank_account_id", "currency", "book_balance"],
              [[FUNDS, "USD", str(book_balance)], [SETTLEMENT, "USD", "0.00"]])


def _books() -> dict[date, Decimal]:
    """The books' balance of the customer-funds account at each close: the opening and every journal entry so far."""
    total, books = OPENING, {}
    for day in (DAY1, DAY2, DAY3):
        total += sum((Decimal(entry[1]) for entry in JOURNAL[day]), Decimal(0))
        books[day] = total
    return books


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three days run in order; WDL-2's break is force-closed for day 1 and day 1 re-run before day 2."""
    root = tmp_path_factory.mktemp("disbursements")
    landing, warehouse = root / "landing", root / "wh.duckdb"
    books = _books()
    for day in (DAY1, DAY2, DAY3):
        _write_day(landing, day, books[day])
    assert run_day(DAY1, landing, warehouse).exit_code == 0
    [written_off] = [b for b in partition_rows(warehouse, "recon_breaks", DAY1) if b["reference"] == "WDL-2"]
    record_decision(warehouse, DAY1, "close", written_off["break_id"], "b.ops", "customer cancelled; reversed",
                    datetime(2026, 11, 17, 7, 30))
    for day in (DAY1, DAY2, DAY3):
        assert run_day(day, landing, warehouse).exit_code == 0, day
    return warehouse


def test_a_withdrawal_unpaid_until_day_3_lowers_7a_on_days_1_and_2_only(published: Path) -> None:
    """7A each day is the bank's closing balance of the SEG accounts less the withdrawals the bank has not debited:
    49,600.00 - 2,500.00 = 47,100.00 on day 1 (not the 700.00 of WDL-2, force-closed for day 1: its CLOSED break is
    no longer outstanding), 49,900.00 - 2,500.00 on day 2 (not the late booking of WDL-3, paid on day 1), 47,400.00
    on day 3."""
    outstanding = {DAY1: PAID_LATE, DAY2: PAID_LATE, DAY3: Decimal(0)}
    for day in (DAY1, DAY2, DAY3):
        lines = {(r["line"], r["currency"]): r["amount_usd"] for r in partition_rows(published, "seg_statement_lines", day)
                 if r["seg_class"] == "SEG"}
        assert lines[("7A", "ALL")] == BANK[day][0] + outstanding[day], day


def test_the_drill_down_names_the_day_1_journal_record_while_it_is_outstanding(published: Path) -> None:
    """7A's journal rows are WDL-1's record in day 1's cash journal on days 1 and 2 (not the force-closed WDL-2's),
    none on day 3; the other 7A rows are the bank's closing balances (the settlement account's is 0)."""
    journal = f"{DAY1.isoformat()}/ledger/cash_journal.csv"
    expected = {DAY1: {("cash_journal:J2", journal, PAID_LATE)}, DAY2: {("cash_journal:J2", journal, PAID_LATE)},
                DAY3: set()}
    for day in (DAY1, DAY2, DAY3):
        sources = [s for s in partition_rows(published, "seg_line_sources", day) if s["line"] == "7A"]
        assert {(s["record_id"], s["source_file"], s["amount"]) for s in sources
                if s["source_table"] == "src_ledger__cash_journal"} == expected[day], day
        assert sum(s["amount"] for s in sources if s["source_table"] == "src_bank__balances") == BANK[day][0], day


def test_the_withdrawal_breaks_age_and_the_written_off_one_is_left_to_the_proof_of_cash(published: Path) -> None:
    """WDL-1 is one break NEW, OPEN, RESOLVED; WDL-2 is CLOSED on day 1 and not carried; WDL-3's bank debit is
    NEW on day 1 and RESOLVED by the late booking on day 2. The outstanding WDL-1
    explains the bank-versus-book difference (no proof-of-cash break on day 1 or 2); from day 2 the books still hold
    WDL-2, so the proof of cash shows its 700.00 unexplained, with a seg impact of -700.00 on 7A, not deducted."""
    breaks = {day: partition_rows(published, "recon_breaks", day) for day in (DAY1, DAY2, DAY3)}
    paid_late = [next(b for b in breaks[day] if b["reference"] == "WDL-1") for day in (DAY1, DAY2, DAY3)]
    assert [b["status"] for b in paid_late] == ["NEW", "OPEN", "RESOLVED"]
    assert len({b["break_id"] for b in paid_late}) == 1
    assert [b["status"] for b in breaks[DAY1] if b["reference"] == "WDL-2"] == ["CLOSED"]
    assert not [b for day in (DAY2, DAY3) for b in breaks[day] if b["reference"] == "WDL-2"]
    assert [(day, b["break_type"], b["status"]) for day in (DAY1, DAY2, DAY3) for b in breaks[day]
            if b["reference"] == "WDL-3"] == [(DAY1, "MISSING_LEDGER", "NEW"), (DAY2, "MISSING_LEDGER", "RESOLVED")]
    proof = {day: [(b["status"], b["difference"], b["seg_line"], b["seg_impact_usd"]) for b in rows
                   if b["recon"] == "BANK_BALANCE" and b["bank_account_id"] == FUNDS]
             for day, rows in breaks.items()}
    unexplained = -WRITTEN_OFF
    assert proof == {DAY1: [], DAY2: [("NEW", unexplained, "7A", -unexplained)],
                     DAY3: [("OPEN", unexplained, "7A", -unexplained)]}
