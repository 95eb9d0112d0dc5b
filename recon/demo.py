"""``fcm-recon demo``: a realistic landing area for a few business days, run into a local warehouse."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

from recon.generate import GenerateOptions, generate
from recon.money import round_cents
from recon.pipeline import run_day
from recon.warehouse import DuckDBWarehouse

DEMO_OPTIONS = GenerateOptions(start=date(2026, 11, 20), days=4, accounts=40, trades_per_day=200, seed=20261120)


def _day_summary(warehouse: Path, day: date, exit_code: int) -> dict:
    with DuckDBWarehouse(warehouse) as target:
        breaks = [b for b in target.read_partition("recon_breaks", day) if b["status"] in ("NEW", "OPEN")]
        lines = target.read_partition("seg_statement_lines", day)
        alerts = target.read_partition("seg_alerts", day)
    excess = {row["seg_class"]: f"{round_cents(row['amount_usd']):,}" for row in lines
              if row["role"] == "EXCESS" and row["currency"] == "ALL"}
    return {
        "business_date": day.isoformat(),
        "exit_code": exit_code,
        "breaks": dict(sorted(Counter(f"{b['recon']}/{b['break_type']}" for b in breaks).items())),
        "excess_usd": excess,
        "alerts": sorted(f"{a['seg_class']} {a['code']}" for a in alerts),
    }


def _print_day(summary: dict) -> None:
    print(f"\n{summary['business_date']}  exit {summary['exit_code']}")
    for name, count in summary["breaks"].items():
        print(f"  break  {name:<40} {count:>4}")
    for seg_class, excess in summary["excess_usd"].items():
        print(f"  excess {seg_class:<40} {excess:>24} USD")
    for alert in summary["alerts"]:
        print(f"  alert  {alert}")


def run_demo(out: Path, as_json: bool = False) -> int:
    """Generate the demo days under ``out``, run each, write reports; 0 when every day ran (exit 0 or 2)."""
    shutil.rmtree(out, ignore_errors=True)
    landing, warehouse, reports = out / "landing", out / "warehouse.duckdb", out / "reports"
    key = generate(landing, DEMO_OPTIONS)
    summaries = []
    for day in key.business_days:
        result = run_day(day, landing, warehouse, reports_dir=reports)
        summaries.append(_day_summary(warehouse, day, result.exit_code))
    if as_json:
        print(json.dumps({"landing": str(landing), "warehouse": str(warehouse), "reports": str(reports),
                          "days": summaries}, indent=2))
        return 0
    for summary in summaries:
        _print_day(summary)
    print(f"\nlanding area: {landing}\nwarehouse:    {warehouse}\nreports:      {reports}")
    print(f"answer key:   {landing / 'answer_key.json'}")
    return 0
