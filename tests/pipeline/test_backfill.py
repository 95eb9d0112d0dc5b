"""Backfill runs the CME business days of a range in order, skips the unchanged ones, and re-runs a changed day and
every later day that depended on it; documents deferred with --no-documents are rendered by `fcm-recon report`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from recon.backfill import BackfillOptions, business_days_in, run_backfill
from recon.cli import main
from recon.generate import GenerateOptions, generate
from recon.observability import json_logs
from recon.pipeline import run_day
from recon.warehouse import DuckDBWarehouse

DAYS = [date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 27)]  # Thanksgiving (26th) is no CME day
OPTIONS = BackfillOptions(documents=False, progress=False)


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("backfill")
    landing = folder / "landing"
    generate(landing, GenerateOptions(DAYS[0], 3, 10, 20, 5))
    warehouse = folder / "wh.duckdb"
    with json_logs(folder / "first.jsonl"):
        first = run_backfill(DAYS[0], DAYS[-1], landing, warehouse, OPTIONS)
    chain = _chain(warehouse)
    return {"landing": landing, "warehouse": warehouse, "first": first, "folder": folder, "chain": chain}


def _chain(warehouse: Path) -> list[tuple]:
    with DuckDBWarehouse(warehouse) as target:
        return [(r["business_date"], r["status"], r["manifest_hash"], r["output_hashes"]) for r in target.runs()]


def test_the_days_parsed_and_validated_ahead_publish_what_runs_one_by_one_publish(backfilled: dict) -> None:
    """The worker parsed and validated every day ahead, each run took its outputs over, and the chain (manifest
    hashes, every partition's hash) is the one of `fcm-recon run` day by day."""
    events = [json.loads(line) for line in (backfilled["folder"] / "first.jsonl").read_text().splitlines()]
    assert [e["business_date"] for e in events if e["event"] == "day_prepared"] == [d.isoformat() for d in DAYS]
    one_by_one = backfilled["folder"] / "one_by_one.duckdb"
    for day in DAYS:
        run_day(day, backfilled["landing"], one_by_one, documents=False)
    assert backfilled["chain"] == _chain(one_by_one)


def test_the_range_is_its_cme_business_days_in_order() -> None:
    assert business_days_in(date(2026, 11, 22), date(2026, 11, 29)) == [
        date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 27)]


def test_a_first_backfill_runs_every_day_and_a_second_skips_them_all(backfilled: dict) -> None:
    first = backfilled["first"]
    assert [(d.business_date, d.action, d.exit_code) for d in first.days] == [(d, "RAN", 0) for d in DAYS]
    again = run_backfill(DAYS[0], DAYS[-1], backfilled["landing"], backfilled["warehouse"], OPTIONS)
    assert [(d.action, d.reason) for d in again.days] == [("SKIPPED", "unchanged")] * 3
    assert again.counts() == {"ran": 0, "skipped": 3, "failed": 0, "not_run": 0}
    with DuckDBWarehouse(backfilled["warehouse"]) as target:
        runs = target.runs()
    assert [r["business_date"] for r in runs] == DAYS
    manifests = [json.loads(r["manifest"]) for r in runs]
    assert manifests[1]["previous_day_manifest_hash"] == runs[0]["manifest_hash"]


def test_a_changed_day_re_runs_and_makes_the_later_days_stale_until_they_re_run(
        backfilled: dict, capsys: pytest.CaptureFixture[str]) -> None:
    landing, warehouse = backfilled["landing"], backfilled["warehouse"]
    (landing / DAYS[1].isoformat() / "ledger" / "notes.txt").write_text("a file the layout does not name\n")
    middle = run_backfill(DAYS[1], DAYS[1], landing, warehouse, OPTIONS)
    assert [(d.action, d.reason) for d in middle.days] == [("RAN", "changed: inputs")]
    assert middle.stale_after == [DAYS[2]]
    _assert_stale(warehouse, DAYS[2], DAYS[2], capsys)
    (landing / DAYS[1].isoformat() / "ledger" / "notes2.txt").write_text("another\n")
    assert main(["run", "--date", DAYS[1].isoformat(), "--landing", str(landing), "--warehouse", str(warehouse),
                 "--no-documents", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stale_after"] == [DAYS[2].isoformat()]
    assert main(["backfill", "--start", DAYS[0].isoformat(), "--end", DAYS[-1].isoformat(), "--landing",
                 str(landing), "--warehouse", str(warehouse), "--no-documents", "--no-progress",
                 "--log-file", str(backfilled["folder"] / "log.jsonl")]) == 0
    out = capsys.readouterr().out
    assert f"{DAYS[2]}  RAN" in out and "changed: previous_day_manifest_hash" in out
    assert f"backfill {DAYS[0]}..{DAYS[-1]}: 1 ran, 2 skipped, 0 failed, 0 not run" in out
    events = [json.loads(line) for line in (backfilled["folder"] / "log.jsonl").read_text().splitlines()]
    summary = next(e for e in events if e["event"] == "run_summary")
    assert summary["business_date"] == DAYS[2].isoformat() and summary["stage_seconds"].keys() == {
        "land", "parse", "validate", "match", "publish", "report"}
    assert set(summary["match_rate"]) >= {"CASH", "DCO_SETTLEMENT"} and summary["breaks_by_tier"]
    assert summary["statement_deadline"] == "2026-11-30T12:00:00-05:00"
    assert [e["action"] for e in events if e["event"] == "backfill_day"] == ["SKIPPED", "SKIPPED", "RAN"]
    assert main(["breaks", "--date", DAYS[2].isoformat(), "--warehouse", str(warehouse), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stale_since"] is None  # re-run: no longer stale


def _assert_stale(warehouse: Path, day: date, first_stale: date, capsys: pytest.CaptureFixture[str]) -> None:
    """A stale day's break report and statement say so first, and its statement cannot be marked filed."""
    warning = (f"STALE: {DAYS[DAYS.index(first_stale) - 1]} was re-run after {first_stale} ran, so {day} rests on a "
               f"superseded run")
    assert main(["breaks", "--date", day.isoformat(), "--warehouse", str(warehouse)]) == 0
    assert capsys.readouterr().out.startswith(warning)
    assert main(["breaks", "--date", day.isoformat(), "--warehouse", str(warehouse), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stale_since"] == first_stale.isoformat()
    assert main(["statement", "--date", day.isoformat(), "--class", "SEG", "--warehouse", str(warehouse)]) == 2
    assert capsys.readouterr().out.startswith(warning)
    assert main(["statement", "--date", day.isoformat(), "--mark-filed", "--by", "Jane Compliance",
                 "--warehouse", str(warehouse)]) == 1
    assert "a stale statement cannot be marked filed" in capsys.readouterr().err


def test_deferred_documents_are_rendered_by_the_report_command(backfilled: dict) -> None:
    reports = backfilled["folder"] / "reports"
    assert main(["report", "--date", DAYS[0].isoformat(), "--warehouse", str(backfilled["warehouse"]),
                 "--reports", str(reports)]) == 0
    written = {p.name for p in (reports / DAYS[0].isoformat()).iterdir()}
    assert {"breaks.csv", "breaks.xlsx", "statement_SEG.pdf"} <= written
