"""Audit: prove a published date from its recorded inputs, and check the manifest chain end to end.

``verify_date``: the latest completed run of the date names every input with its SHA-256; each file of the landing
must still hash the same (and no file may have been added), else :class:`recon.errors.InputChanged` names it. The
date is then re-run from those files into a scratch DuckDB warehouse holding only the state the run read: T-1's
published breaks (T-1's latest run must be the one the manifest recorded, else the date is stale; a SECURED-only run
read those of the previous CME business day, whose unpaid disbursements it deducted, and is stale the same way), on a
Fedwire holiday T-1's published bank closing balances (its BANK_BALANCE matches and bank drill-down rows, which the
run carried forward; a SECURED-only run of a date Fedwire is closed, Thanksgiving, read these of the previous CME
business day too), the cash journal entries earlier dates quarantined (later days' proof of cash counts them), the
decisions its manifest lists and the statement filings made before it started. Each table's partition hash of the
re-run, and of the published partition, is compared with the manifest's ``output_hashes``.

``verify_chain``: every ``runs`` row's ``manifest_hash`` is the SHA-256 of its manifest and its columns agree with
the manifest; the completed runs' sequence is 1, 2, 3 ... and each ``previous_manifest_hash`` is the manifest hash
of the run before; every date's latest completed run's ``output_hashes`` equal the current partition hashes, and no
table holds rows of a date with no completed run. A changed row or a changed manifest fails a check that names it.
(An edit that also rewrites the newest run's manifest and its hash consistently needs an anchor outside the
warehouse: keep the newest manifest hash elsewhere, e.g. in the audit bucket.) Attempts with no end (RUNNING, the
process was killed) are listed, not failed: the next run of that date records them FAILED. Nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa

from recon import calendar, run_scope
from recon.backfill import landed_inputs
from recon.errors import ConfigError, InputChanged, RunNotFound, StaleRun
from recon.pipeline import run_day
from recon.rules import RULES_DIR, load_rules
from recon.schema import replaced_tables, warehouse_tables
from recon.stages import quarantined_journal, unfinished
from recon.targets import Landing, WarehouseTarget, open_warehouse
from recon.warehouse import COMPLETED_STATUSES, DuckDBWarehouse


@dataclass(frozen=True)
class Check:
    """One verified fact: ok or not, what was checked (a table, a run, a link) and the evidence."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        """``OK name: detail`` or ``DIFFERS name: detail``."""
        return f"{'OK' if self.ok else 'DIFFERS':7} {self.name}: {self.detail}"


def _check_inputs(landing: Landing, business_date: date, manifest: dict) -> None:
    classes = run_scope.manifest_classes(manifest)
    found = {f.rel_path: f.sha256 for f in landed_inputs(landing, business_date, classes)}
    recorded = {i["rel_path"]: i["sha256"] for i in manifest["inputs"]}
    for rel_path, sha256 in sorted(recorded.items()):
        if rel_path not in found:
            raise InputChanged(f"{rel_path}: read by run {manifest['run_id']} of {business_date}, missing from {landing}")
        if found[rel_path] != sha256:
            raise InputChanged(f"{rel_path}: run {manifest['run_id']} of {business_date} read SHA-256 {sha256}, "
                               f"the file now hashes {found[rel_path]}")
    added = sorted(set(found) - set(recorded))
    if added:
        raise InputChanged(f"{', '.join(added)}: not among the inputs of run {manifest['run_id']} of {business_date} "
                           "(the landing has files the run did not read)")


def _read_state(target: object, business_date: date, run: dict, manifest: dict) -> dict[str, list[dict]]:
    """The warehouse state the run read, to seed the scratch warehouse with: the previous CME business day's
    published breaks (a SECURED-only run's standing ones, whose unpaid disbursements it deducted, too), the cash
    journal entries earlier dates quarantined, and on a date that is not a Fedwire bank day that day's published bank
    closing balances, which the run carried forward."""
    decided = {d["decision_id"] for d in manifest["decisions"]}
    state = {
        "decisions": [d for d in target.read_until("decisions", business_date) if d["decision_id"] in decided],
        "seg_filings": [f for f in target.read_partition("seg_filings", business_date)
                        if f["filed_at"] <= run["started_at"]],
    }
    previous = calendar.previous_business_day(business_date)
    previous_runs = target.runs(previous)
    current = previous_runs[-1]["manifest_hash"] if previous_runs else None
    carried = not calendar.is_bank_day(business_date)
    read = "breaks and bank closing balances" if carried else "breaks"
    if manifest.get("previous_day_manifest_hash") != current:
        raise StaleRun(f"run {manifest['run_id']} of {business_date} read the {read} of {previous}'s run with "
                       f"manifest {manifest.get('previous_day_manifest_hash')}, but {previous}'s latest run is "
                       f"{current}: the date is stale (re-run it: fcm-recon backfill --start {business_date})")
    return {
        "quarantine": quarantined_journal(target, business_date),
        "recon_breaks": target.read_partition("recon_breaks", previous),
        "recon_matches": target.read_partition("recon_matches", previous, {"recon": "BANK_BALANCE"}) if carried else [],
        "seg_line_sources": [row for source_table in ("src_bank__balances", "src_warehouse__previous_bank_balances")
                             for row in target.read_partition("seg_line_sources", previous,
                                                              {"source_table": source_table})] if carried else [],
        **state,
    }


def _seed(scratch: DuckDBWarehouse, state: dict[str, list[dict]]) -> None:
    for name, rows in state.items():
        scratch.connection.register("seed_rows", pa.Table.from_pylist(rows, schema=warehouse_tables()[name].arrow_schema()))
        scratch.connection.execute(f"insert into {name} by name select * from seed_rows")
        scratch.connection.unregister("seed_rows")


def verify_date(business_date: date, landing: Landing, warehouse: WarehouseTarget,
                rules_dir: Path = RULES_DIR) -> list[Check]:
    """Re-run the date's latest completed run from its recorded inputs and compare hashes (module docstring)."""
    with open_warehouse(warehouse) as target:
        runs = target.runs(business_date)
        if not runs:
            raise RunNotFound(f"the warehouse {warehouse} holds no completed run for {business_date}")
        run = runs[-1]
        manifest = json.loads(run["manifest"])
        state = _read_state(target, business_date, run, manifest)
        published = {t.name: target.partition_hash(t.name, business_date) for t in replaced_tables()}
    rules_version = load_rules(rules_dir).version
    if rules_version != manifest["rules_version"]:
        raise ConfigError(f"run {manifest['run_id']} used rules {manifest['rules_version']}, {rules_dir} is "
                          f"{rules_version}: verify with --rules naming the rules the run used")
    _check_inputs(landing, business_date, manifest)
    with tempfile.TemporaryDirectory(prefix=f"fcm-recon-verify-{business_date}-") as folder:
        scratch_path = Path(folder) / "scratch.duckdb"
        with DuckDBWarehouse(scratch_path) as scratch:
            _seed(scratch, state)
        run_day(business_date, landing, scratch_path, strict=manifest["strict"], rules_dir=rules_dir, documents=False,
                classes=run_scope.manifest_classes(manifest))
        with DuckDBWarehouse(scratch_path) as scratch:
            rerun = json.loads(scratch.runs(business_date)[-1]["output_hashes"])
    recorded = manifest["output_hashes"]
    return [Check(name, rerun.get(name) == recorded.get(name) == published[name],
                  f"manifest {str(recorded.get(name))[:16]}  re-run {str(rerun.get(name))[:16]}  "
                  f"published {published[name][:16]}")
            for name in sorted(set(recorded) | set(rerun) | set(published))]


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _row_checks(row: dict) -> list[Check]:
    """A runs row against its own manifest: the hash, and every column the manifest also states."""
    name = f"run {row['run_id']} {row['status']} ({row['business_date']}, sequence {row['sequence']})"
    found = _sha256_text(row["manifest"])
    if found != row["manifest_hash"]:
        return [Check(name, False, f"manifest hashes {found[:16]}, the row records {row['manifest_hash'][:16]}")]
    manifest = json.loads(row["manifest"])
    stated = {"run_id": manifest["run_id"], "sequence": manifest["sequence"],
              "business_date": date.fromisoformat(manifest["business_date"]),
              "previous_manifest_hash": manifest["previous_manifest_hash"],
              "rules_version": manifest["rules_version"], "decisions_version": manifest["decisions_version"]}
    if row["status"] in COMPLETED_STATUSES:
        stated.update(output_hashes=json.dumps(manifest["output_hashes"], sort_keys=True),
                      input_files=json.dumps(manifest["inputs"], sort_keys=True), exit_code=manifest["exit_code"])
    else:
        stated["status"] = manifest["status"]
    differing = sorted(column for column, value in stated.items() if row[column] != value)
    if differing:
        return [Check(name, False, f"columns {', '.join(differing)} differ from the manifest")]
    return [Check(name, True, f"manifest {row['manifest_hash'][:16]}")]


def _link_checks(chain: list[dict]) -> list[Check]:
    checks = []
    previous_hash = None
    for expected_sequence, run in enumerate(chain, start=1):
        name = f"chain link {expected_sequence} ({run['business_date']}, run {run['run_id']})"
        if run["sequence"] != expected_sequence:
            checks.append(Check(name, False, f"sequence {run['sequence']}, expected {expected_sequence}"))
        elif run["previous_manifest_hash"] != previous_hash:
            checks.append(Check(name, False, f"previous_manifest_hash {str(run['previous_manifest_hash'])[:16]}, "
                                             f"the run before has {str(previous_hash)[:16]}"))
        else:
            checks.append(Check(name, True, f"follows {str(previous_hash)[:16]}"))
        previous_hash = run["manifest_hash"]
    return checks


def _partition_checks(target: object, chain: list[dict]) -> list[Check]:
    latest = {run["business_date"]: run for run in chain}
    checks = []
    for table in replaced_tables():
        for day in sorted(set(target.partition_dates(table.name)) - set(latest)):
            checks.append(Check(f"{table.name} of {day}", False, "rows of a date with no completed run"))
    for day, run in sorted(latest.items()):
        recorded = json.loads(run["output_hashes"])
        for table in replaced_tables():
            found = target.partition_hash(table.name, day)
            checks.append(Check(f"{table.name} of {day}", found == recorded.get(table.name),
                                f"partition hashes {found[:16]}, run {run['run_id']} recorded "
                                f"{str(recorded.get(table.name))[:16]}"))
    return checks


def verify_chain(warehouse: WarehouseTarget) -> list[Check]:
    """Check every manifest, the chain's links and the published partitions (module docstring)."""
    with open_warehouse(warehouse) as target:
        attempts = target.attempts()
        chain = [row for row in attempts if row["status"] in COMPLETED_STATUSES]
        checks = [check for row in attempts for check in _row_checks(row)]
        checks += _link_checks(chain)
        checks += _partition_checks(target, chain)
    checks += [Check(f"attempt {row['run_id']} of {row['business_date']}", True,
                     f"RUNNING since {row['started_at']} with no end: killed, or still running; the next run of "
                     f"{row['business_date']} records it FAILED") for row in unfinished(attempts)]
    return checks
