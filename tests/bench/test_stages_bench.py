"""`make bench`: a large generated day, each stage timed in its own process with its peak memory.

Not part of `make test` (marked slow). Prints a table and writes build/bench/stages.json. Sizes come from the
environment: BENCH_ACCOUNTS (default 20000) and BENCH_TRADES (default 200000).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from recon.generate import GenerateOptions, generate
from recon.stages import STAGES
from tests.conftest import REPO_ROOT

BENCH_DIR = REPO_ROOT / "build" / "bench"
START = date(2026, 11, 20)
# the child runs one stage, then reports its own peak resident memory on its last stderr line
CHILD = (
    "import json, resource, sys\n"
    "from recon.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(json.dumps({'maxrss_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _run_stage(name: str, day: str, landing: Path, work: Path, warehouse: Path) -> tuple[float, int, dict]:
    """Seconds, peak RSS in KiB and the stage's summary, from a child process running only that stage."""
    command = [sys.executable, "-c", CHILD, "stage", name, "--date", day, "--landing", str(landing),
               "--warehouse", str(warehouse), "--work-dir", str(work)]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    assert completed.returncode == 0, completed.stderr
    peak_kib = json.loads(completed.stderr.strip().splitlines()[-1])["maxrss_kib"]
    return seconds, peak_kib, json.loads(completed.stdout)


@pytest.mark.slow
def test_each_stage_at_scale() -> None:
    """Times land, parse, validate, match and publish on one large day and prints rows/s and peak memory."""
    accounts = int(os.environ.get("BENCH_ACCOUNTS", "20000"))
    trades = int(os.environ.get("BENCH_TRADES", "200000"))
    landing, work, warehouse = BENCH_DIR / "landing", BENCH_DIR / "work", BENCH_DIR / "warehouse.duckdb"
    for path in (work, warehouse):
        subprocess.run(["rm", "-rf", str(path)], check=True)
    started = time.perf_counter()
    key = generate(landing, GenerateOptions(START, 1, accounts, trades, 7))
    generate_seconds = time.perf_counter() - started
    day = key.business_days[0].isoformat()
    rows = sum(1 for path in (landing / day).rglob("*") if path.is_file() for _ in path.open("rb"))
    results = [{"stage": "generate", "seconds": round(generate_seconds, 2), "lines": rows}]
    for stage in STAGES:
        seconds, peak_kib, summary = _run_stage(stage.__name__, day, landing, work, warehouse)
        results.append({"stage": stage.__name__, "seconds": round(seconds, 2), "peak_rss_mib": peak_kib // 1024,
                        "lines_per_second": int(rows / seconds), "summary": summary})
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "stages.json").write_text(json.dumps(
        {"accounts": accounts, "trades_per_day": trades, "input_lines": rows, "stages": results}, indent=1))
    print(f"\none business day: {accounts} accounts, {trades} trades, {rows} input lines")
    print(f"{'stage':<10}{'seconds':>10}{'lines/s':>12}{'peak MiB':>10}")
    for row in results:
        print(f"{row['stage']:<10}{row['seconds']:>10}{row.get('lines_per_second', ''):>12}{row.get('peak_rss_mib', ''):>10}")
