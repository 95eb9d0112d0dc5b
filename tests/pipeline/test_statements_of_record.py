"""Which bank report is the day's statement of record: duplicates, conflicts, corrections, interim and multi-day."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from recon import calendar
from recon.contracts.bai2_writer import Bai2Account, Bai2Group, write_bai2
from recon.pipeline import run_day
from recon.warehouse import DuckDBWarehouse
from tests.factory import DAY, CashDay, credit, journal_row

ACCOUNT = "100200300"


def _day() -> CashDay:
    day = CashDay()
    day.bank[ACCOUNT] = [credit("1000.00", "REF-A")]
    day.journal = [journal_row("J1", "1000.00", "REF-A")]
    return day


def _bank_file(landing: Path, name: str, groups: list[Bai2Group]) -> Path:
    path = landing / DAY.isoformat() / "bank" / name
    path.write_text(write_bai2(name, "BANKONE", "FCM", DAY, groups), encoding="utf-8")
    return path


def _group(amount: str, reference: str, *, status: str = "1", modifier: str = "2", as_of: date = DAY) -> Bai2Group:
    account = Bai2Account(ACCOUNT, "USD", {"015": Decimal(amount)}, [credit(amount, reference)])
    return Bai2Group("BANKONE", as_of, [account], as_of_modifier=modifier, group_status=status)


def _fates(warehouse: Path) -> dict[str, set[tuple[str, str]]]:
    with DuckDBWarehouse(warehouse) as target:
        rows = target.connection.execute(
            "select source_file, recon, rows_matched, rows_in_breaks, rows_out_of_scope from conservation").fetchall()
        quarantine = target.read_partition("quarantine", DAY)
    fates: dict[str, set[tuple[str, str]]] = {}
    for source, recon, matched, breaks, out in rows:
        fates.setdefault(source, set()).update(
            {(recon, fate) for fate, n in (("MATCHED", matched), ("BREAK", breaks), ("OUT", out)) if n})
    fates["quarantine"] = {(q["source_file"], q["code"]) for q in quarantine if q["scope"] == "FILE"}
    return fates


def test_the_same_bytes_twice_load_once(tmp_path: Path) -> None:
    """A second copy of a bank file (same SHA-256) is recorded as a duplicate and loads nothing more."""
    landing = _day().write(tmp_path / "landing")
    original = landing / DAY.isoformat() / "bank" / "bankone.bai2"
    (original.parent / "bankone-resent.bai2").write_bytes(original.read_bytes())
    result = run_day(DAY, landing, tmp_path / "wh.duckdb")
    assert result.exit_code == 0
    fates = _fates(tmp_path / "wh.duckdb")
    loaded = {name for name in fates if name.startswith("2026-11-24/bank/")}
    # the first by path loads; the other is recorded in the manifest as a duplicate of it
    assert loaded == {"2026-11-24/bank/bankone-resent.bai2"} and fates["quarantine"] == set()
    with DuckDBWarehouse(tmp_path / "wh.duckdb") as target:
        inputs = {i["rel_path"]: i for i in json.loads(target.runs(DAY)[0]["input_files"])}
    assert inputs["2026-11-24/bank/bankone.bai2"]["status"] == "DUPLICATE"


def test_two_files_claiming_one_statement_are_both_rejected_naming_each_other(tmp_path: Path) -> None:
    """Two different final reports for one account and date: neither is used, each names the other, exit 2."""
    landing = _day().write(tmp_path / "landing")
    _bank_file(landing, "bankone-second.bai2", [_group("999.00", "REF-A")])
    result = run_day(DAY, landing, tmp_path / "wh.duckdb")
    assert result.exit_code == 2
    problems = "\n".join(result.stages["publish"]["file_problems"])
    assert "2026-11-24/bank/bankone.bai2" in problems and "also claimed by 2026-11-24/bank/bankone-second.bai2" in problems
    assert "2026-11-24/bank/bankone-second.bai2" in problems and "also claimed by 2026-11-24/bank/bankone.bai2" in problems
    fates = _fates(tmp_path / "wh.duckdb")
    assert {("2026-11-24/bank/bankone.bai2", "CONFLICTING_FILE"),
            ("2026-11-24/bank/bankone-second.bai2", "CONFLICTING_FILE")} <= fates["quarantine"]


def test_a_bai2_correction_supersedes_the_group_it_corrects(tmp_path: Path) -> None:
    """Group status 3 in a later file replaces the statement: its entries are reconciled, the old ones are not."""
    landing = _day().write(tmp_path / "landing")
    _bank_file(landing, "bankone-correction.bai2", [_group("1000.00", "REF-A", status="3")])
    result = run_day(DAY, landing, tmp_path / "wh.duckdb")
    fates = _fates(tmp_path / "wh.duckdb")
    assert result.exit_code == 0
    assert ("CASH", "MATCHED") in fates["2026-11-24/bank/bankone-correction.bai2"]
    assert fates["2026-11-24/bank/bankone.bai2"] == {("NONE", "OUT")}


def test_interim_reports_are_kept_but_not_reconciled(tmp_path: Path) -> None:
    """An intraday report (modifier 1) is out of scope, not a conflict with the day's statement of record."""
    landing = _day().write(tmp_path / "landing")
    _bank_file(landing, "bankone-intraday.bai2", [_group("1.00", "ITD", modifier="1")])
    result = run_day(DAY, landing, tmp_path / "wh.duckdb")
    fates = _fates(tmp_path / "wh.duckdb")
    assert result.exit_code == 0
    assert fates["2026-11-24/bank/bankone-intraday.bai2"] == {("NONE", "OUT")}
    assert ("CASH", "MATCHED") in fates["2026-11-24/bank/bankone.bai2"]


def test_a_statement_of_record_for_another_date_rejects_its_file_whole(tmp_path: Path) -> None:
    """A file in the day's folder holding a final report for the previous business day claims another business date
    (inputs.md): it is rejected whole, naming the file, the statement, the field, expected and found; none of its
    rows (not even its intraday report of the day) is loaded; the day's own statement is still reconciled; exit 2."""
    landing = _day().write(tmp_path / "landing")
    previous = calendar.previous_business_day(DAY)
    _bank_file(landing, "bankone-old.bai2", [_group("1.00", "ITD", modifier="1"), _group("2.00", "OLD", as_of=previous)])
    result = run_day(DAY, landing, tmp_path / "wh.duckdb")
    assert result.exit_code == 2
    name = "2026-11-24/bank/bankone-old.bai2"
    with DuckDBWarehouse(tmp_path / "wh.duckdb") as target:
        (problem,) = [q for q in target.read_partition("quarantine", DAY) if q["source_file"] == name]
    assert (problem["scope"], problem["code"], problem["field"], problem["expected"], problem["found"]) == (
        "FILE", "WRONG_BUSINESS_DATE", "02 as-of date", DAY.isoformat(), previous.isoformat())
    assert problem["record_id"] == "bankone-old.bai2/2/1" and problem["location"].startswith("line ")
    assert f"is for {previous}, but the file is in the folder of business date {DAY}" in problem["message"]
    assert [p for p in result.stages["publish"]["file_problems"] if name in p and "WRONG_BUSINESS_DATE" in p]
    fates = _fates(tmp_path / "wh.duckdb")
    assert name not in fates and ("CASH", "MATCHED") in fates["2026-11-24/bank/bankone.bai2"]


def test_a_multi_day_file_is_split_by_as_of_date(tmp_path: Path) -> None:
    """A file holding the previous business day's final report and the day's own is the day's statement of record:
    the day's report is reconciled and the other date's rows are kept out of scope, not a reason to reject it."""
    landing = _day().write(tmp_path / "landing")
    previous = calendar.previous_business_day(DAY)
    today = _group("1000.00", "REF-A")
    today.accounts.append(Bai2Account("100200400", "USD", {"015": Decimal(0)}, []))  # the day's other account
    _bank_file(landing, "bankone.bai2", [_group("2.00", "OLD", as_of=previous), today])
    result = run_day(DAY, landing, tmp_path / "wh.duckdb")
    fates = _fates(tmp_path / "wh.duckdb")
    assert result.exit_code == 0 and fates["quarantine"] == set()
    assert {("CASH", "MATCHED"), ("NONE", "OUT")} <= fates["2026-11-24/bank/bankone.bai2"]
    assert not [p for p in result.stages["publish"]["file_problems"] if "WRONG_BUSINESS_DATE" in p]
