"""A Fedwire holiday CME clears (Veterans Day, 2026-11-11) run from generated days 2026-11-10, 11 and 12: no bank file
is expected, the bank closing balances of 2026-11-10 are carried forward from what that day's run published, flagged,
and the statements stay fileable; the settlement cycles due on the holiday are paid on 2026-11-12; the planted breaks
are found and nothing else. Without a published previous day the holiday's cash lines are unknown, saying why; a bank
file that does arrive on the holiday is read."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from recon.cli import main
from recon.contracts.bai2_writer import Bai2Account, Bai2Group, write_bai2
from recon.generate import GenerateOptions, generate
from recon.pipeline import run_day
from recon.verify import verify_date
from recon.warehouse import DuckDBWarehouse

OPTIONS = GenerateOptions(start=date(2026, 11, 10), days=3, accounts=30, trades_per_day=60, seed=11)
BEFORE, HOLIDAY, AFTER = date(2026, 11, 10), date(2026, 11, 11), date(2026, 11, 12)
CARRIED = "src_warehouse__previous_bank_balances"
CLEARING_RECONS = ("POSITION", "TRADE", "COLLATERAL")
TABLES = ("recon_breaks", "recon_matches", "seg_alerts", "seg_line_sources", "seg_statement_lines")


def _read(warehouse: Path, days: tuple[date, ...]) -> dict[date, dict[str, list[dict]]]:
    with DuckDBWarehouse(warehouse) as target:
        return {day: {name: target.read_partition(name, day) for name in TABLES} for day in days}


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fedwire_landing") / "landing"
    generate(root, OPTIONS)
    return root


@pytest.fixture(scope="module")
def published(landing: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The three days run in order into one warehouse (each exits 0), and what each published."""
    warehouse = tmp_path_factory.mktemp("fedwire_warehouse") / "wh.duckdb"
    for day in (BEFORE, HOLIDAY, AFTER):
        assert run_day(day, landing, warehouse).exit_code == 0, day
    return warehouse, _read(warehouse, (BEFORE, HOLIDAY, AFTER))


def _bank_balance_rows(marts: dict[str, list[dict]]) -> dict[tuple[str, str], tuple[Decimal, list[str]]]:
    rows = [r for r in marts["recon_matches"] + marts["recon_breaks"]
            if r["recon"] == "BANK_BALANCE" and r.get("status") != "RESOLVED" and r["bank_amount"] is not None]
    return {(r["bank_account_id"], r["currency"]): (r["bank_amount"], r["bank_records"]) for r in rows}


def test_the_generator_writes_no_bank_file_and_books_no_bank_money_on_the_holiday(landing: Path) -> None:
    """The holiday has clearing and ledger files but no bank folder, and its cash journal has no entry."""
    folder = landing / HOLIDAY.isoformat()
    assert not (folder / "bank").exists()
    assert (folder / "clearing" / "positions.xml").exists()
    assert (folder / "ledger" / "cash_journal.csv").read_text().count("\n") == 1  # the header only
    assert list((landing / AFTER.isoformat() / "bank").iterdir())


def test_the_holiday_statements_are_fileable_with_the_carried_balances_flagged(published) -> None:
    """On the holiday every class statement is FILEABLE with no INCOMPLETE_INPUTS; each counted class account's cash
    line source is the previous day's closing balance (same record, file and amount), flagged by its source table,
    with an INFO CARRIED_BANK_BALANCE alert naming the holiday and the date the balance comes from."""
    _, days = published
    holiday, before = days[HOLIDAY], days[BEFORE]
    assert {r["statement_status"] for r in holiday["seg_statement_lines"]} == {"FILEABLE"}
    assert {r["seg_class"] for r in holiday["seg_statement_lines"]} == {"SEG", "SECURED", "CLEARED_SWAPS"}
    assert not [a for a in holiday["seg_alerts"] if a["code"] == "INCOMPLETE_INPUTS"]
    cash_lines = ("7A", "F1A", "F1B")
    read = {(s["seg_class"], s["line"], s["record_id"]): s for s in before["seg_line_sources"]
            if s["line"] in cash_lines and s["source_table"] == "src_bank__balances"}
    carried = {(s["seg_class"], s["line"], s["record_id"]): s for s in holiday["seg_line_sources"]
               if s["line"] in cash_lines and s["source_table"] == CARRIED}
    assert read and set(carried) == set(read)
    for key, source in carried.items():
        assert (source["subject"], source["amount"], source["source_file"]) == (
            read[key]["subject"], read[key]["amount"], read[key]["source_file"]), key
        assert source["source_file"].startswith(f"{BEFORE.isoformat()}/bank/")
    assert not [s for s in holiday["seg_line_sources"] if s["source_table"] == "src_bank__balances"]
    alerts = {(a["seg_class"], a["subject"]): a for a in holiday["seg_alerts"] if a["code"] == "CARRIED_BANK_BALANCE"}
    assert set(alerts) == {(s["seg_class"], s["subject"]) for s in carried.values()}
    for (seg_class, account), alert in alerts.items():
        assert alert["severity"] == "INFO"
        assert "Fedwire holiday (Veterans Day)" in alert["message"]
        assert f"carried forward from {BEFORE.isoformat()}" in alert["message"]
        assert f"next bank day, {AFTER.isoformat()}" in alert["message"]
    assert not [a for a in before["seg_alerts"] + days[AFTER]["seg_alerts"] if a["code"] == "CARRIED_BANK_BALANCE"]


def test_bank_balance_on_the_holiday_is_the_previous_close_with_no_spurious_break(published) -> None:
    """The BANK_BALANCE recon of the holiday compares the carried closing balance of every bank account (house
    included) with the books, and raises no break: each account matches with the previous day's bank amount and
    record; the holiday has no CASH item of its own."""
    _, days = published
    before, holiday = _bank_balance_rows(days[BEFORE]), _bank_balance_rows(days[HOLIDAY])
    assert holiday == before and len(holiday) >= 10
    assert not [b for b in days[HOLIDAY]["recon_breaks"]
                if b["recon"] == "BANK_BALANCE" and b["status"] in ("NEW", "OPEN")]
    assert not [b for b in days[HOLIDAY]["recon_breaks"] if b["recon"] == "CASH" and b["status"] == "NEW"]
    assert not [m for m in days[HOLIDAY]["recon_matches"] if m["recon"] == "CASH"]


def test_settlement_due_on_the_holiday_is_pending_then_paid_on_the_next_bank_day(published, landing: Path) -> None:
    """The end-of-day cycles of 2026-11-10 are PENDING on 11-10 and on the holiday with payment date 11-12, as are
    the holiday's own intraday and end-of-day cycles; on 11-12 each is matched three ways (or is a break the
    generator planted on that day), none is pending any more."""
    _, days = published
    key = json.loads((landing / "answer_key.json").read_text())
    pending = {day: {(b["reference"], b["bank_account_id"]): b["expected_date"] for b in days[day]["recon_breaks"]
                     if b["status"] == "PENDING"} for day in days}
    eod_before = {k for k in pending[BEFORE] if k[0] == "CME-EOD-20261110"}
    assert eod_before and all(pending[BEFORE][k] == AFTER for k in eod_before)
    holiday_refs = {reference for reference, _ in pending[HOLIDAY]}
    assert holiday_refs == {"CME-EOD-20261110", "CME-ITD-20261111", "CME-EOD-20261111"}
    assert set(pending[HOLIDAY].values()) == {AFTER}
    assert eod_before <= set(pending[HOLIDAY])
    assert holiday_refs.isdisjoint(reference for reference, _ in pending[AFTER])
    planted = {(b["reference"], b["bank_account_id"]) for b in key["breaks"]
               if b["business_date"] == AFTER.isoformat() and b["recon"] == "DCO_SETTLEMENT"}
    matched = {(m["reference"], m["bank_account_id"]) for m in days[AFTER]["recon_matches"]
               if m["recon"] == "DCO_SETTLEMENT"}
    broken = {(b["reference"], b["bank_account_id"]) for b in days[AFTER]["recon_breaks"]
              if b["recon"] == "DCO_SETTLEMENT" and b["status"] == "NEW"}
    for grain in pending[HOLIDAY]:
        assert (grain in matched) != (grain in planted), grain
        assert grain not in broken or grain in planted, grain
    assert {m["rule_id"] for m in days[AFTER]["recon_matches"] if m["reference"] == "CME-EOD-20261110"}
    holiday_line_9 = {s["record_id"].split("|")[0] for s in days[HOLIDAY]["seg_line_sources"] if s["line"] == "9"}
    assert holiday_line_9 == {"CME-EOD-20261110", "CME-ITD-20261111", "CME-EOD-20261111"}


def test_planted_breaks_only_across_the_holiday(published, landing: Path) -> None:
    """Published NEW and OPEN breaks of the three days equal the answer key (the item breaks of 11-10 OPEN on the
    holiday, nothing spurious from the absent bank file) and the pending cycles equal the key's."""
    _, days = published
    key = json.loads((landing / "answer_key.json").read_text())

    def grain(row: dict, day: str) -> tuple:
        account = row.get("account") if row["recon"] in CLEARING_RECONS else None
        return (day, row["recon"], row["bank_account_id"], row["currency"], row["reference"], account,
                row["break_type"], Decimal(str(row["difference"])).normalize())

    published_breaks = {grain(b, day.isoformat()) for day, marts in days.items() for b in marts["recon_breaks"]
                        if b["status"] in ("NEW", "OPEN")}
    assert published_breaks == {grain(b, b["business_date"]) for b in key["breaks"]}
    assert {b[0] for b in published_breaks} == {d.isoformat() for d in days}
    pending = {(day.isoformat(), b["bank_account_id"], b["currency"], b["reference"], b["expected_date"].isoformat())
               for day, marts in days.items() for b in marts["recon_breaks"] if b["status"] == "PENDING"}
    assert pending == {(p["business_date"], p["bank_account_id"], p["currency"], p["reference"], p["expected_date"])
                       for p in key["pending"]}


def test_verify_reproduces_the_holiday_from_what_it_read(published, landing: Path) -> None:
    """verify --date re-runs the holiday into a scratch warehouse seeded with the previous day's published balances:
    every table's hash agrees."""
    warehouse, _ = published
    checks = verify_date(HOLIDAY, landing, warehouse)
    assert checks and all(check.ok for check in checks), [c.line() for c in checks if not c.ok]


def test_without_a_published_previous_day_the_holiday_cash_lines_are_unknown(landing: Path, tmp_path: Path) -> None:
    """The holiday run first into an empty warehouse: nothing to carry forward, so each counted account's cash line
    is unknown, the statements are NOT_FILEABLE and INCOMPLETE_INPUTS says it is a Fedwire holiday with no published
    balance of 2026-11-10 to carry. The balances are missing inputs, as a missing statement is on a bank day: the run
    exits 2 and lists one MISSING_CARRIED_BALANCE problem per bank account (house ones too), in quarantine."""
    warehouse = tmp_path / "wh.duckdb"
    result = run_day(HOLIDAY, landing, warehouse)
    assert result.exit_code == 2
    with DuckDBWarehouse(warehouse) as target:
        accounts = {r["bank_account_id"] for r in target.read_partition("recon_breaks", HOLIDAY)
                    if r["recon"] == "BANK_BALANCE" and r["break_type"] == "MISSING_BANK"}
        quarantine = target.read_partition("quarantine", HOLIDAY)
        (run,) = target.runs(HOLIDAY)
    assert len(accounts) == 13 and run["status"] == "COMPLETED_WITH_REJECTIONS"
    assert {(q["scope"], q["source_file"], q["code"], q["found"]) for q in quarantine} == {
        ("FILE", f"{HOLIDAY.isoformat()}/bank/", "MISSING_CARRIED_BALANCE", "nothing")}
    assert {q["field"] for q in quarantine} == accounts
    for problem in quarantine:
        assert problem["expected"] == f"a closing balance of {BEFORE} published in the warehouse, to carry forward"
        assert problem["message"].startswith(f"{HOLIDAY} is a Fedwire holiday (Veterans Day): ")
        assert (f"bank account {problem['field']} is carried forward from {BEFORE}, but the warehouse holds none"
                in problem["message"])
    listed = result.stages["publish"]["file_problems"]
    assert len(listed) == 13 and all("MISSING_CARRIED_BALANCE" in line for line in listed)
    marts = _read(warehouse, (HOLIDAY,))[HOLIDAY]
    assert {r["statement_status"] for r in marts["seg_statement_lines"]} == {"NOT_FILEABLE"}
    assert not [r for r in marts["seg_statement_lines"] if r["seg_class"] == "SEG" and r["line"] == "7A"]
    incomplete = [a for a in marts["seg_alerts"] if a["code"] == "INCOMPLETE_INPUTS"]
    assert {a["subject"] for a in incomplete if a["seg_class"] == "SEG"} == {"410000101", "410000102", "410000103"}
    for alert in incomplete:
        assert "is a Fedwire holiday (Veterans Day)" in alert["message"]
        assert f"no published closing balance of it for {BEFORE.isoformat()}" in alert["message"]
        assert "Lines 7A" in alert["message"] or "Lines F1" in alert["message"]
    assert not [a for a in marts["seg_alerts"] if a["code"] in ("CARRIED_BANK_BALANCE", "DEFICIENCY")]


def test_a_bank_file_that_arrives_on_the_holiday_is_read(landing: Path, tmp_path: Path) -> None:
    """A final statement of one account dated the holiday wins over the carried balance for that account; the others
    are still carried and the statement stays fileable."""
    copy = tmp_path / "landing"
    shutil.copytree(landing, copy)
    before = _read_closing(copy, "410000102")
    text = write_bai2("261111FCB", "041000124", "FCMRECON", HOLIDAY, [Bai2Group("041000124", HOLIDAY, [
        Bai2Account("410000102", "USD", {"010": before, "015": before})])])
    (copy / HOLIDAY.isoformat() / "bank").mkdir()
    (copy / HOLIDAY.isoformat() / "bank" / "fcb.bai2").write_text(text, encoding="utf-8")
    warehouse = tmp_path / "wh.duckdb"
    for day in (BEFORE, HOLIDAY):
        assert run_day(day, copy, warehouse).exit_code == 0, day
    marts = _read(warehouse, (HOLIDAY,))[HOLIDAY]
    seg_cash = {(s["subject"], s["source_table"]): s for s in marts["seg_line_sources"]
                if s["seg_class"] == "SEG" and s["line"] == "7A" and s["source_table"] != "src_ledger__cash_journal"}
    assert set(seg_cash) == {("410000101", CARRIED), ("410000102", "src_bank__balances"), ("410000103", CARRIED)}
    read_today = seg_cash[("410000102", "src_bank__balances")]
    assert (read_today["source_file"], read_today["amount"]) == (f"{HOLIDAY.isoformat()}/bank/fcb.bai2", before)
    assert {a["subject"] for a in marts["seg_alerts"]
            if a["code"] == "CARRIED_BANK_BALANCE" and a["seg_class"] == "SEG"} == {"410000101", "410000103"}
    assert {r["statement_status"] for r in marts["seg_statement_lines"]} == {"FILEABLE"}


def _read_closing(landing: Path, account: str) -> Decimal:
    """The 015 closing balance of ``account`` in 2026-11-10's fcb.bai2 (USD, two implied places)."""
    for line in (landing / BEFORE.isoformat() / "bank" / "fcb.bai2").read_text().splitlines():
        if line.startswith(f"03,{account},"):
            fields = line.rstrip("/").split(",")
            amount = fields[fields.index("015") + 1]
            return Decimal(amount).scaleb(-2)
    raise AssertionError(f"no 03 record of {account}")


def test_a_backfill_shows_the_holidays_exit_2_and_exits_2(landing: Path, tmp_path: Path, capsys) -> None:
    """A backfill of the holiday alone into an empty warehouse: the day's run exits 2 (nothing to carry), the text
    shows it on the day's line and in a summary line naming the day, and the backfill exits 2; a second backfill skips
    the unchanged day but keeps its run's exit 2, shown and returned as well."""
    command = ["backfill", "--start", HOLIDAY.isoformat(), "--end", HOLIDAY.isoformat(), "--landing", str(landing),
               "--warehouse", str(tmp_path / "wh.duckdb"), "--no-documents", "--no-progress"]
    summary = (f"exit 2: an input was rejected or is missing on 1 day(s) (what depends on it is published marked; "
               f"each day's quarantine names the input and why): {HOLIDAY}")
    assert main(command) == 2
    out = capsys.readouterr().out
    assert f"{HOLIDAY}  RAN " in out and " s  exit 2  no completed run" in out
    assert f"backfill {HOLIDAY}..{HOLIDAY}: 1 ran, 0 skipped, 0 failed, 0 not run" in out and summary in out
    assert main(command) == 2
    out = capsys.readouterr().out
    assert f"{HOLIDAY}  SKIPPED " in out and " s  exit 2  unchanged" in out
    assert f"backfill {HOLIDAY}..{HOLIDAY}: 0 ran, 1 skipped, 0 failed, 0 not run" in out and summary in out
