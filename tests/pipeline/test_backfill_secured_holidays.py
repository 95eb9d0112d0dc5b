"""`fcm-recon backfill --secured-holidays` (default: FCM_RECON_SECURED_ON_HOLIDAYS, as for the daily DAG) runs each
weekday of the range CME does not clear as a SECURED-only run, right after the CME business day before it, and
resumes it by the same fingerprint rule as the CME days: skipped when unchanged, re-run when that CME day is re-run.

The landing is generated (recon.generate: 2026-11-25 and 27) and Thanksgiving's folder is the one of the SECURED
holiday tests (tests/pipeline/test_secured_holiday.py: that day's balances, custody and FX rates, foreign files and
the SECURED accounts' bank statements, besides files a SECURED-only run does not read).
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import date
from pathlib import Path

import pytest

from recon.backfill import BackfillOptions, backfill_days, run_backfill
from recon.cli import main
from recon.generate import GenerateOptions, generate
from recon.pipeline import run_day
from recon.settings import SECURED_ON_HOLIDAYS_VARIABLE, secured_on_holidays
from recon.trust import stale_days
from recon.warehouse import DuckDBWarehouse
from tests.factory import partition_rows
from tests.pipeline.test_secured_holiday import write_holiday

BEFORE, HOLIDAY, AFTER = date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)
SECURED = ("SECURED",)
OPTIONS = BackfillOptions(documents=False, progress=False)


def _backfill_args(landing: Path, warehouse: Path, *extra: str) -> list[str]:
    return ["backfill", "--start", BEFORE.isoformat(), "--end", AFTER.isoformat(), "--landing", str(landing),
            "--warehouse", str(warehouse), "--no-documents", "--no-progress", *extra]


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The first backfill of 2026-11-25..27 with --secured-holidays, through the command line."""
    folder = tmp_path_factory.mktemp("backfill_secured")
    landing = folder / "landing"
    generate(landing, GenerateOptions(BEFORE, 2, 40, 20, 1))
    write_holiday(landing)
    warehouse = folder / "wh.duckdb"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(_backfill_args(landing, warehouse, "--secured-holidays", "--log-file", str(folder / "log.jsonl")))
    return {"folder": folder, "landing": landing, "warehouse": warehouse, "code": code, "out": out.getvalue()}


def _runs(warehouse: Path) -> list[dict]:
    with DuckDBWarehouse(warehouse) as target:
        return target.runs()


@pytest.mark.parametrize(("start", "end", "secured_holidays", "expected"), [
    (date(2026, 11, 22), date(2026, 11, 29), False,
     [(date(2026, 11, 23), None), (date(2026, 11, 24), None), (BEFORE, None), (AFTER, None)]),
    (date(2026, 11, 22), date(2026, 11, 29), True,
     [(date(2026, 11, 23), None), (date(2026, 11, 24), None), (BEFORE, None), (HOLIDAY, SECURED), (AFTER, None)]),
    (HOLIDAY, HOLIDAY, True, [(HOLIDAY, SECURED)]),  # a range of the holiday alone: its run reads the published 25th
    (date(2026, 4, 2), date(2026, 4, 6), True,  # Good Friday: CME closed, Fedwire open; the weekend never runs
     [(date(2026, 4, 2), None), (date(2026, 4, 3), SECURED), (date(2026, 4, 6), None)]),
])
def test_the_runs_of_a_range_are_its_cme_days_and_with_the_option_its_weekdays_cme_does_not_clear(
        start: date, end: date, secured_holidays: bool, expected: list) -> None:
    assert backfill_days(start, end, secured_holidays) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (None, False), ("", False), ("false", False), ("0", False), ("no", False),
    ("true", True), (" TRUE ", True), ("1", True), ("yes", True),
])
def test_the_environment_variable_turns_secured_holidays_on(value: str | None, expected: bool) -> None:
    """The one reading of FCM_RECON_SECURED_ON_HOLIDAYS that the DAG and the backfill share."""
    environ = {} if value is None else {SECURED_ON_HOLIDAYS_VARIABLE: value}
    assert secured_on_holidays(environ) is expected


def test_with_the_option_the_holiday_runs_secured_only_right_after_the_day_before(backfilled: dict) -> None:
    """The summary shows the holiday with its scope, in date order; its run is SECURED-only, rests on 2026-11-25's
    run and published the SECURED statement alone; 2026-11-27 still rests on 2026-11-25."""
    assert backfilled["code"] == 0
    lines = [line for line in backfilled["out"].splitlines() if line.startswith("2026-")]
    assert len(lines) == 3 and all(line.startswith(f"{label}  RAN ") for line, label in zip(
        lines, [BEFORE.isoformat(), f"{HOLIDAY} SECURED", AFTER.isoformat()]))
    assert f"backfill {BEFORE}..{AFTER}: 3 ran, 0 skipped, 0 failed, 0 not run" in backfilled["out"]
    events = [json.loads(line) for line in (backfilled["folder"] / "log.jsonl").read_text().splitlines()]
    assert [(e["business_date"], e["classes"], e["action"]) for e in events if e["event"] == "backfill_day"] == [
        (BEFORE.isoformat(), None, "RAN"), (HOLIDAY.isoformat(), ["SECURED"], "RAN"), (AFTER.isoformat(), None, "RAN")]
    # the worker prepared the CME days only: the holiday's run parsed its own files
    assert [e["business_date"] for e in events if e["event"] == "day_prepared"] == [BEFORE.isoformat(),
                                                                                    AFTER.isoformat()]
    runs = _runs(backfilled["warehouse"])
    assert [(r["business_date"], r["exit_code"]) for r in runs] == [(BEFORE, 0), (HOLIDAY, 0), (AFTER, 0)]
    manifests = [json.loads(r["manifest"]) for r in runs]
    assert [m.get("classes") for m in manifests] == [None, ["SECURED"], None]
    assert manifests[1]["previous_day_manifest_hash"] == runs[0]["manifest_hash"]
    assert manifests[2]["previous_day_manifest_hash"] == runs[0]["manifest_hash"]
    lines = partition_rows(backfilled["warehouse"], "seg_statement_lines", HOLIDAY)
    assert lines and {line["seg_class"] for line in lines} == {"SECURED"}
    assert partition_rows(backfilled["warehouse"], "recon_breaks", HOLIDAY) == []


def test_without_the_option_the_holiday_is_not_run_and_its_own_run_publishes_what_the_backfill_did(
        backfilled: dict) -> None:
    """Option off (the variable unset, tests/conftest.py): 2026-11-25 and 27 only. The holiday run alone afterwards,
    as `fcm-recon run --classes SECURED`, publishes partitions that hash to those the backfill's run of it published."""
    warehouse = backfilled["folder"] / "without.duckdb"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(_backfill_args(backfilled["landing"], warehouse, "--json")) == 0
    assert [(d["business_date"], d["classes"], d["action"]) for d in json.loads(out.getvalue())["days"]] == [
        (BEFORE.isoformat(), None, "RAN"), (AFTER.isoformat(), None, "RAN")]
    assert [r["business_date"] for r in _runs(warehouse)] == [BEFORE, AFTER]
    run_day(HOLIDAY, backfilled["landing"], warehouse, documents=False, classes=SECURED)
    alone, = (r for r in _runs(warehouse) if r["business_date"] == HOLIDAY)
    backfilled_run, = (r for r in _runs(backfilled["warehouse"]) if r["business_date"] == HOLIDAY)
    assert json.loads(alone["output_hashes"]) == json.loads(backfilled_run["output_hashes"])


def test_a_second_identical_backfill_skips_all_three_with_the_variable_as_the_default(
        backfilled: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """FCM_RECON_SECURED_ON_HOLIDAYS=true stands for --secured-holidays; --no-secured-holidays overrides it."""
    monkeypatch.setenv(SECURED_ON_HOLIDAYS_VARIABLE, "true")
    for extra, expected in (((), [BEFORE, HOLIDAY, AFTER]), (("--no-secured-holidays",), [BEFORE, AFTER])):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(_backfill_args(backfilled["landing"], backfilled["warehouse"], "--json", *extra)) == 0
        summary = json.loads(out.getvalue())
        assert [(d["business_date"], d["action"], d["reason"]) for d in summary["days"]] == [
            (day.isoformat(), "SKIPPED", "unchanged") for day in expected]
        assert summary["ran"] == 0 and summary["skipped"] == len(expected)
    assert len(_runs(backfilled["warehouse"])) == 3


def test_re_running_the_day_before_with_a_changed_input_re_runs_the_holiday_and_the_day_after(
        backfilled: dict) -> None:
    """A new file on 2026-11-25 re-runs it; the holiday and 2026-11-27 rested on its previous run, so they are stale
    and the next backfill with the option runs them again (and only them); then nothing is stale."""
    landing, warehouse = backfilled["landing"], backfilled["warehouse"]
    (landing / BEFORE.isoformat() / "ledger" / "notes.txt").write_text("a file the layout does not name\n")
    first = run_backfill(BEFORE, BEFORE, landing, warehouse, OPTIONS)
    assert [(d.business_date, d.action, d.reason) for d in first.days] == [(BEFORE, "RAN", "changed: inputs")]
    assert first.stale_after == [HOLIDAY, AFTER]
    again = run_backfill(BEFORE, AFTER, landing, warehouse, BackfillOptions(documents=False, progress=False,
                                                                            secured_holidays=True))
    assert [(d.label, d.action, d.reason) for d in again.days] == [
        (BEFORE.isoformat(), "SKIPPED", "unchanged"),
        (f"{HOLIDAY} SECURED", "RAN", "changed: previous_day_manifest_hash"),
        (AFTER.isoformat(), "RAN", "changed: previous_day_manifest_hash")]
    with DuckDBWarehouse(warehouse) as target:
        assert stale_days(target) == {}
