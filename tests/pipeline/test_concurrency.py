"""Two runs of one warehouse at once: one publishes, the other waits for the lock or refuses with a typed error;
never both publishing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest

from recon.errors import WarehouseLocked
from recon.generate import GenerateOptions, generate
from recon.locks import lock_path, warehouse_lock
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
