"""A run SIGKILLed at any stage boundary, or inside the publish transaction, leaves the warehouse as before or as
after; the killed attempts are recorded FAILED by the next run; the final re-run equals an uninterrupted run."""

from __future__ import annotations

import os
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


def hashes(warehouse: Path) -> dict[str, str]:
    with DuckDBWarehouse(warehouse) as target:
        return {t.name: target.partition_hash(t.name, DAY) for t in replaced_tables()}


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kill") / "landing"
    generate(root, GenerateOptions(DAY, 1, 10, 20, 3))
    return root


def test_a_run_killed_anywhere_leaves_before_or_after_and_the_re_run_equals_an_uninterrupted_one(
        landing: Path, tmp_path: Path) -> None:
    uninterrupted = tmp_path / "uninterrupted.duckdb"
    baseline = start_run(landing, uninterrupted, None, tmp_path / "unused")
    assert baseline.wait() == 0, baseline.communicate()
    after = hashes(uninterrupted)
    assert set(after.values()) != {EMPTY_SHA256}

    warehouse = tmp_path / "killed.duckdb"
    for point in KILL_POINTS:
        pause_file = tmp_path / f"pause-{point}"
        process = start_run(landing, warehouse, point, pause_file)
        assert wait_paused(process, pause_file).startswith(point)
        process.send_signal(signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL
        state = hashes(warehouse)
        expected = after if point == "report" else dict.fromkeys(after, EMPTY_SHA256)
        assert state == expected, f"killed before/in {point}: the warehouse is neither before nor after"

    rerun = start_run(landing, warehouse, None, tmp_path / "unused")
    assert rerun.wait() == 0, rerun.communicate()
    assert hashes(warehouse) == after
    with DuckDBWarehouse(warehouse) as target:
        attempts = target.attempts(DAY)
    statuses = [(row["run_id"], row["status"]) for row in attempts]
    runs_by_id: dict[str, list[str]] = {}
    for run_id, status in statuses:
        runs_by_id.setdefault(run_id, []).append(status)
    # the attempt killed before land never began (no row); the 5 killed after land and before the commit are
    # FAILED (recorded by the next run's land); the one killed after the commit and the final re-run are COMPLETED
    assert sorted(sorted(s) for s in runs_by_id.values()) == sorted(
        [["FAILED", "RUNNING"]] * 5 + [["COMPLETED", "RUNNING"]] * 2)
    assert [c for c in verify_chain(warehouse) if not c.ok] == []
