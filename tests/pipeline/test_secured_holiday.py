"""`fcm-recon run --classes SECURED` on a weekday CME does not clear (Thanksgiving 2026-11-26): the SECURED statement
alone, from the date's ledger, FX rates and bank statements, with no clearing file and no reconciliation; its run is
verified, leaves the CME days' chain, staleness and backfill as they were, and the other commands answer sensibly.
Fedwire is closed on Thanksgiving too: with no bank file the run carries the SECURED accounts' closing balances
forward from 2026-11-25's published run, records that run and goes stale when 2026-11-25 is re-run.

The landing is generated (recon.generate: 2026-11-23, 24, 25 and 27); the holiday's folder takes the books of
2026-11-25 (balances, custody, FX rates, written again for the holiday), foreign depository and requirement files
written here, and bank statements of the four SECURED accounts as of the holiday. It also holds a clearing folder and
other ledger files, which a SECURED-only run does not read. The expected figures are computed here from those files.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest

from recon.cli import main
from recon.contracts.bai2_writer import Bai2Account, Bai2Group, Bai2Transaction, write_bai2
from recon.contracts.camt_writer import CamtEntry, CamtStatement, write_camt053
from recon.generate import GenerateOptions, generate
from recon.errors import StaleRun
from recon.trust import stale_days
from recon.verify import verify_date
from recon.warehouse import DuckDBWarehouse
from tests.segregation.checks import assert_sources_sum_to_lines, usd_lines

HOLIDAY = date(2026, 11, 26)
BEFORE, AFTER = date(2026, 11, 25), date(2026, 11, 27)
CME_DAYS = (date(2026, 11, 23), date(2026, 11, 24), BEFORE, AFTER)
CENT = Decimal("0.01")
# the holiday's statements of the SECURED bank accounts: (account, currency, opening, entries (amount, reference))
HOLIDAY_STATEMENTS = (
    ("410000201", "USD", Decimal("1250000.00"), ((Decimal("-20000.00"), "HOL-W1"),)),
    ("410000202", "USD", Decimal("3400000.25"), ((Decimal("125000.00"), "HOL-D1"), (Decimal("-5000.25"), "HOL-W2"))),
    ("410000203", "EUR", Decimal("2100000.00"), ((Decimal("75000.50"), "HOL-D2"),)),
    ("410000204", "EUR", Decimal("150000.50"), ()),
)
FOREIGN_EQUITIES = (
    ("depository", "depository_type", "currency", "cash", "securities_value", "unrealized_pl", "long_option_value",
     "short_option_value"),
    ("EUREX CLEARING", "FBOT_CLEARING_ORG", "EUR", "410000.00", "120000.00", "-35000.00", "18000.00", "9000.00"),
    ("LONDON BROKER LTD", "FBOT_MEMBER", "GBP", "90000.00", "0", "4500.00", "0", "1200.00"),
    ("US FCM LLC", "FCM", "USD", "250000.00", "10000.00", "0", "0", "0"),
    ("TOKYO DEPOSITORY", "OTHER", "USD", "30000.00", "0", "0", "0", "0"),
)
FOREIGN_REQUIREMENTS = (("jurisdiction", "currency", "amount"), ("UK FCA", "GBP", "150000.00"),
                        ("DE BAFIN", "EUR", "200000.00"))


def _write_csv(path: Path, rows: tuple[tuple[str, ...], ...]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def _closing(opening: Decimal, entries: tuple) -> Decimal:
    return opening + sum((amount for amount, _ in entries), Decimal(0))


def write_holiday(landing: Path) -> Path:
    """The holiday's folder (module docstring)."""
    source, folder = landing / BEFORE.isoformat(), landing / HOLIDAY.isoformat()
    for name in ("ledger/balances.csv", "ledger/custody.csv", "reference/fx_rates.csv",
                 "ledger/cash_journal.csv", "ledger/positions.csv", "clearing/positions.xml", "clearing/collateral.csv"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, folder / name)
    _write_csv(folder / "ledger/foreign_depository_equities.csv", FOREIGN_EQUITIES)
    _write_csv(folder / "ledger/foreign_requirements.csv", FOREIGN_REQUIREMENTS)
    bai2, camt = [], []
    for number, (account, currency, opening, entries) in enumerate(HOLIDAY_STATEMENTS, start=1):
        closing = _closing(opening, entries)
        if currency == "USD":
            bai2.append(Bai2Account(account, currency, {"010": opening, "015": closing}, [
                Bai2Transaction("195" if amount > 0 else "495", abs(amount), f"B{reference}", reference, "HOLIDAY")
                for amount, reference in entries]))
        else:
            camt.append(CamtStatement(f"{account}-{HOLIDAY:%Y%m%d}", number, account, currency, HOLIDAY, opening,
                                      closing, [CamtEntry(amount, HOLIDAY, HOLIDAY, f"B{reference}", reference)
                                                for amount, reference in entries]))
    (folder / "bank").mkdir(parents=True, exist_ok=True)
    (folder / "bank/fcb.bai2").write_text(write_bai2(f"{HOLIDAY:%y%m%d}FCB", "041000124", "FCMRECON", HOLIDAY,
                                                     [Bai2Group("041000124", HOLIDAY, bai2)]), encoding="utf-8")
    (folder / "bank/fcb_camt053.xml").write_text(
        write_camt053(f"FCB-{HOLIDAY:%Y%m%d}", datetime.combine(HOLIDAY, time(18)), camt), encoding="utf-8")
    _with_a_debit(folder / "ledger/balances.csv")
    return folder


DEBIT_ACCOUNT = "C000009"  # a SECURED customer whose EUR balance is made a debit on the holiday (line 5)


def _with_a_debit(path: Path) -> None:
    """C000009's EUR cash is a 20,000 debit with 5,000 of offsetting securities (Reg 1.32(b))."""
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    changed = [r for r in rows if r["account_id"] == DEBIT_ACCOUNT and r["currency"] == "EUR"]
    assert len(changed) == 1
    changed[0].update(cash_balance="-20000.00", offset_securities_value="5000.00")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def expected_secured_lines(landing: Path, closings: dict[str, Decimal] | None = None) -> dict[str, Decimal]:
    """The SECURED statement's USD lines (spec/segregation.md, Statement 2), computed from the holiday's files with
    plain Decimal arithmetic, rounded half-even to the cent once at the end; ``closings``: each SECURED bank account's
    closing balance in its currency (default: the holiday's statements')."""
    if closings is None:
        closings = {account: _closing(opening, entries) for account, _, opening, entries in HOLIDAY_STATEMENTS}
    folder = landing / HOLIDAY.isoformat()
    rates = {r["currency"]: Decimal(r["usd_per_unit"]) for r in _rows(folder / "reference/fx_rates.csv")}
    secured = {r["account_id"] for r in _rows(landing / "reference/accounts.csv")
               if r["seg_class"] == "SECURED" and r["account_type"] == "CUSTOMER"}
    lines: dict[str, Decimal] = defaultdict(Decimal)
    nle_usd: dict[str, Decimal] = defaultdict(Decimal)
    offset_usd: dict[str, Decimal] = defaultdict(Decimal)
    for row in _rows(folder / "ledger/balances.csv"):
        if row["account_id"] not in secured:
            continue
        rate = rates[row["currency"]]
        figures = {"1A": row["cash_balance"], "1B": row["securities_value"], "2": row["open_trade_equity"],
                   "3A": row["long_option_value"], "3B": f"-{row['short_option_value']}"}
        for line, text in figures.items():
            lines[line] += Decimal(text) * rate
            nle_usd[row["account_id"]] += Decimal(text) * rate
        offset_usd[row["account_id"]] += Decimal(row["offset_securities_value"]) * rate
    deficits = {a: max(Decimal(0), -nle) for a, nle in nle_usd.items()}
    lines["5_GROSS"] = sum(deficits.values(), Decimal(0))
    lines["5_OFFSET"] = -sum((min(deficits[a], offset_usd[a]) for a in deficits), Decimal(0))  # printed as a less
    lines["5"] = lines["5_GROSS"] + lines["5_OFFSET"]
    lines["4"] = lines["1A"] + lines["1B"] + lines["2"] + lines["3A"] + lines["3B"]
    lines["6"] = lines["4"] + lines["5"]
    lines["0"] = sum((Decimal(r["amount"]) * rates[r["currency"]]
                      for r in _rows(folder / "ledger/foreign_requirements.csv")), Decimal(0))
    lines["7"] = max(lines["0"], lines["6"])
    banks = {r["bank_account_id"]: r for r in _rows(landing / "reference/bank_accounts.csv")
             if r["seg_class"] == "SECURED" and r["acknowledgment_letter_date"]}
    for account, currency, _, _ in HOLIDAY_STATEMENTS:
        line = "F1A" if banks[account]["country"] == "US" else "F1B"
        lines[line] += closings[account] * rates[currency]
    for row in _rows(folder / "ledger/custody.csv"):
        if row["seg_class"] == "SECURED" and row["depository_account_id"] in banks:
            line = "F2A" if banks[row["depository_account_id"]]["country"] == "US" else "F2B"
            lines[line] += Decimal(row["market_value"]) * rates[row["currency"]]
    prefix = {"FCM": "F3", "FBOT_CLEARING_ORG": "F4", "FBOT_MEMBER": "F5"}
    for row in _rows(folder / "ledger/foreign_depository_equities.csv"):
        rate = rates[row["currency"]]
        items = {"A": Decimal(row["cash"]), "B": Decimal(row["securities_value"]), "C": Decimal(row["unrealized_pl"]),
                 "D": Decimal(row["long_option_value"]), "E": -Decimal(row["short_option_value"])}
        if row["depository_type"] == "OTHER":
            lines["F6"] += sum(items.values(), Decimal(0)) * rate
            continue
        for item, amount in items.items():
            lines[prefix[row["depository_type"]] + item] += amount * rate
            lines[prefix[row["depository_type"]]] += amount * rate
    funds = ("F1A", "F1B", "F2A", "F2B", "F3", "F4", "F5", "F6", "F7")
    lines["F8"] = sum((lines[line] for line in funds), Decimal(0))
    lines["F9"] = lines["F8"] - lines["7"]
    target = next(r for r in _rows(landing / "reference/targets.csv") if r["seg_class"] == "SECURED")
    lines["F10"] = max(Decimal(target["target_amount_usd"] or 0),
                       Decimal(target["target_pct_of_requirement"] or 0) * lines["7"])
    lines["F11"] = lines["F9"] - lines["F10"]
    return {line: amount.quantize(CENT) for line, amount in lines.items()}


def _run(landing: Path, warehouse: Path, day: date, *extra: str) -> int:
    return main(["run", "--date", day.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse),
                 "--no-documents", *extra])


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[date, int]]:
    """The generated CME days before the holiday, the holiday's SECURED-only run, then the day after, in order."""
    root = tmp_path_factory.mktemp("holiday")
    landing = root / "landing"
    generate(landing, GenerateOptions(CME_DAYS[0], len(CME_DAYS), 40, 200, 1))
    write_holiday(landing)
    warehouse = root / "wh.duckdb"
    codes = {day: _run(landing, warehouse, day) for day in CME_DAYS[:3]}
    codes[HOLIDAY] = _run(landing, warehouse, HOLIDAY, "--classes", "SECURED")
    codes[AFTER] = _run(landing, warehouse, AFTER)
    return landing, warehouse, codes


def _partitions(warehouse: Path, day: date) -> dict[str, list[dict]]:
    names = ("seg_statement_lines", "seg_alerts", "seg_line_sources", "seg_account_figures", "recon_matches",
             "recon_breaks", "conservation", "quarantine")
    with DuckDBWarehouse(warehouse) as target:
        return {name: target.read_partition(name, day) for name in names}


def _manifest(warehouse: Path, day: date) -> dict:
    with DuckDBWarehouse(warehouse) as target:
        return json.loads(target.runs(day)[-1]["manifest"])


def test_the_holiday_publishes_exactly_the_secured_statement_with_its_figures(published) -> None:
    """Exit 0; only SECURED rows in the statement tables, every line equal to the figure computed from the files to
    the cent, FILEABLE, the drill-down summing to the lines; no match and no break."""
    landing, warehouse, codes = published
    assert codes == dict.fromkeys((*CME_DAYS[:3], HOLIDAY, AFTER), 0)
    tables = _partitions(warehouse, HOLIDAY)
    for name in ("seg_statement_lines", "seg_line_sources", "seg_account_figures"):
        assert {r["seg_class"] for r in tables[name]} == {"SECURED"}, name
    assert {r["seg_class"] for r in tables["seg_alerts"]} <= {"SECURED"}
    assert tables["recon_matches"] == [] and tables["recon_breaks"] == []
    assert {r["statement_status"] for r in tables["seg_statement_lines"]} == {"FILEABLE"}
    expected = expected_secured_lines(landing)
    found = usd_lines(tables["seg_statement_lines"], "SECURED")
    assert found == {line: expected.get(line, Decimal("0.00")) for line in found}
    assert found["5"] > 0 and found["F4"] != 0 and found["F1A"] > 0  # the debit, the FBOT and the bank lines
    assert_sources_sum_to_lines(tables["seg_statement_lines"], tables["seg_line_sources"])
    # the same day's full statement set is on the CME days around it
    assert {r["seg_class"] for r in _partitions(warehouse, AFTER)["seg_statement_lines"]} == {
        "SEG", "SECURED", "CLEARED_SWAPS"}


def test_the_holiday_reads_only_what_the_secured_statement_needs_and_conserves_it(published) -> None:
    """The clearing files, cash journal and positions in the holiday's folder are not inputs; every record read is
    out of scope (no recon), in count and amount, and nothing is quarantined."""
    landing, warehouse, _ = published
    inputs = sorted(i["rel_path"] for i in _manifest(warehouse, HOLIDAY)["inputs"])
    day = HOLIDAY.isoformat()
    assert inputs == sorted([
        f"{day}/bank/fcb.bai2", f"{day}/bank/fcb_camt053.xml", f"{day}/ledger/balances.csv", f"{day}/ledger/custody.csv",
        f"{day}/ledger/foreign_depository_equities.csv", f"{day}/ledger/foreign_requirements.csv",
        f"{day}/reference/fx_rates.csv", *(f"reference/{p.name}" for p in (landing / "reference").iterdir())])
    assert (landing / day / "clearing/positions.xml").exists() and (landing / day / "ledger/cash_journal.csv").exists()
    tables = _partitions(warehouse, HOLIDAY)
    assert tables["quarantine"] == []
    conservation = tables["conservation"]
    assert {r["recon"] for r in conservation} == {"NONE"}
    assert all(r["rows_out_of_scope"] == r["rows_read"] and r["amount_out_of_scope"] == r["amount_read"]
               for r in conservation)
    bank_rows = sum(r["rows_read"] for r in conservation if "/bank/" in r["source_file"])
    assert bank_rows == sum(len(entries) for *_, entries in HOLIDAY_STATEMENTS)


def test_verify_reproduces_the_holiday_and_the_chain_still_verifies(published, capsys) -> None:
    """verify --date re-runs the SECURED-only run from its recorded inputs (same hashes); verify --chain passes."""
    landing, warehouse, _ = published
    capsys.readouterr()
    assert main(["verify", "--date", HOLIDAY.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "seg_statement_lines" in out and "verify: 8 OK, 0 DIFFERS" in out
    assert main(["verify", "--chain", "--warehouse", str(warehouse)]) == 0
    assert ", 0 DIFFERS" in capsys.readouterr().out


def test_the_holiday_rests_on_the_previous_cme_day_and_no_day_rests_on_it(published, tmp_path: Path, capsys) -> None:
    """The holiday's run is in the manifest chain (sequence 4, linked to 2026-11-25's run) and, Fedwire being closed on
    Thanksgiving, records 2026-11-25's run as the day it rests on (whose bank balances it would carry forward);
    2026-11-27's T-1 is 2026-11-25. Nothing is stale, a backfill of the range skips every CME day and leaves the
    holiday alone; re-running the holiday stales nothing, re-running 2026-11-25 stales the holiday and 2026-11-27,
    the backfill that follows re-runs 2026-11-27 alone, and the holiday stays stale (its statement says so and
    cannot be filed, verify refuses it) until its SECURED-only run is run again."""
    landing, warehouse, _ = published
    copy = tmp_path / "wh.duckdb"
    shutil.copyfile(warehouse, copy)
    with DuckDBWarehouse(copy) as target:
        chain = {run["business_date"]: run for run in target.runs()}
        assert [chain[d]["sequence"] for d in (*CME_DAYS[:3], HOLIDAY, AFTER)] == [1, 2, 3, 4, 5]
        assert chain[HOLIDAY]["previous_manifest_hash"] == chain[BEFORE]["manifest_hash"]
        assert chain[AFTER]["previous_manifest_hash"] == chain[HOLIDAY]["manifest_hash"]
        assert stale_days(target) == {}
    holiday, after = _manifest(copy, HOLIDAY), _manifest(copy, AFTER)
    assert holiday["classes"] == ["SECURED"] and holiday["previous_day_manifest_hash"] == chain[BEFORE]["manifest_hash"]
    assert "classes" not in after and after["previous_day_manifest_hash"] == chain[BEFORE]["manifest_hash"]
    capsys.readouterr()
    backfill = ["backfill", "--start", CME_DAYS[0].isoformat(), "--end", AFTER.isoformat(), "--landing", str(landing),
                "--warehouse", str(copy), "--no-documents", "--no-progress", "--json"]
    assert main(backfill) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["ran"], result["skipped"]) == (0, 4)
    assert HOLIDAY.isoformat() not in [d["business_date"] for d in result["days"]]

    assert _run(landing, copy, HOLIDAY, "--classes", "SECURED") == 0
    with DuckDBWarehouse(copy) as target:
        assert stale_days(target) == {}
    capsys.readouterr()
    assert _run(landing, copy, BEFORE) == 0
    assert (f"re-run them: fcm-recon backfill --start {AFTER} --end {AFTER}, then fcm-recon run --date {HOLIDAY} "
            "--classes SECURED") in capsys.readouterr().out
    with DuckDBWarehouse(copy) as target:
        assert stale_days(target) == {HOLIDAY: HOLIDAY, AFTER: AFTER}
    capsys.readouterr()
    assert main(backfill) == 0
    result = json.loads(capsys.readouterr().out)
    assert [(d["business_date"], d["action"]) for d in result["days"] if d["action"] != "SKIPPED"] == [
        (AFTER.isoformat(), "RAN")]
    with DuckDBWarehouse(copy) as target:
        assert stale_days(target) == {HOLIDAY: HOLIDAY}
    _assert_stale_holiday(landing, copy, capsys)
    assert _run(landing, copy, HOLIDAY, "--classes", "SECURED") == 0
    with DuckDBWarehouse(copy) as target:
        assert stale_days(target) == {}
    assert main(["verify", "--chain", "--warehouse", str(copy)]) == 0


def _assert_stale_holiday(landing: Path, warehouse: Path, capsys) -> None:
    """The holiday's SECURED statement says STALE (exit 2) naming the re-run day and the SECURED-only run to do,
    cannot be marked filed, and verify --date raises StaleRun."""
    day = HOLIDAY.isoformat()
    capsys.readouterr()
    assert main(["statement", "--date", day, "--class", "SECURED", "--warehouse", str(warehouse)]) == 2
    out = capsys.readouterr().out
    assert (f"STALE: {BEFORE} was re-run after {HOLIDAY} ran, so {HOLIDAY} rests on a superseded run of {BEFORE}; "
            f"re-run it: fcm-recon run --date {HOLIDAY} --classes SECURED") in out
    assert main(["statement", "--date", day, "--class", "SECURED", "--warehouse", str(warehouse), "--mark-filed",
                 "--by", "CFO"]) != 0
    with DuckDBWarehouse(warehouse) as target:
        assert target.read_partition("seg_filings", HOLIDAY) == []
    with pytest.raises(StaleRun, match=f"{BEFORE}'s latest run is"):
        verify_date(HOLIDAY, landing, warehouse)


def test_statement_breaks_report_and_filing_on_the_holiday(published, tmp_path: Path, capsys) -> None:
    """The SECURED statement prints (exit 0); SEG has none and breaks has no report, each saying why (exit 1);
    report writes the SECURED statement's documents only; --mark-filed without --class files SECURED alone."""
    _, warehouse, _ = published
    copy = tmp_path / "wh.duckdb"
    shutil.copyfile(warehouse, copy)
    day = HOLIDAY.isoformat()
    capsys.readouterr()
    assert main(["statement", "--date", day, "--class", "SECURED", "--warehouse", str(copy)]) == 0
    out = capsys.readouterr().out
    assert f"SECURED statement as of the close of {day}  status FILEABLE" in out
    expected_excess = usd_lines(_partitions(copy, HOLIDAY)["seg_statement_lines"], "SECURED")["F9"]
    assert f"{expected_excess:,}" in out
    assert main(["statement", "--date", day, "--class", "SEG", "--warehouse", str(copy)]) == 1
    assert "its run computed the SECURED statement only, there is no SEG statement" in capsys.readouterr().err
    assert main(["breaks", "--date", day, "--warehouse", str(copy)]) == 1
    assert f"{day} (Thursday) is a SECURED-only date (CME does not clear): its run reconciled nothing" in (
        capsys.readouterr().err)
    assert main(["report", "--date", day, "--warehouse", str(copy), "--reports", str(tmp_path / "reports")]) == 0
    assert sorted(p.name for p in (tmp_path / "reports" / day).iterdir()) == [
        "statement_SECURED.html", "statement_SECURED.json", "statement_SECURED.pdf", "statement_SECURED.txt"]
    assert main(["statement", "--date", day, "--warehouse", str(copy), "--mark-filed", "--by", "CFO"]) == 0
    with DuckDBWarehouse(copy) as target:
        assert [f["seg_class"] for f in target.read_partition("seg_filings", HOLIDAY)] == ["SECURED"]


def test_a_missing_secured_input_makes_the_statement_not_fileable(published, tmp_path: Path) -> None:
    """custody.csv and the camt.053 file (the two EUR accounts' statements) did not arrive, into a warehouse with no
    2026-11-25 run: exit 2 for the missing custody file, the SECURED statement NOT_FILEABLE with INCOMPLETE_INPUTS;
    no bank statement is asked for on a Fedwire holiday (the EUR accounts' balances would be carried forward, but
    nothing was published to carry: INCOMPLETE_INPUTS names them, and so does a MISSING_CARRIED_BALANCE problem each);
    no clearing file, cash journal or SEG account is asked for."""
    landing, _, _ = published
    partial = tmp_path / "landing"
    shutil.copytree(landing / "reference", partial / "reference")
    shutil.copytree(landing / HOLIDAY.isoformat(), partial / HOLIDAY.isoformat(),
                    ignore=shutil.ignore_patterns("custody.csv", "*camt053.xml", "clearing", "cash_journal.csv"))
    warehouse = tmp_path / "wh.duckdb"
    assert _run(partial, warehouse, HOLIDAY, "--classes", "SECURED") == 2
    tables = _partitions(warehouse, HOLIDAY)
    assert {r["statement_status"] for r in tables["seg_statement_lines"]} == {"NOT_FILEABLE"}
    assert {r["seg_class"] for r in tables["seg_statement_lines"]} == {"SECURED"}
    assert "INCOMPLETE_INPUTS" in {a["code"] for a in tables["seg_alerts"]}
    assert {a["subject"] for a in tables["seg_alerts"] if a["code"] == "INCOMPLETE_INPUTS" and a["currency"]} == {
        "410000203", "410000204"}
    problems = sorted((q["code"], q["source_file"], q["field"]) for q in tables["quarantine"])
    day = HOLIDAY.isoformat()
    assert problems == [("MISSING_CARRIED_BALANCE", f"{day}/bank/", "410000203"),
                        ("MISSING_CARRIED_BALANCE", f"{day}/bank/", "410000204"),
                        ("MISSING_INPUT", f"{day}/ledger/custody.csv", "")]


SECURED_BANK_ACCOUNTS = tuple(account for account, *_ in HOLIDAY_STATEMENTS)
CARRIED = "src_warehouse__previous_bank_balances"


def _without_bank_files(landing: Path, copy: Path) -> Path:
    """A copy of ``landing`` whose holiday folder holds no bank file (US banks send nothing on Thanksgiving)."""
    shutil.copytree(landing, copy)
    shutil.rmtree(copy / HOLIDAY.isoformat() / "bank")
    return copy


@pytest.fixture(scope="module")
def carried(published, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The published warehouse with the holiday's SECURED-only run made again from a landing with no bank file."""
    landing, warehouse, _ = published
    root = tmp_path_factory.mktemp("carried")
    bankless = _without_bank_files(landing, root / "landing")
    copy = root / "wh.duckdb"
    shutil.copyfile(warehouse, copy)
    assert _run(bankless, copy, HOLIDAY, "--classes", "SECURED") == 0
    return bankless, copy


def test_with_no_bank_file_the_holiday_carries_the_previous_cme_days_closing_balances(carried) -> None:
    """No bank file on Thanksgiving: the SECURED statement is FILEABLE; F1A (US banks) and F1B (the others) are the
    SECURED accounts' closing balances 2026-11-25's run published (same record, file and amount), each flagged by
    an INFO CARRIED_BANK_BALANCE alert; every line equals the figure computed from the files with those closings; the
    manifest records 2026-11-25's run; no bank statement is asked for."""
    landing, warehouse = carried
    tables, before = _partitions(warehouse, HOLIDAY), _partitions(warehouse, BEFORE)
    manifest = _manifest(warehouse, HOLIDAY)
    with DuckDBWarehouse(warehouse) as target:
        assert manifest["previous_day_manifest_hash"] == target.runs(BEFORE)[-1]["manifest_hash"]
    assert not [i for i in manifest["inputs"] if "/bank/" in i["rel_path"]]
    assert tables["quarantine"] == [] and tables["recon_matches"] == [] and tables["recon_breaks"] == []
    assert {r["statement_status"] for r in tables["seg_statement_lines"]} == {"FILEABLE"}
    assert not [a for a in tables["seg_alerts"] if a["code"] == "INCOMPLETE_INPUTS"]
    closings = {m["bank_account_id"]: m["bank_amount"] for m in before["recon_matches"]
                if m["recon"] == "BANK_BALANCE" and m["bank_account_id"] in SECURED_BANK_ACCOUNTS}
    closings |= {b["bank_account_id"]: b["bank_amount"] for b in before["recon_breaks"]
                 if b["recon"] == "BANK_BALANCE" and b["bank_account_id"] in SECURED_BANK_ACCOUNTS
                 and b["bank_amount"] is not None and b["status"] in ("NEW", "OPEN", "CLOSED")}
    assert sorted(closings) == sorted(SECURED_BANK_ACCOUNTS)
    read = {(s["line"], s["record_id"]): s for s in before["seg_line_sources"]
            if s["seg_class"] == "SECURED" and s["line"] in ("F1A", "F1B")
            and s["source_table"] == "src_bank__balances"}
    bank_sources = [s for s in tables["seg_line_sources"] if s["line"] in ("F1A", "F1B")]
    assert bank_sources and {s["source_table"] for s in bank_sources} == {CARRIED}
    assert {(s["line"], s["record_id"]): (s["subject"], s["amount"], s["source_file"]) for s in bank_sources} == {
        key: (s["subject"], s["amount"], s["source_file"]) for key, s in read.items()}
    assert {s["subject"]: s["amount"] for s in bank_sources} == closings
    assert all(s["source_file"].startswith(f"{BEFORE}/bank/") for s in bank_sources)
    expected = expected_secured_lines(landing, closings)
    found = usd_lines(tables["seg_statement_lines"], "SECURED")
    assert found == {line: expected.get(line, Decimal("0.00")) for line in found}
    assert found["F1A"] > 0  # the four SECURED accounts are at US banks: F1B is nothing carried
    assert_sources_sum_to_lines(tables["seg_statement_lines"], tables["seg_line_sources"])
    alerts = {a["subject"]: a for a in tables["seg_alerts"] if a["code"] == "CARRIED_BANK_BALANCE"}
    assert sorted(alerts) == sorted(SECURED_BANK_ACCOUNTS)
    for account, alert in alerts.items():
        assert (alert["seg_class"], alert["severity"]) == ("SECURED", "INFO")
        assert f"{HOLIDAY} is a Fedwire holiday (Thanksgiving Day) on which CME does not clear" in alert["message"]
        assert f"carried forward from {BEFORE} as published by the run of {BEFORE}" in alert["message"]
        assert f"next bank day, {AFTER}" in alert["message"]
    print("carried closings", {a: str(v) for a, v in sorted(closings.items())},
          "F1A", found["F1A"], "F1B", found["F1B"], "F8", found["F8"], "F9", found["F9"])


def test_verify_reproduces_the_carried_holiday_and_a_rerun_of_the_day_before_stales_it(carried, tmp_path: Path,
                                                                                          capsys) -> None:
    """verify --date re-runs the holiday from its inputs and the 2026-11-25 balances it carried (same hashes); after
    2026-11-25 is re-run the holiday is stale (statement STALE, exit 2, not fileable; verify raises StaleRun), and
    2026-11-27, which reads 2026-11-25 as ever, is stale too; running the holiday again carries the new run."""
    landing, warehouse = carried
    capsys.readouterr()
    verify = ["verify", "--date", HOLIDAY.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse)]
    assert main(verify) == 0
    assert "verify: 8 OK, 0 DIFFERS" in capsys.readouterr().out
    copy = tmp_path / "wh.duckdb"
    shutil.copyfile(warehouse, copy)
    assert _run(landing, copy, BEFORE) == 0
    with DuckDBWarehouse(copy) as target:
        assert stale_days(target) == {HOLIDAY: HOLIDAY, AFTER: AFTER}
    _assert_stale_holiday(landing, copy, capsys)
    assert _run(landing, copy, HOLIDAY, "--classes", "SECURED") == 0
    with DuckDBWarehouse(copy) as target:
        assert stale_days(target) == {AFTER: AFTER}
        assert _manifest(copy, HOLIDAY)["previous_day_manifest_hash"] == target.runs(BEFORE)[-1]["manifest_hash"]
    assert verify_date(HOLIDAY, landing, copy) and all(c.ok for c in verify_date(HOLIDAY, landing, copy))


def test_with_no_published_previous_day_the_carried_lines_are_unknown(carried, tmp_path: Path) -> None:
    """No bank file and no 2026-11-25 run in the warehouse: nothing to carry, so F1A (in all, USD and EUR; the
    accounts are at US banks) and the totals built on it are unknown, the
    statement NOT_FILEABLE, and INCOMPLETE_INPUTS names each account and why; each account's balance is a missing
    input (MISSING_CARRIED_BALANCE, exit 2, as a full run of a Fedwire holiday), no CARRIED_BANK_BALANCE."""
    landing, _ = carried
    warehouse = tmp_path / "wh.duckdb"
    assert _run(landing, warehouse, HOLIDAY, "--classes", "SECURED") == 2
    tables = _partitions(warehouse, HOLIDAY)
    assert _manifest(warehouse, HOLIDAY)["previous_day_manifest_hash"] is None
    assert {r["statement_status"] for r in tables["seg_statement_lines"]} == {"NOT_FILEABLE"}
    unknown = {(r["line"], r["currency"]) for r in tables["seg_statement_lines"]}
    assert not unknown & {("F1A", "ALL"), ("F1A", "USD"), ("F1A", "EUR"), ("F8", "ALL"), ("F9", "ALL")}
    assert sorted((q["code"], q["source_file"], q["field"]) for q in tables["quarantine"]) == [
        ("MISSING_CARRIED_BALANCE", f"{HOLIDAY}/bank/", account) for account in sorted(SECURED_BANK_ACCOUNTS)]
    incomplete = [a for a in tables["seg_alerts"] if a["code"] == "INCOMPLETE_INPUTS"]
    assert sorted(a["subject"] for a in incomplete) == sorted(SECURED_BANK_ACCOUNTS)
    for alert in incomplete:
        assert f"{HOLIDAY} is a Fedwire holiday (Thanksgiving Day) on which CME does not clear" in alert["message"]
        assert "carried forward from the previous CME business day" in alert["message"]
        assert f"no published closing balance of it for {BEFORE}" in alert["message"]
        assert "Lines F1" in alert["message"]
    assert not [a for a in tables["seg_alerts"] if a["code"] in ("CARRIED_BANK_BALANCE", "DEFICIENCY")]
