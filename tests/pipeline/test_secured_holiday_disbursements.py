"""A SECURED customer's withdrawal the books pay out on a CME day and the bank has not debited by its close is an
outstanding disbursement: F1A is lowered by it that day and, on the SECURED-only run of the US holiday after it (CME
does not clear, nothing is matched), still, since the break stands as it was: on Thanksgiving (Fedwire closed too, the
bank balance carried forward) and on Good Friday (Fedwire open, the bank's statement read). The holiday's run rests on
the CME day's run: it records its manifest and goes stale when that day is re-run."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from recon.pipeline import run_day
from recon.trust import stale_days
from recon.warehouse import DuckDBWarehouse
from tests.factory import CashDay, partition_rows, write_csv

SECURED_FUNDS = "300100200"
CLOSING = Decimal("50000.00")  # the account's closing balance at the bank on the CME day and the holiday
UNPAID = Decimal("-2500.00")  # booked on the CME day, not debited by the bank by the holiday's close
# (CME day, holiday): Thanksgiving 2026 (Fedwire closed) and Good Friday 2026 (Fedwire open)
DAYS = {"thanksgiving": (date(2026, 11, 25), date(2026, 11, 26)), "good_friday": (date(2026, 4, 2), date(2026, 4, 3))}


def _cash_day(journal: list[list[object]]) -> CashDay:
    return CashDay(
        journal=journal, closing={SECURED_FUNDS: CLOSING},
        accounts=[["C001", "", "SECURED", "CUSTOMER", "", "", "2020-01-01", ""]],
        bank_accounts=[[SECURED_FUNDS, "Bank One", "BANK", "US", "SECURED", "CUSTOMER_FUNDS", "USD", "BAI2",
                        "2020-01-02", "2020-01-01", ""]])


def _write(landing: Path, cme_day: date, holiday: date) -> None:
    """The CME day: the withdrawal booked (WDL-1), no bank debit, books and bank proving; the holiday: the bank's
    statement with the same closing balance on Good Friday (none on Thanksgiving) and the required ledger files."""
    withdrawal = ["J1", cme_day.isoformat(), "C001", SECURED_FUNDS, "SECURED", "CUSTOMER_WITHDRAWAL", "", "USD",
                  str(UNPAID), "WDL-1", ""]
    _cash_day([withdrawal]).write(landing, cme_day)
    write_csv(landing / cme_day.isoformat() / "ledger" / "bank_balances.csv",
              ["bank_account_id", "currency", "book_balance"], [[SECURED_FUNDS, "USD", str(CLOSING + UNPAID)]])
    _cash_day([]).write(landing, holiday)
    if holiday == date(2026, 11, 26):
        for bank_file in (landing / holiday.isoformat() / "bank").iterdir():
            bank_file.unlink()


@pytest.fixture(scope="module", params=sorted(DAYS))
def published(request, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, date, date]:
    cme_day, holiday = DAYS[request.param]
    root = tmp_path_factory.mktemp(request.param)
    landing, warehouse = root / "landing", root / "wh.duckdb"
    _write(landing, cme_day, holiday)
    assert run_day(cme_day, landing, warehouse, documents=False).exit_code == 0
    assert run_day(holiday, landing, warehouse, documents=False, classes=("SECURED",)).exit_code == 0
    return landing, warehouse, cme_day, holiday


def _f1a(warehouse: Path, day: date) -> Decimal:
    (line,) = [r["amount_usd"] for r in partition_rows(warehouse, "seg_statement_lines", day)
               if (r["seg_class"], r["line"], r["currency"]) == ("SECURED", "F1A", "ALL")]
    return line


def test_the_holiday_deducts_the_disbursement_still_unpaid_at_the_cme_days_close(published) -> None:
    """F1A is 50,000.00 - 2,500.00 = 47,500.00 on the CME day and on the holiday alike, its drill-down naming the
    CME day's journal record; the holiday publishes no break (it reconciles nothing), the CME day's break is NEW."""
    _, warehouse, cme_day, holiday = published
    assert _f1a(warehouse, cme_day) == _f1a(warehouse, holiday) == CLOSING + UNPAID
    journal = f"{cme_day.isoformat()}/ledger/cash_journal.csv"
    for day in (cme_day, holiday):
        sources = [(s["record_id"], s["source_file"], s["amount"])
                   for s in partition_rows(warehouse, "seg_line_sources", day)
                   if s["line"] == "F1A" and s["source_table"] == "src_ledger__cash_journal"]
        assert sources == [("cash_journal:J1", journal, UNPAID)], day
    assert partition_rows(warehouse, "recon_breaks", holiday) == []
    assert [(b["reference"], b["status"]) for b in partition_rows(warehouse, "recon_breaks", cme_day)
            if b["recon"] == "CASH"] == [("WDL-1", "NEW")]


def test_the_holiday_rests_on_the_cme_days_run(published, tmp_path: Path) -> None:
    """The holiday's manifest records the CME day's run; re-running the CME day makes the holiday stale."""
    landing, published_warehouse, cme_day, holiday = published
    warehouse = tmp_path / "wh.duckdb"
    shutil.copyfile(published_warehouse, warehouse)
    with DuckDBWarehouse(warehouse) as target:
        manifest = json.loads(target.runs(holiday)[-1]["manifest"])
        assert manifest["previous_day_manifest_hash"] == target.runs(cme_day)[-1]["manifest_hash"]
        assert stale_days(target) == {}
    assert run_day(cme_day, landing, warehouse, documents=False).exit_code == 0
    with DuckDBWarehouse(warehouse) as target:
        assert stale_days(target) == {holiday: holiday}
