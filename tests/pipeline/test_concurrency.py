"""Two runs of one warehouse at once: one publishes, the other waits for the lock or refuses with a typed error;
never both publishing. A reader (``fcm-recon breaks``) waits its turn behind a run, and a backfill gives way to it
between two days."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from recon.backfill import _let_waiters_in
from recon.errors import WarehouseLocked
from recon.generate import GenerateOptions, generate
from recon.locks import lock_path, others_waiting, warehouse_lock
from recon.targets import held_warehouse, open_warehouse
from recon.warehouse import DuckDBWarehouse
from tests.pipeline.test_kill import DAY, start_run, wait_paused


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("concurrency") / "landing"
    generate(root, GenerateOptions(DAY, 1, 10, 20, 3))
    return root


def test_the_lock_refuses_after_its_timeout_naming_the_holder_and_is_reentrant(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from recon.locks import warehouse_lock
        with warehouse_lock(Path({str(warehouse)!r}), "test holder"):
            print("held", flush=True)
            sys.stdin.readline()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    with pytest.raises(WarehouseLocked, match=f"pid {holder.pid} .*test holder"):
        with warehouse_lock(warehouse, "second", timeout_seconds=0.5):
            pass
    assert time.monotonic() - started >= 0.5
    holder.communicate("\n")
    with warehouse_lock(warehouse, "outer", 0), warehouse_lock(warehouse, "inner, same process", 0):
        assert lock_path(warehouse).exists()


def test_two_runs_of_one_date_never_publish_together(landing: Path, tmp_path: Path) -> None:
    """A holds the lock inside its publish transaction; B (no waiting) refuses; C waits and runs after A."""
    warehouse = tmp_path / "wh.duckdb"
    pause_file = tmp_path / "pause"
    first = start_run(landing, warehouse, "publish-transaction", pause_file)
    wait_paused(first, pause_file)
    refused = start_run(landing, warehouse, None, tmp_path / "unused", "--lock-timeout", "0")
    _, err = refused.communicate()
    assert refused.returncode == 1
    assert f"the warehouse is locked by pid {first.pid}" in err and "run 2026-11-23" in err
    waiting = start_run(landing, warehouse, None, tmp_path / "unused", "--lock-timeout", "600")
    pause_file.unlink()
    assert first.wait() == 0, first.communicate()
    assert waiting.wait() == 0, waiting.communicate()
    with DuckDBWarehouse(warehouse) as target:
        attempts = target.attempts(DAY)
    order = [(row["sequence"], row["status"]) for row in attempts]
    assert order == [(1, "RUNNING"), (1, "COMPLETED"), (2, "RUNNING"), (2, "COMPLETED")]
    assert attempts[0]["run_id"] == attempts[1]["run_id"] != attempts[2]["run_id"] == attempts[3]["run_id"]
    assert attempts[1]["finished_at"] <= attempts[2]["started_at"]


def _breaks(warehouse: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "recon.cli", "breaks", "--date", DAY.isoformat(), "--warehouse",
                             str(warehouse), "--json", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_a_waiter(warehouse: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not others_waiting(warehouse):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the reader never waited for the lock"
        time.sleep(0.05)


def test_a_reader_waits_for_the_run_that_holds_the_warehouse_then_reads_what_it_published(landing: Path,
                                                                                           tmp_path: Path) -> None:
    """Without the lock, DuckDB would refuse the reader at once (the run has the file open)."""
    warehouse = tmp_path / "wh.duckdb"
    pause_file = tmp_path / "pause"
    run = start_run(landing, warehouse, "publish-transaction", pause_file)
    wait_paused(run, pause_file)
    refused = _breaks(warehouse, "--lock-timeout", "0")
    _, err = refused.communicate()
    assert refused.returncode == 1 and f"the warehouse is locked by pid {run.pid}" in err
    reader = _breaks(warehouse)
    _wait_for_a_waiter(warehouse, reader)
    pause_file.unlink()
    assert run.wait() == 0, run.communicate()
    out, err = reader.communicate()
    assert reader.returncode == 0, err
    wait_event = json.loads(err.splitlines()[0])
    assert wait_event["event"] == "warehouse_lock_wait" and f"pid {run.pid}" in wait_event["holder"]
    assert json.loads(out)["business_date"] == DAY.isoformat()


def test_a_backfill_gives_way_to_a_waiting_reader_between_days_and_carries_on(landing: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    published = start_run(landing, warehouse, None, tmp_path / "unused")
    assert published.wait() == 0, published.communicate()
    purpose = "backfill 2026-11-23..2026-11-24"
    with warehouse_lock(warehouse, purpose, 0), held_warehouse(warehouse):
        assert not others_waiting(warehouse)
        _let_waiters_in(warehouse, purpose, 60)  # nobody waits: the warehouse stays open
        reader = _breaks(warehouse)
        _wait_for_a_waiter(warehouse, reader)
        time.sleep(0.5)
        assert reader.poll() is None  # it waits: the backfill holds the lock and the file
        _let_waiters_in(warehouse, purpose, 60)  # returns once the reader has been in and left
        out, err = reader.communicate(timeout=5)
        assert reader.returncode == 0, err
        assert json.loads(out)["business_date"] == DAY.isoformat()
        with open_warehouse(warehouse) as target:  # the backfill's connection is open again
            assert target.last_run() is not None
        holder = json.loads(lock_path(warehouse).read_text())
        assert holder["pid"] == os.getpid() and holder["purpose"] == purpose
