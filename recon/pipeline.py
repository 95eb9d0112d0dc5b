"""One business day, end to end: land, parse, validate, match, publish.

The parent (:func:`run_day`) owns the control flow; each stage is a function of its inputs. Data problems become
rows of ``quarantine`` and an exit code of 2; broken invariants raise; nothing is published unless every stage
succeeded, and then everything is published in one transaction with the run's manifest.
"""

from __future__ import annotations

import json
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

import duckdb
import pyarrow as pa

from recon import calendar
from recon.domain import Problem, content_id
from recon.errors import invariant
from recon.ingest import FileReport, Ingested, ingest
from recon.landing import InputFile, date_folder_files, discover
from recon.rules import RuleSet, load_rules
from recon.schema import warehouse_tables
from recon.sqlmodels import run_models
from recon.warehouse import DuckDBWarehouse

EXIT_OK = 0
EXIT_INPUT_PROBLEM = 2
CALENDAR_MARGIN_DAYS = 45
_SEG_TABLES = ("seg_statement_lines", "seg_alerts", "seg_line_sources")


@dataclass(frozen=True)
class RunResult:
    """What a run did: its exit code, its ``runs`` row, the file problems that set the exit code, and counts."""

    exit_code: int
    run: dict
    file_problems: tuple[Problem, ...]
    counts: dict[str, int]


def _sha256_json(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _missing_problem(source: str, field: str, code: str, expected: str, message: str) -> Problem:
    return Problem("FILE", source, "", "", field, code, expected, "nothing", message)


def _missing_inputs(business_date: date, reports: list[FileReport], ingested: Ingested) -> list[Problem]:
    """A FILE problem for each required file that did not arrive and each account with no statement of record."""
    day = business_date.isoformat()
    present = {(r.rel_path.rsplit("/", 1)[0], Path(r.rel_path).stem) for r in reports}
    problems = [
        _missing_problem(f"{folder}/{stem}.csv", "", "MISSING_INPUT", "the file", f"required file {folder}/{stem} is missing")
        for folder, stem in (("reference", "bank_accounts"), (f"{day}/ledger", "cash_journal"))
        if (folder, stem) not in present
    ]
    covered = {
        (s.bank_account_id, s.fmt) for s in ingested.statements
        if s.is_statement_of_record and s.as_of_date == business_date
    }
    for row in ingested.tables["src_reference__bank_accounts"].to_pylist():
        declared = "BAI2" if row["statement_format"] == "BAI2" else "CAMT053"
        if (row["bank_account_id"], declared) not in covered:
            problems.append(_missing_problem(
                f"{day}/bank/", row["bank_account_id"], "MISSING_STATEMENT",
                f"a final {declared} statement for {business_date}",
                f"no statement of record for bank account {row['bank_account_id']} (file missing or rejected)",
            ))
    return problems


def _calendar_table(business_date: date) -> pa.Table:
    """Every calendar day around the date: its CME business-day index (a weekend shares Friday's), whether CME
    clears that day, and the next business day after it."""
    start = business_date - timedelta(days=CALENDAR_MARGIN_DAYS)
    days = [start + timedelta(days=n) for n in range(2 * CALENDAR_MARGIN_DAYS + 1)]
    return pa.table({
        "day": pa.array(days, pa.date32()),
        "day_index": pa.array([calendar.business_days_between(start, day) for day in days], pa.int64()),
        "is_business_day": pa.array([calendar.is_business_day(day) for day in days], pa.bool_()),
        "next_business_day": pa.array([calendar.next_business_day(day) for day in days], pa.date32()),
    })


def compute(ingested: Ingested, rules: RuleSet, business_date: date) -> dict[str, pa.Table]:
    """Run the SQL models over the canonical tables; returns the marts and the routing quarantine."""
    connection = duckdb.connect()
    try:
        sources = dict(ingested.tables)
        sources.update({
            "src_rule_passes": rules.passes,
            "src_tiers": rules.tiers,
            "src_settlement_components": rules.components,
            "src_business_days": _calendar_table(business_date),
            "src_run_parameters": pa.table({"business_date": pa.array([business_date], pa.date32())}),
        })
        for name, table in sources.items():
            connection.register(name, table)
        run_models(connection)
        names = ("recon_matches", "recon_breaks", "conservation", "int_routing_quarantine")
        return {name: connection.sql(f"select * from {name}").to_arrow_table() for name in names}
    finally:
        connection.close()


def _check_outputs(outputs: dict[str, pa.Table], reports: list[FileReport]) -> None:
    """Assert in pairs: the SQL's conservation agrees with what the readers counted, and ids are unique."""
    conservation = outputs["conservation"].to_pylist()
    for row in conservation:
        fates = ("matched", "in_breaks", "pending", "quarantined", "out_of_scope")
        invariant(row["rows_read"] == sum(row[f"rows_{f}"] for f in fates), f"conservation count broken: {row}")
        invariant(row["amount_read"] == sum(row[f"amount_{f}"] for f in fates), f"conservation amount broken: {row}")
    per_file: dict[str, int] = {}
    for row in conservation:
        per_file[row["source_file"]] = per_file.get(row["source_file"], 0) + row["rows_read"]
    for report in reports:
        if report.status == "ACCEPTED" and report.kind in ("BAI2", "CAMT", "LEDGER") and report.rows_read:
            invariant(per_file.get(report.rel_path) == report.rows_read,
                      f"{report.rel_path}: read {report.rows_read} rows, conservation accounts for {per_file.get(report.rel_path)}")
    matched = [r for m in outputs["recon_matches"].to_pylist() for side in ("clearing_records", "bank_records", "ledger_records") for r in m[side]]
    invariant(len(matched) == len(set(matched)), "a record is in two matches")
    for name, key in (("recon_matches", "match_id"), ("recon_breaks", "break_id")):
        ids = outputs[name].column(key).to_pylist()
        invariant(len(ids) == len(set(ids)), f"{name}: {key} is not unique")


def _quarantine_table(problems: list[Problem], routed: pa.Table, reports: list[FileReport]) -> pa.Table:
    sha_by_file = {r.rel_path: r.sha256 for r in reports}
    rows = [dict(p._asdict(), amount=None, currency=None) for p in problems] + routed.to_pylist()
    for row in rows:
        row["file_sha256"] = sha_by_file.get(row["source_file"])
    schema = warehouse_tables()["quarantine"]
    columns = [c for c in schema.column_names if c != "business_date"]
    return pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows],
                                schema=pa.schema([schema.arrow_schema().field(c) for c in columns]))


def _empty(name: str) -> pa.Table:
    return warehouse_tables()[name].arrow_schema().empty_table()


def _manifest(business_date: date, reports: list[FileReport], rules: RuleSet, previous: tuple[int, str] | None,
              exit_code: int) -> dict:
    inputs = [r.__dict__ for r in sorted(reports, key=lambda r: r.rel_path)]
    manifest = {
        "business_date": business_date.isoformat(),
        "sequence": (previous[0] + 1) if previous else 1,
        "previous_manifest_hash": previous[1] if previous else None,
        "code_version": version("fcm-recon"),
        "rules_version": rules.version,
        "decisions_version": _sha256_json([]),
        "inputs": inputs,
        "exit_code": exit_code,
    }
    manifest["run_id"] = content_id(_sha256_json(manifest))
    return manifest


def _run_row(manifest: dict, output_hashes: dict[str, str], started_at: datetime) -> dict:
    manifest = dict(manifest, output_hashes=output_hashes)
    manifest_hash = _sha256_json(manifest)
    return {
        "business_date": date.fromisoformat(manifest["business_date"]),
        "run_id": manifest["run_id"],
        "sequence": manifest["sequence"],
        "status": "COMPLETED" if manifest["exit_code"] == EXIT_OK else "COMPLETED_WITH_REJECTIONS",
        "exit_code": manifest["exit_code"],
        "code_version": manifest["code_version"],
        "rules_version": manifest["rules_version"],
        "decisions_version": manifest["decisions_version"],
        "input_files": json.dumps(manifest["inputs"], sort_keys=True),
        "output_hashes": json.dumps(output_hashes, sort_keys=True),
        "previous_manifest_hash": manifest["previous_manifest_hash"],
        "manifest_hash": manifest_hash,
        "manifest": json.dumps(manifest, sort_keys=True),
        "started_at": started_at.replace(tzinfo=None),
        "finished_at": datetime.now(UTC).replace(tzinfo=None),
    }


def run_day(business_date: date, landing: Path, warehouse: Path, *, strict: bool = True) -> RunResult:
    """Run one business day from the landing area into the warehouse; the exit code says whether input was bad."""
    started_at = datetime.now(UTC)
    rules = load_rules()
    files: list[InputFile] = discover(landing, business_date)
    previous = date_folder_files(landing, calendar.previous_business_day(business_date), "clearing")
    ingested = ingest(files, business_date, previous, strict=strict)
    file_problems = [p for p in ingested.problems if p.scope == "FILE"]
    file_problems += _missing_inputs(business_date, ingested.reports, ingested)
    outputs = compute(ingested, rules, business_date)
    _check_outputs(outputs, ingested.reports)
    problems = sorted(set(ingested.problems) | set(file_problems))
    tables = {
        "recon_matches": outputs["recon_matches"],
        "recon_breaks": outputs["recon_breaks"],
        "conservation": outputs["conservation"],
        "quarantine": _quarantine_table(problems, outputs["int_routing_quarantine"], ingested.reports),
        **{name: _empty(name) for name in _SEG_TABLES},
    }
    exit_code = EXIT_INPUT_PROBLEM if file_problems else EXIT_OK
    with DuckDBWarehouse(warehouse) as target:
        manifest = _manifest(business_date, ingested.reports, rules, target.last_run(), exit_code)
        run = target.publish(business_date, tables, lambda hashes: _run_row(manifest, hashes, started_at))
    counts = {name: table.num_rows for name, table in tables.items()}
    return RunResult(exit_code, run, tuple(sorted(set(file_problems))), counts)
