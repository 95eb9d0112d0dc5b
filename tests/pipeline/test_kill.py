"""A run SIGKILLed at any stage boundary, or inside the publish transaction, leaves the warehouse as before or as
after; the killed attempt is recorded FAILED by the next run; after each kill, the re-run leaves every table as an
uninterrupted run does. A re-run of a published date killed inside its publish transaction leaves it as it was."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from recon.faults import PAUSE_AT_VARIABLE, PAUSE_FILE_VARIABLE
from recon.generate import GenerateOptions, generate
from recon.schema import replaced_tables
from recon.verify import verify_chain
from recon.warehouse import DuckDBWarehouse

DAY = date(2026, 11, 23)
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
# before each stage, then inside the publish transaction; "report" is after the commit, so the warehouse is "after"
KILL_POINTS = ("land", "parse", "validate", "match", "publish", "publish-transaction", "report")
PAUSE_SECONDS_MAX = 600


def start_run(landing: Path, warehouse: Path, pause_at: str | None, pause_file: Path,
              *extra: str) -> subprocess.Popen:
    """``fcm-recon run`` of DAY in its own process, paused at ``pause_at`` (None: not paused)."""
    env = dict(os.environ, **({PAUSE_AT_VARIABLE: pause_at, PAUSE_FILE_VARIABLE: str(pause_file)} if pause_at else {}))
    return subprocess.Popen(
        [sys.executable, "-m", "recon.cli", "run", "--date", DAY.isoformat(), "--landing", str(landing),
         "--warehouse", str(warehouse), "--no-documents", *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_paused(process: subprocess.Popen, pause_file: Path) -> str:
    """Wait until the process writes the pause file; returns its content (the point and pid)."""
    deadline = time.monotonic() + PAUSE_SECONDS_MAX
    while not pause_file.exists():
        if process.poll() is not None:
            raise AssertionError(f"the run ended before pausing: {process.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError("the run never reached its pause point")
        time.sleep(0.05)
    return pause_file.read_text()


def contents(warehouse: Path) -> dict[str, object]:
    """Every table's contents: each replaced table's partition hash, the other append-only tables' rows (none here),
    and the completed runs' outputs and exit codes (a run's id and timestamps differ from run to run)."""
    with DuckDBWarehouse(warehouse) as target:
        found: dict[str, object] = {t.name: target.partition_hash(t.name, DAY) for t in replaced_tables()}
        found.update({name: target.read_until(name, DAY) for name in ("decisions", "seg_filings")})
        found["runs"] = [(r["business_date"], r["exit_code"], r["output_hashes"]) for r in target.runs(DAY)]
    return found


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kill") / "landing"
    generate(root, GenerateOptions(DAY, 1, 10, 20, 3))
    return root


@pytest.fixture(scope="module")
def uninterrupted(landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("uninterrupted") / "wh.duckdb"
    baseline = start_run(landing, warehouse, None, warehouse.with_name("unused"))
    assert baseline.wait() == 0, baseline.communicate()
    return warehouse


def _kill_at(point: str, landing: Path, warehouse: Path, folder: Path) -> None:
    pause_file = folder / f"pause-{point}"
    process = start_run(landing, warehouse, point, pause_file)
    assert wait_paused(process, pause_file).startswith(point)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL


def _statuses(warehouse: Path) -> list[list[str]]:
    runs_by_id: dict[str, list[str]] = {}
    with DuckDBWarehouse(warehouse) as target:
        for row in target.attempts(DAY):
            runs_by_id.setdefault(row["run_id"], []).append(row["status"])
    return sorted(sorted(s) for s in runs_by_id.values())


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_run_killed_there_leaves_before_or_after_and_its_re_run_equals_an_uninterrupted_one(
        point: str, landing: Path, uninterrupted: Path, tmp_path: Path) -> None:
    """The first run of the date killed at ``point``: every table is as before (empty) or, killed at report, after
    the commit, as the uninterrupted run left it; the re-run then leaves every table as the uninterrupted run did,
    the killed attempt recorded FAILED (none: killed before land began one; COMPLETED: killed after the commit)."""
    after = contents(uninterrupted)
    assert set(after[t.name] for t in replaced_tables()) != {EMPTY_SHA256}
    warehouse = tmp_path / "killed.duckdb"
    _kill_at(point, landing, warehouse, tmp_path)
    before = {**dict.fromkeys((t.name for t in replaced_tables()), EMPTY_SHA256), "decisions": [], "seg_filings": [],
              "runs": []}
    assert contents(warehouse) == (after if point == "report" else before), f"killed at {point}: half-written"
    rerun = start_run(landing, warehouse, None, tmp_path / "unused")
    assert rerun.wait() == 0, rerun.communicate()
    found = contents(warehouse)
    assert found == dict(after, runs=after["runs"] * (2 if point == "report" else 1))
    killed = {"land": [], "report": [["COMPLETED", "RUNNING"]]}.get(point, [["FAILED", "RUNNING"]])
    assert _statuses(warehouse) == sorted(killed + [["COMPLETED", "RUNNING"]])
    assert [c for c in verify_chain(warehouse) if not c.ok] == []


def test_a_re_run_killed_inside_the_publish_transaction_leaves_the_published_day_as_it_was(
        landing: Path, uninterrupted: Path, tmp_path: Path) -> None:
    """The date already published, a second run killed inside its publish transaction: every table is as the first
    run left it (not half-replaced); the next run publishes the same contents and chains after the first."""
    warehouse = tmp_path / "published.duckdb"
    shutil.copyfile(uninterrupted, warehouse)
    after = contents(uninterrupted)
    _kill_at("publish-transaction", landing, warehouse, tmp_path)
    assert contents(warehouse) == after
    rerun = start_run(landing, warehouse, None, tmp_path / "unused")
    assert rerun.wait() == 0, rerun.communicate()
    assert contents(warehouse) == dict(after, runs=after["runs"] * 2)
    assert _statuses(warehouse) == sorted([["COMPLETED", "RUNNING"]] * 2 + [["FAILED", "RUNNING"]])
    assert [c for c in verify_chain(warehouse) if not c.ok] == []
