"""`make bench`: a backfill of BENCH_BACKFILL_DAYS (default 250) business days at BENCH_BACKFILL_ACCOUNTS (1,000)
accounts and BENCH_BACKFILL_TRADES (10,000) trades a day, documents deferred; target 5 minutes.

Not part of `make test` (marked slow). Generates the landing, runs ``fcm-recon backfill`` in its own process, prints
the figure (seconds, seconds per day, seconds by stage, and the parse and validate seconds the backfill's worker
process spent ahead of the runs) and writes build/bench/backfill.json. With fewer days
than 250 it also prints the 250-day figure extrapolated linearly from the measured seconds per day, labelled as such.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date

import pytest

from recon.generate import GenerateOptions, generate
from tests.conftest import REPO_ROOT

BENCH_DIR = REPO_ROOT / "build" / "bench" / "backfill"
START = date(2025, 12, 1)
TARGET_DAYS = 250
TARGET_SECONDS = 300


@pytest.mark.slow
def test_backfill_of_a_year_of_business_days() -> None:
    days = int(os.environ.get("BENCH_BACKFILL_DAYS", str(TARGET_DAYS)))
    accounts = int(os.environ.get("BENCH_BACKFILL_ACCOUNTS", "1000"))
    trades = int(os.environ.get("BENCH_BACKFILL_TRADES", "10000"))
    shutil.rmtree(BENCH_DIR, ignore_errors=True)
    landing, warehouse, log = BENCH_DIR / "landing", BENCH_DIR / "warehouse.duckdb", BENCH_DIR / "log.jsonl"
    started = time.perf_counter()
    key = generate(landing, GenerateOptions(START, days, accounts, trades, 11))
    generate_seconds = time.perf_counter() - started
    first, last = key.business_days[0].isoformat(), key.business_days[-1].isoformat()
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "recon.cli", "backfill", "--start", first, "--end", last, "--landing", str(landing),
         "--warehouse", str(warehouse), "--no-documents", "--no-progress", "--json", "--log-file", str(log)],
        capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    assert completed.returncode == 0, completed.stderr
    summary = json.loads(completed.stdout)
    assert summary["ran"] == days and summary["failed"] == 0
    stage_seconds: dict[str, float] = {}
    worker_seconds: dict[str, float] = {}  # parse and validate done ahead by the backfill's worker process
    for event in map(json.loads, log.read_text().splitlines()):
        if event["event"] == "stage_finished":
            stage_seconds[event["stage"]] = round(stage_seconds.get(event["stage"], 0.0) + event["seconds"], 2)
        if event["event"] == "day_prepared":
            for stage, spent in event["seconds"].items():
                worker_seconds[stage] = round(worker_seconds.get(stage, 0.0) + spent, 2)
    result = {"days": days, "accounts": accounts, "trades_per_day": trades, "generate_seconds": round(generate_seconds, 1),
              "backfill_seconds": round(seconds, 1), "seconds_per_day": round(seconds / days, 2),
              "stage_seconds": stage_seconds, "worker_seconds": worker_seconds, "target_seconds": TARGET_SECONDS,
              "extrapolated_250_day_seconds": None if days == TARGET_DAYS else round(seconds / days * TARGET_DAYS, 1)}
    (BENCH_DIR / "backfill.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nbackfill of {days} business days ({accounts} accounts, {trades} trades a day, documents deferred): "
          f"{seconds:.1f} s, {seconds / days:.2f} s a day; by stage {stage_seconds}; in the worker, ahead "
          f"{worker_seconds}")
    if days != TARGET_DAYS:
        print(f"EXTRAPOLATED (measured {days} days, linear): {TARGET_DAYS} days would take "
              f"{result['extrapolated_250_day_seconds']:.0f} s against the {TARGET_SECONDS} s target")
