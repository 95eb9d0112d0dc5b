"""Files for people, written for every day: the break report (CSV and JSON) and the statements (text)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from recon.warehouse import DuckDBWarehouse

TIER_ORDER = {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3}
BREAK_COLUMNS = [
    "tier", "recon", "break_type", "status", "seg_class", "bank_account_id", "account", "currency", "reference",
    "clearing_amount", "bank_amount", "ledger_amount", "difference", "first_seen_date", "age_business_days",
    "expected_date", "break_id",
]


def _worst_first(row: dict) -> tuple:
    return (TIER_ORDER.get(row["tier"], 9), -abs(row["difference"]), row["break_id"])


def write_day_reports(warehouse: Path, day: date, folder: Path) -> list[Path]:
    """Write breaks.csv, breaks.json and statements.txt for ``day`` into ``folder``; returns the paths."""
    with DuckDBWarehouse(warehouse) as target:
        breaks = sorted(target.read_partition("recon_breaks", day), key=_worst_first)
        lines = target.read_partition("seg_statement_lines", day)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, json_path, text_path = folder / "breaks.csv", folder / "breaks.json", folder / "statements.txt"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(BREAK_COLUMNS)
        writer.writerows([["" if row[c] is None else str(row[c]) for c in BREAK_COLUMNS] for row in breaks])
    json_path.write_text(json.dumps([{c: row[c] for c in BREAK_COLUMNS} for row in breaks], default=str, indent=1),
                         encoding="utf-8")
    text_path.write_text(_statement_text(day, lines), encoding="utf-8")
    return [csv_path, json_path, text_path]


def _amount(value: object) -> str:
    text = f"{value:,.2f}"
    return f"({text.lstrip('-')})" if text.startswith("-") else text


def _statement_text(day: date, lines: list[dict]) -> str:
    out = []
    for seg_class in sorted({row["seg_class"] for row in lines}):
        rows = sorted((r for r in lines if r["seg_class"] == seg_class and r["currency"] == "ALL"),
                      key=lambda r: r["line_order"])
        status = rows[0]["statement_status"] if rows else ""
        out.append(f"{seg_class} statement for {day}  ({status})")
        out.extend(f"  {r['line']:>8}  {r['label'][:70]:<70} {_amount(r['amount_usd']):>22}" for r in rows)
        out.append("")
    return "\n".join(out) + "\n"
