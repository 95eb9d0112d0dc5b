"""A cash journal entry that is quarantined while the bank has its transaction is reported once: the bank leg is a
CASH MISSING_LEDGER break, and proof of cash (BANK_BALANCE) counts the quarantined entry, which the books' balance
includes, as a ledger-only item instead of raising a second, phantom BALANCE_MISMATCH (reconciliation.md, "proof of
cash": only an unexplained difference is a break). An entry whose amount cannot be read cannot be counted: that
difference stays unexplained. Every row is still accounted for, the entry as quarantined."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from recon.generate import GenerateOptions, generate
from recon.pipeline import run_day
from recon.verify import verify_date
from recon.warehouse import DuckDBWarehouse

DAY = date(2026, 3, 2)
OPTIONS = GenerateOptions(start=DAY, days=1, accounts=12, trades_per_day=20, seed=7)
JOURNAL = f"{DAY.isoformat()}/ledger/cash_journal.csv"
# A withdrawal the generated books and bank both carry, matched one to one on a clean run.
ENTRY, RECORD, REFERENCE = "J20260302-0000002", "cash_journal:J20260302-0000002", "WDL-20260302-000003"
BANK_ACCOUNT, AMOUNT = "410000102", Decimal("-506488.47")
# How the entry is spoiled: (column, value, field the quarantine names, reason code).
SPOILED = {
    "unknown_account": ("account_id", "C999999", "account_id", "UNKNOWN_ACCOUNT"),
    "bad_value_date": ("value_date", "2026-13-02", "value_date", "BAD_DATE"),
    "unreadable_amount": ("amount", "-506,488.47", "amount", "BAD_DECIMAL"),
}


def _spoil(landing: Path, column: str, value: str) -> None:
    path = landing / JOURNAL
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    (row,) = [r for r in rows if r[0] == ENTRY]
    row[rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _published(landing: Path, warehouse: Path) -> dict[str, list[dict]]:
    assert run_day(DAY, landing, warehouse, documents=False).exit_code == 0
    with DuckDBWarehouse(warehouse) as target:
        return {name: target.read_partition(name, DAY)
                for name in ("recon_breaks", "recon_matches", "quarantine", "conservation")}


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("quarantined_journal") / "landing"
    generate(root, OPTIONS)
    return root


@pytest.fixture(scope="module")
def clean(landing: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    return _published(landing, tmp_path_factory.mktemp("clean") / "wh.duckdb")


@pytest.fixture(scope="module", params=sorted(SPOILED))
def spoiled(request, landing: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, list[dict]]]:
    root = tmp_path_factory.mktemp(request.param)
    shutil.copytree(landing, root / "landing")
    column, value, _, _ = SPOILED[request.param]
    _spoil(root / "landing", column, value)
    return request.param, _published(root / "landing", root / "wh.duckdb")


def _bank_balance(marts: dict[str, list[dict]], table: str) -> list[dict]:
    return [r for r in marts[table] if r["recon"] == "BANK_BALANCE" and r["bank_account_id"] == BANK_ACCOUNT
            and r["currency"] == "USD"]


def test_on_a_clean_run_the_entry_matches_its_bank_leg_and_the_account_proves(clean) -> None:
    (match,) = [m for m in clean["recon_matches"] if RECORD in m["ledger_records"]]
    assert (match["recon"], match["reference"], match["ledger_amount"], match["bank_amount"]) == (
        "CASH", REFERENCE, AMOUNT, AMOUNT)
    assert len(_bank_balance(clean, "recon_matches")) == 1 and not _bank_balance(clean, "recon_breaks")


def test_the_entry_is_quarantined_and_its_bank_leg_is_one_cash_break(spoiled) -> None:
    case, marts = spoiled
    _, value, field, code = SPOILED[case]
    (row,) = [q for q in marts["quarantine"] if q["record_id"] == RECORD]
    assert (row["source_file"], row["field"], row["code"], row["found"]) == (JOURNAL, field, code, value)
    # what could be read of the entry is published with it: later days' proof of cash counts it from there
    amount = None if case == "unreadable_amount" else AMOUNT
    assert (row["amount"], row["currency"], row["bank_account_id"]) == (amount, "USD", BANK_ACCOUNT)
    (cash,) = [b for b in marts["recon_breaks"] if b["recon"] == "CASH" and b["reference"] == REFERENCE]
    assert (cash["break_type"], cash["bank_amount"], cash["ledger_amount"], cash["difference"]) == (
        "MISSING_LEDGER", AMOUNT, None, AMOUNT)
    assert not [r for table in ("recon_breaks", "recon_matches") for r in marts[table] if RECORD in r["ledger_records"]]


def test_proof_of_cash_counts_a_quarantined_entry_it_can_read(spoiled, clean) -> None:
    """The bank and the books agree on the closing balance; the CASH break's difference is offset by the quarantined
    entry's, so the account proves (matches) as on the clean run. An unreadable amount cannot offset anything: the
    books' entry is unexplained, by exactly the CASH break's difference reversed."""
    case, marts = spoiled
    if case == "unreadable_amount":
        (mismatch,) = _bank_balance(marts, "recon_breaks")
        assert (mismatch["break_type"], mismatch["difference"]) == ("BALANCE_MISMATCH", -AMOUNT)
        assert not _bank_balance(marts, "recon_matches")
        return
    assert not _bank_balance(marts, "recon_breaks")
    (match,) = _bank_balance(marts, "recon_matches")
    (before,) = _bank_balance(clean, "recon_matches")
    assert (match["bank_amount"], match["ledger_amount"], match["difference"]) == (
        before["bank_amount"], before["ledger_amount"], before["difference"])


def test_every_journal_row_is_accounted_for(spoiled, clean) -> None:
    """read = matched + in breaks + pending + quarantined + out of scope for the journal, in rows and amount; the
    spoiled entry is the only row quarantined (its amount too, where readable)."""
    case, marts = spoiled
    rows = [r for r in marts["conservation"] if r["source_file"] == JOURNAL]
    fates = ("matched", "in_breaks", "pending", "quarantined", "out_of_scope")
    for row in rows:
        assert row["rows_read"] == sum(row[f"rows_{fate}"] for fate in fates), row
        assert row["amount_read"] == sum(row[f"amount_{fate}"] for fate in fates), row
    assert sum(r["rows_read"] for r in rows) == sum(
        r["rows_read"] for r in clean["conservation"] if r["source_file"] == JOURNAL)
    assert sum(r["rows_quarantined"] for r in rows) == 1
    quarantined = sum(r["amount_quarantined"] for r in rows)
    assert quarantined == (0 if case == "unreadable_amount" else AMOUNT)


NEXT_DAY = date(2026, 3, 3)


@pytest.fixture(scope="module")
def two_days(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[date, dict[str, list[dict]]]]:
    """The generated landing over 2026-03-02 and 03-03, run clean and with the entry's account spoiled on 03-02
    (the books still carry the entry in their balance on both days): each run's breaks and matches by day."""
    root = tmp_path_factory.mktemp("two_days")
    generate(root / "clean", GenerateOptions(start=DAY, days=2, accounts=12, trades_per_day=20, seed=7))
    shutil.copytree(root / "clean", root / "spoiled")
    _spoil(root / "spoiled", "account_id", "C999999")
    published = {}
    for case in ("clean", "spoiled"):
        published[case] = _run_days(root / case, root / f"{case}.duckdb")
    published["root"] = root
    return published


def _run_days(landing: Path, warehouse: Path) -> dict[date, dict[str, list[dict]]]:
    published = {}
    for day in (DAY, NEXT_DAY):
        assert run_day(day, landing, warehouse, documents=False).exit_code == 0
        with DuckDBWarehouse(warehouse) as target:
            published[day] = {name: target.read_partition(name, day) for name in ("recon_breaks", "recon_matches")}
    return published


def test_the_next_day_the_bank_leg_is_carried_open_and_the_account_proves_on_a_clean_run(two_days) -> None:
    """On 03-03 the bank leg's CASH break is carried OPEN (the quarantined entry was never accepted), and on the
    clean run the account proves on both days: any 03-03 BALANCE_MISMATCH of the spoiled run is the quarantine's."""
    spoiled, clean = two_days["spoiled"], two_days["clean"]
    assert [(b["break_type"], b["status"], b["difference"]) for b in spoiled[NEXT_DAY]["recon_breaks"]
            if b["recon"] == "CASH" and b["reference"] == REFERENCE] == [("MISSING_LEDGER", "OPEN", AMOUNT)]
    for day in (DAY, NEXT_DAY):
        assert not _bank_balance(clean[day], "recon_breaks") and len(_bank_balance(clean[day], "recon_matches")) == 1


def test_the_next_day_the_quarantined_entry_still_explains_the_books_balance(two_days) -> None:
    """reconciliation.md, proof of cash: the quarantined entry is in the books' balance until the books correct it,
    so it stays an open ledger-only item and the account proves on 03-03 as on 03-02."""
    spoiled = two_days["spoiled"]
    for day in (DAY, NEXT_DAY):
        assert [(b["break_type"], b["difference"]) for b in _bank_balance(spoiled[day], "recon_breaks")] == [], day


def test_verify_reproduces_the_next_day_from_the_quarantine_the_day_before_published(two_days) -> None:
    """verify --date re-runs 03-03 in a scratch warehouse seeded with the journal entries earlier dates quarantined:
    every table hashes as published (without them the proof of cash would differ)."""
    root = two_days["root"]
    checks = verify_date(NEXT_DAY, root / "spoiled", root / "spoiled.duckdb")
    assert checks and [c.line() for c in checks if not c.ok] == []


def test_once_the_entry_is_fixed_and_both_days_re_run_nothing_is_carried(two_days, tmp_path: Path) -> None:
    """The books deliver 03-02's journal again with the entry's account fixed: re-running both days matches the
    entry on 03-02, so 03-03 counts no quarantined entry and its breaks and matches are the clean run's."""
    root = two_days["root"]
    warehouse = tmp_path / "wh.duckdb"
    shutil.copyfile(root / "spoiled.duckdb", warehouse)
    landing = tmp_path / "landing"
    shutil.copytree(root / "spoiled", landing)
    shutil.copyfile(root / "clean" / JOURNAL, landing / JOURNAL)
    fixed = _run_days(landing, warehouse)
    with DuckDBWarehouse(warehouse) as target:
        assert [q for q in target.read_partition("quarantine", DAY) if q["record_id"] == RECORD] == []
    for table in ("recon_breaks", "recon_matches"):
        assert fixed[NEXT_DAY][table] == two_days["clean"][NEXT_DAY][table], table
