"""The stages of one business day: land, parse, validate, match, publish, report.

This is the application layer: it wires the reconciliation library (recon/) and the segregation library
(segregation/) together, so it may import both; the libraries' own modules never import it.

Each stage reads what the previous one left in the day's work folder and writes its own output there (JSON for
reports and problems, Arrow IPC files for tables: written and read with no encoding, as the next stage reads them
back whole), so Airflow can run each as its own task and retry it, and the command
line runs them in a row. Every stage returns a small JSON-able summary. Data problems become rows of
``quarantine`` and exit code 2; broken invariants raise; nothing reaches the warehouse before ``publish``, which
writes every table's partition and the run's manifest in one transaction; ``report`` then writes the documents for
people from what was published.
"""

from __future__ import annotations

import json
import hashlib
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from recon import calendar, run_scope
from recon.contracts.ledger import DAY_CONTRACTS, OPTIONAL_DAY_FILES
from recon.contracts.reference import REQUIRED_REFERENCE
from recon.domain import Problem, content_id
from recon.engines import DuckDBEngine, Engine, open_engine
from recon.errors import ConfigError, PreviousDayMissing, StaleRun, invariant
from recon.ingest import QUARANTINED_ROWS_SCHEMA, FileReport, ingest
from recon.landing import InputFile, discover, previous_clearing_files
from recon.rules import RULES_DIR, RuleSet, load_rules
from recon.schema import replaced_tables, warehouse_tables
from recon.targets import GcsLanding, Landing, WarehouseTarget, open_warehouse, warehouse_exists
from segregation.filings import FILED_LINES_SCHEMA, filed_lines_table
from segregation.lines import source_tables as segregation_sources

EXIT_OK = 0
EXIT_INPUT_PROBLEM = 2
CALENDAR_MARGIN_DAYS = 45
# the bank closing balances a business day that is not a bank day carries forward
# (src_warehouse__previous_bank_balances)
PREVIOUS_BANK_BALANCES_SCHEMA = pa.schema([
    ("bank_account_id", pa.string()), ("currency", pa.string()), ("amount", pa.decimal128(38, 9)),
    ("record_id", pa.string()), ("source_file", pa.string()), ("as_of_date", pa.date32())])
# the cash journal entries earlier runs quarantined, one row each (proof of cash counts them)
QUARANTINED_JOURNAL_SCHEMA = pa.schema([
    ("bank_account_id", pa.string()), ("currency", pa.string()), ("amount", pa.decimal128(38, 9))])
# the statuses of a published BANK_BALANCE break whose bank side is the day's balance (RESOLVED rows repeat a grain
# the day matched)
_STANDING_STATUSES = ("NEW", "OPEN", "CLOSED")
MART_TABLES = (
    "recon_matches", "recon_breaks", "conservation", "int_routing_quarantine",
    "seg_statement_lines", "seg_alerts", "seg_line_sources", "seg_account_figures",
)


@dataclass(frozen=True)
class DayContext:
    """Where a day's run reads, works and writes. landing: a local folder or a gs:// landing (recon.targets);
    warehouse: a DuckDB file or a BigQuery dataset; work_dir holds the stages' intermediate files; reports_dir the
    documents for people, one folder per date (None: ``reports/`` beside a DuckDB warehouse file, else
    ``build/reports``); documents False defers the documents (a backfill renders them afterwards); prepared: a folder
    where a backfill's worker parsed and validated the day ahead (:func:`recon.backfill.prepare_days`), whose outputs
    the parse and validate stages take over when they were made from exactly the files the land stage listed;
    classes: None for a CME business day (every class and reconciliation), ``("SECURED",)`` for a SECURED-only run of
    a weekday CME does not clear (:mod:`recon.run_scope`)."""

    business_date: date
    landing: Landing
    warehouse: WarehouseTarget
    work_dir: Path
    strict: bool = True
    rules_dir: Path = RULES_DIR
    reports_dir: Path | None = None
    documents: bool = True
    prepared: Path | None = None
    classes: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        run_scope.check_date(self.business_date, self.classes)

    @property
    def secured_only(self) -> bool:
        """True for a SECURED-only run (no reconciliation, no clearing file, the SECURED statement alone)."""
        return run_scope.is_secured_only(self.classes)

    @property
    def reports_folder(self) -> Path:
        """The folder of this date's documents."""
        return reports_folder(self.warehouse, self.reports_dir, self.business_date)


def reports_folder(warehouse: WarehouseTarget, reports_dir: Path | None, business_date: date) -> Path:
    """The folder of a date's documents: ``reports_dir/<date>``; with no reports_dir, ``reports/`` beside a DuckDB
    warehouse file, else ``build/reports``."""
    root = reports_dir
    if root is None:
        root = warehouse.parent / "reports" if isinstance(warehouse, Path) else Path("build/reports")
    return root / business_date.isoformat()


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(value, sort_keys=True, indent=1, default=str), encoding="utf-8")
    os.replace(temporary, path)


# the stage that writes each work-folder file a later stage reads
_WRITTEN_BY = {"landed.json": "land", "parsed.json": "parse", "validated.json": "validate", "decisions.json": "match",
               "matched.json": "match"}


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        writer = _WRITTEN_BY.get(path.name)
        if writer is None:
            raise
        raise ConfigError(f"the work folder {path.parent} has no {path.name}: run `fcm-recon stage {writer}` for this "
                          "date with this --work-dir first (the stages run in order: "
                          f"{', '.join(stage.__name__ for stage in STAGES)})") from None


def _write_tables(folder: Path, tables: dict[str, pa.Table]) -> None:
    """Each table as ``folder/<name>.arrow``, an Arrow IPC file (a tenth of Parquet's time to write and read)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        with pa.ipc.new_file(folder / f"{name}.arrow.tmp", table.schema) as writer:
            writer.write_table(table)
        os.replace(folder / f"{name}.arrow.tmp", folder / f"{name}.arrow")


def read_table(path: Path) -> pa.Table:
    """A table :func:`_write_tables` wrote."""
    with pa.OSFile(str(path)) as file:
        return pa.ipc.open_file(file).read_all()


def _read_tables(folder: Path) -> dict[str, pa.Table]:
    return {path.name.removesuffix(".arrow"): read_table(path) for path in sorted(folder.glob("*.arrow"))}


def _sha256_json(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _landing_root(ctx: DayContext) -> tuple[Path, dict[str, dict]]:
    """The local folder to read the day from: the landing root itself, or the run's verified copy of a gs://
    landing with each object's URI, generation and checksums by relative path."""
    if not isinstance(ctx.landing, GcsLanding):
        return ctx.landing, {}
    from recon.gcs import download_day

    root = ctx.work_dir / "landing"
    return root, download_day(ctx.landing, ctx.business_date, calendar.unsettled_cycle_days(ctx.business_date), root)


def land(ctx: DayContext) -> dict:
    """List and hash the day's files (and the clearing files of the previous business days whose end-of-day cycle
    is not paid before it: T-1's, and after a Fedwire holiday CME cleared, the holiday's and the day before)."""
    started_at = datetime.now(UTC).isoformat()
    root, objects = _landing_root(ctx)
    files, previous = day_inputs(root, ctx.business_date, ctx.classes)
    landed = {"started_at": started_at, "objects": objects, **landed_files(files, previous)}
    landed["attempt"] = _begin_attempt(ctx, [*files, *previous], started_at)
    _write_json(ctx.work_dir / "landed.json", landed)
    return {"files": len(files), "previous_clearing_files": len(previous), "run_id": landed["attempt"]["run_id"]}


def day_inputs(root: Path, business_date: date, classes: tuple[str, ...] | None
               ) -> tuple[list[InputFile], list[InputFile]]:
    """The files a run of ``business_date`` for ``classes`` reads under the local root: the day's files and the clearing
    files of the previous business days whose cycles may be unpaid (:func:`recon.landing.previous_clearing_files`); a
    SECURED-only run reads no clearing file (:func:`recon.run_scope.secured_inputs`)."""
    files = discover(root, business_date)
    if run_scope.is_secured_only(classes):
        return run_scope.secured_inputs(files, business_date), []
    return files, previous_clearing_files(root, business_date)


def landed_files(files: list[InputFile], previous_clearing: list[InputFile]) -> dict[str, list[dict]]:
    """The day's files and T-1's clearing files as ``landed.json`` records them (what parse reads)."""
    return {"files": [dict(asdict(f), path=str(f.path)) for f in files],
            "previous_clearing": [dict(asdict(f), path=str(f.path)) for f in previous_clearing]}


def decisions_version(decisions: list[dict]) -> str:
    """SHA-256 of the decisions a run applies (the manifest's ``decisions_version``)."""
    return _sha256_json(decisions)


def day_fingerprint(target: object, ctx: DayContext, inputs: list[InputFile]) -> dict:
    """What a day's outputs depend on besides the code: its input files (path and SHA-256), the rules and decisions
    versions, the run mode and the manifest hash of the previous business day's latest completed run, whose
    published breaks the match stage reads. ``target`` is the open warehouse. A backfill skips a day whose latest
    completed run recorded the same fingerprint."""
    # a SECURED-only run rests on the previous CME business day too: it carries that day's open breaks (its unpaid
    # disbursements) and, on a date Fedwire is closed, its published bank closing balances (recon.run_scope)
    previous_day = target.runs(calendar.previous_business_day(ctx.business_date))
    scope = {} if ctx.classes is None else {"classes": list(ctx.classes)}
    return {
        **scope,
        "business_date": ctx.business_date.isoformat(),
        "code_version": version("fcm-recon"),
        "strict": ctx.strict,
        "inputs": sorted([f.rel_path, f.sha256] for f in inputs),
        "rules_version": load_rules(ctx.rules_dir).version,
        "decisions_version": decisions_version(target.read_until("decisions", ctx.business_date)),
        "previous_day_manifest_hash": previous_day[-1]["manifest_hash"] if previous_day else None,
    }


def _attempt_row(attempt: dict, status: str, exit_code: int | None, started_at: str, note: str | None) -> dict:
    """A ``runs`` row of an attempt that has not published (RUNNING, or FAILED with ``note`` saying why)."""
    manifest = dict(attempt, status=status, failure=note) if note else dict(attempt, status=status)
    return {
        "business_date": date.fromisoformat(attempt["business_date"]), "run_id": attempt["run_id"],
        "sequence": attempt["sequence"], "status": status, "exit_code": exit_code,
        "code_version": attempt["code_version"], "rules_version": attempt["rules_version"],
        "decisions_version": attempt["decisions_version"], "input_files": json.dumps(attempt["inputs"]),
        "output_hashes": None, "previous_manifest_hash": attempt["previous_manifest_hash"],
        "manifest_hash": _sha256_json(manifest), "manifest": json.dumps(manifest, sort_keys=True),
        "started_at": datetime.fromisoformat(started_at).replace(tzinfo=None),
        "finished_at": None if status == "RUNNING" else datetime.now(UTC).replace(tzinfo=None),
    }


def record_failed(target: object, running: dict, note: str) -> None:
    """Append the FAILED row of an attempt whose RUNNING row has no end, saying why."""
    attempt = {k: v for k, v in json.loads(running["manifest"]).items() if k != "status"}
    target.append_run(_attempt_row(attempt, "FAILED", 1, running["started_at"].isoformat(), note))


def unfinished(attempts: list[dict]) -> list[dict]:
    """The RUNNING rows among ``attempts`` with no COMPLETED, COMPLETED_WITH_REJECTIONS or FAILED row."""
    ended = {row["run_id"] for row in attempts if row["status"] != "RUNNING"}
    return [row for row in attempts if row["status"] == "RUNNING" and row["run_id"] not in ended]


def check_previous_day(target: object, business_date: date) -> None:
    """Refuse ``business_date`` when its previous CME business day has no completed run but an earlier date has one:
    a day carries its open breaks from the previous CME business day's run alone, so running across the gap would
    drop every break still open there from the date's breaks and their aging, unresolved. The first date of a
    warehouse's history (nothing earlier ran) carries nothing and runs."""
    previous = calendar.previous_business_day(business_date)
    if target.runs(previous):
        return
    earlier = [run["business_date"] for run in target.runs() if run["business_date"] < previous]
    if earlier:
        first_missing = calendar.next_business_day(max(earlier))
        raise PreviousDayMissing(
            f"{business_date}: the previous CME business day {previous} has no completed run, but {max(earlier)} "
            f"has: the breaks open on {max(earlier)} would not be carried into {business_date}. Run the missing days "
            f"first: fcm-recon backfill --start {first_missing} --end {business_date}")


def _begin_attempt(ctx: DayContext, inputs: list[InputFile], started_at: str) -> dict:
    """Append the attempt's RUNNING row in its own transaction, after recording FAILED any earlier attempt of the
    date that never ended (killed); returns the attempt: its run id, chain position and fingerprint."""
    with open_warehouse(ctx.warehouse) as target:
        attempts = target.attempts(ctx.business_date)
        for running in unfinished(attempts):
            record_failed(target, running, f"no end recorded; found by a later run of {ctx.business_date}")
        check_previous_day(target, ctx.business_date)
        head = target.last_run()
        attempt = dict(day_fingerprint(target, ctx, inputs), previous_manifest_hash=head[1] if head else None,
                       sequence=head[0] + 1 if head else 1,
                       attempt=1 + sum(row["status"] == "RUNNING" for row in attempts))
        attempt["run_id"] = content_id(_sha256_json(attempt))
        target.append_run(_attempt_row(attempt, "RUNNING", None, started_at, None))
    return attempt


def fail(ctx: DayContext, error: BaseException) -> None:
    """Record the day's attempt FAILED (when it began and did not publish), naming the error."""
    path = ctx.work_dir / "landed.json"
    if not path.exists():
        return
    run_id = _read_json(path)["attempt"]["run_id"]
    with open_warehouse(ctx.warehouse) as target:
        for running in unfinished([r for r in target.attempts(ctx.business_date) if r["run_id"] == run_id]):
            record_failed(target, running, f"{type(error).__name__}: {error}")


def _input_files(rows: list[dict]) -> list[InputFile]:
    return [InputFile(**dict(row, path=Path(row["path"]))) for row in rows]


def _missing(source: str, code: str, field: str, expected: str, message: str) -> Problem:
    return Problem("FILE", source, "", "", field, code, expected, "nothing", message)


def _missing_inputs(business_date: date, reports: list[FileReport], bank_accounts: pa.Table,
                    statements: set[tuple[str, str]], classes: tuple[str, ...] | None = None) -> list[Problem]:
    """A FILE problem for each required file that did not arrive and each account with no statement of record (a
    SECURED-only run requires only what the secured statement reads, :mod:`recon.run_scope`, its accounts'
    statements included; on a date that is not a Fedwire bank day no bank file is expected, on a full run and on a
    SECURED-only run alike: the match stage carries the balances forward, and reports an account with nothing to
    carry, :func:`_missing_carried_balances`)."""
    day = business_date.isoformat()
    secured_only = run_scope.is_secured_only(classes)
    present = {(r.rel_path.rsplit("/", 1)[0], Path(r.rel_path).stem) for r in reports}
    required = [("reference", name) for name in REQUIRED_REFERENCE]
    if secured_only:
        required += [(f"{day}/{folder}", name) for folder, name in run_scope.SECURED_REQUIRED_DAY_FILES]
    else:
        required += [(f"{day}/{folder}", table.split("__", 1)[1]) for table, (folder, _) in DAY_CONTRACTS.items()
                     if table.split("__", 1)[1] not in OPTIONAL_DAY_FILES]
    problems = [_missing(f"{folder}/{stem}.csv", "MISSING_INPUT", "", "the file", f"required file {folder}/{stem} is missing")
                for folder, stem in sorted(required) if (folder, stem) not in present]
    if not secured_only and not any(r.kind == "FIXML" and r.rel_path.startswith(day) for r in reports):
        problems.append(_missing(f"{day}/clearing/", "MISSING_INPUT", "", "CME FIXML position and trade reports",
                                 "no clearing FIXML file arrived for the day"))
    for row in _accounts_without(bank_accounts, statements, classes) if calendar.is_bank_day(business_date) else []:
        problems.append(_missing(
            f"{day}/bank/", "MISSING_STATEMENT", row["bank_account_id"],
            f"a final {row['statement_format']} statement for {business_date}",
            f"no statement of record for bank account {row['bank_account_id']} (file missing or rejected)"))
    return problems


def _accounts_without(bank_accounts: pa.Table, statements: set[tuple[str, str]],
                      classes: tuple[str, ...] | None) -> list[dict]:
    """The bank accounts of the run's scope (a SECURED-only run: the SECURED ones) with no statement in
    ``statements`` ((bank account, format) pairs) in the format the account declares."""
    secured_only = run_scope.is_secured_only(classes)
    return [row for row in bank_accounts.to_pylist()
            if not (secured_only and row["seg_class"] not in classes)
            and (row["bank_account_id"], row["statement_format"]) not in statements]


def _missing_carried_balances(business_date: date, sources: dict[str, pa.Table],
                              classes: tuple[str, ...] | None) -> list[Problem]:
    """On a date that is not a Fedwire bank day (no bank file is expected), a FILE problem for each bank account of
    the run's scope with neither a statement of record for the date nor a published closing balance of the previous
    business day to carry forward (src_warehouse__previous_bank_balances): its closing balance is missing, as a
    missing statement's is on a bank day (MISSING_STATEMENT), and the run exits 2."""
    if calendar.is_bank_day(business_date):
        return []
    balances = sources["src_bank__balances"].to_pylist()
    statements = {(row["bank_account_id"], row["fmt"]) for row in balances
                  if row["report_kind"] == "FINAL" and row["as_of_date"] == business_date}
    carried = set(sources["src_warehouse__previous_bank_balances"].column("bank_account_id").to_pylist())
    bank_accounts = sources["src_reference__bank_accounts"]
    statements |= {(row["bank_account_id"], row["statement_format"]) for row in bank_accounts.to_pylist()
                   if row["bank_account_id"] in carried}
    previous = calendar.previous_business_day(business_date)
    holiday = calendar.bank_holiday_name(business_date) or "Fedwire closed"
    return [_missing(
        f"{business_date}/bank/", "MISSING_CARRIED_BALANCE", row["bank_account_id"],
        f"a closing balance of {previous} published in the warehouse, to carry forward",
        f"{business_date} is a Fedwire holiday ({holiday}): no bank file is expected and the closing balance of bank "
        f"account {row['bank_account_id']} is carried forward from {previous}, but the warehouse holds none (no "
        f"completed run of {previous}, or its bank file was rejected or missing); run {previous}, then this day again")
        for row in _accounts_without(bank_accounts, statements, classes)]


def parse(ctx: DayContext) -> dict:
    """Read every landed file by its contract into canonical tables; record what became of each file."""
    landed = _read_json(ctx.work_dir / "landed.json")
    if _take_prepared(ctx, landed, ("sources", "parsed.json")):
        return _read_json(ctx.prepared / "summaries.json")["parse"]
    return parse_files(ctx.work_dir, landed, ctx.business_date, ctx.strict, ctx.classes)


def parse_files(folder: Path, landed: dict, business_date: date, strict: bool,
                classes: tuple[str, ...] | None = None) -> dict:
    """The parse stage's work on the files ``landed`` lists (see :func:`landed_files`), written into ``folder``;
    ``classes`` is the run's scope (DayContext)."""
    ingested = ingest(_input_files(landed["files"]), business_date, _input_files(landed["previous_clearing"]),
                      strict=strict)
    statements = {(s.bank_account_id, s.fmt) for s in ingested.statements
                  if s.is_statement_of_record and s.as_of_date == business_date}
    missing = _missing_inputs(business_date, ingested.reports,
                              ingested.tables["src_reference__bank_accounts"], statements, classes)
    _write_tables(folder / "sources", ingested.tables)
    _write_json(folder / "parsed.json", {
        "reports": [asdict(r) for r in ingested.reports],
        "problems": [p._asdict() for p in [*ingested.problems, *missing]],
    })
    return {"files": len(ingested.reports), "rows_read": sum(r.rows_read for r in ingested.reports),
            "problems": len(ingested.problems) + len(missing)}


def prepared_key(landed: dict, business_date: date, strict: bool) -> dict:
    """What a prepared day's outputs were made from: the date, the run mode and the landed files with their
    SHA-256 (:func:`landed_files`)."""
    return {"business_date": business_date.isoformat(), "strict": strict, "files": landed["files"],
            "previous_clearing": landed["previous_clearing"]}


def _take_prepared(ctx: DayContext, landed: dict, names: tuple[str, ...]) -> bool:
    """Move ``names`` from the day's prepared folder into its work folder when they were made from exactly the
    landed files (else False: the stage does the work itself)."""
    if ctx.prepared is None or not (ctx.prepared / "key.json").exists():
        return False
    if _read_json(ctx.prepared / "key.json") != prepared_key(landed, ctx.business_date, ctx.strict):
        return False
    if not all((ctx.prepared / name).exists() for name in names):
        return False
    for name in names:
        shutil.move(ctx.prepared / name, ctx.work_dir / name)
    return True


def _drop_records(tables: dict[str, pa.Table], record_ids: set[str], files: set[str]) -> dict[str, pa.Table]:
    """The tables without the given records and without any row of the given files."""
    kept = {}
    for name, table in tables.items():
        if "record_id" in table.column_names and "source_file" in table.column_names and table.num_rows:
            mask = pc.invert(pc.or_(pc.is_in(table["record_id"], pa.array(sorted(record_ids), pa.string())),
                                    pc.is_in(table["source_file"], pa.array(sorted(files), pa.string()))))
            table = table.filter(mask)
        kept[name] = table
    return kept


def _quarantined_money(tables: dict[str, pa.Table], record_ids: set[str]) -> pa.Table:
    """source_file, record_id, currency, amount of the records validation quarantines (for conservation), and a
    cash journal entry's bank account (for proof of cash; a blank one null)."""
    parts = []
    for name, table in tables.items():
        if name not in ("src_bank__entries", *DAY_CONTRACTS) or not table.num_rows:
            continue
        contract = DAY_CONTRACTS[name][1] if name in DAY_CONTRACTS else None
        amount = "amount" if contract is None else contract.amount_field
        rows = table.filter(pc.is_in(table["record_id"], pa.array(sorted(record_ids), pa.string())))
        if rows.num_rows and amount:
            bank_account = (pa.nulls(rows.num_rows, pa.string()) if contract is None or not contract.bank_account_field
                            else pc.if_else(pc.equal(rows[contract.bank_account_field], ""), None,
                                            rows[contract.bank_account_field]))
            parts.append(rows.select(["source_file", "record_id", "currency", amount]).append_column(
                "bank_account_id", bank_account).rename_columns(
                QUARANTINED_ROWS_SCHEMA.names).cast(QUARANTINED_ROWS_SCHEMA))
    return pa.concat_tables(parts) if parts else QUARANTINED_ROWS_SCHEMA.empty_table()


def validate(ctx: DayContext) -> dict:
    """Audit the staged tables with the Great Expectations suites: quarantine failing rows, reject failing files."""
    if _take_prepared(ctx, _read_json(ctx.work_dir / "landed.json"), ("validated", "validated.json")):
        return _read_json(ctx.prepared / "summaries.json")["validate"]
    return validate_folders([ctx.work_dir])[0]


def validate_folders(folders: list[Path]) -> list[dict]:
    """The validate stage's work on the parsed days of ``folders`` (each as :func:`parse_files` left it), their
    suites run together (:func:`recon.validate.run_suites_of_days`); each day's outputs written into its folder."""
    from recon.validate import run_suites_of_days

    days = [(_read_json(folder / "parsed.json"), _read_tables(folder / "sources")) for folder in folders]
    found_by_day = run_suites_of_days([tables for _, tables in days])
    return [_write_validated(folder, parsed, tables, found)
            for folder, (parsed, tables), found in zip(folders, days, found_by_day)]


def _write_validated(folder: Path, parsed: dict, tables: dict[str, pa.Table], found: list[Problem]) -> dict:
    row_ids = {p.record_id for p in found if p.scope == "ROW"}
    rejected = {p.source_file for p in found if p.scope == "FILE"}
    quarantined = _quarantined_money(tables, row_ids)
    tables = _drop_records(tables, row_ids, rejected)
    tables["src_quarantined_rows"] = pa.concat_tables([tables["src_quarantined_rows"], quarantined])
    reports = [dict(r, status="REJECTED", detail="rejected by validation") if r["rel_path"] in rejected else r
               for r in parsed["reports"]]
    _write_tables(folder / "validated", tables)
    _write_json(folder / "validated.json",
                {"reports": reports, "problems": parsed["problems"] + [p._asdict() for p in found]})
    return {"rows_quarantined": len(row_ids), "files_rejected": len(rejected)}


def _calendar_table(business_date: date) -> pa.Table:
    """Every calendar day around the date: its CME business-day index (a weekend shares Friday's), whether CME
    clears that day, the next business day after it; whether Fedwire is open (and the Federal Reserve holiday when
    not, None on a weekend), the next bank day, and the settlement days (recon.calendar) that pay the day's
    intraday and end-of-day cycles."""
    start = business_date - timedelta(days=CALENDAR_MARGIN_DAYS)
    days = [start + timedelta(days=n) for n in range(2 * CALENDAR_MARGIN_DAYS + 1)]
    return pa.table({
        "day": pa.array(days, pa.date32()),
        "day_index": pa.array([calendar.business_days_between(start, day) for day in days], pa.int64()),
        "is_business_day": pa.array([calendar.is_business_day(day) for day in days], pa.bool_()),
        "next_business_day": pa.array([calendar.next_business_day(day) for day in days], pa.date32()),
        "is_bank_day": pa.array([calendar.is_bank_day(day) for day in days], pa.bool_()),
        "bank_holiday_name": pa.array([calendar.bank_holiday_name(day) for day in days], pa.string()),
        "next_bank_day": pa.array([calendar.next_bank_day(day) for day in days], pa.date32()),
        "settlement_day": pa.array([calendar.settlement_day(day) for day in days], pa.date32()),
        "next_settlement_day": pa.array([calendar.next_settlement_day(day) for day in days], pa.date32()),
    })


def _file_problems_table(problems: list[Problem]) -> pa.Table:
    rows = sorted({(p.source_file, p.code, p.message) for p in problems if p.scope == "FILE"})
    return pa.table({
        "source_file": pa.array([r[0] for r in rows], pa.string()),
        "code": pa.array([r[1] for r in rows], pa.string()),
        "message": pa.array([r[2] for r in rows], pa.string()),
    })


def compute(sources: dict[str, pa.Table], rules: RuleSet, business_date: date, problems: list[Problem],
            tables: tuple[str, ...] = MART_TABLES, engine: Engine | None = None,
            reconciles: bool = True) -> dict[str, pa.Table]:
    """Run the SQL models over the canonical tables on ``engine`` (closed when done; by default DuckDB in this
    process); returns ``tables`` (by default the marts and the routing quarantine; a test may ask for intermediate
    models too). ``reconciles`` False: a SECURED-only run, whose models match nothing (``stg_run__scope``)."""
    registered = dict(sources)
    registered.update({
        "src_rule_passes": rules.passes,
        "src_tiers": rules.tiers,
        "src_settlement_components": rules.components,
        "src_business_days": _calendar_table(business_date),
        "src_run_parameters": pa.table({"business_date": pa.array([business_date], pa.date32())}),
        "src_run_scope": pa.table({"reconciles": pa.array([reconciles], pa.bool_())}),
        "src_file_problems": _file_problems_table(problems),
        **segregation_sources(),
    })
    with engine or DuckDBEngine() as running:
        running.load(registered)
        running.run(tables, rules)
        return running.read(tables)


def _check_outputs(outputs: dict[str, pa.Table], reports: list[dict]) -> None:
    """Assert in pairs: the SQL's conservation agrees with what the readers counted, and ids are unique."""
    fates = ("matched", "in_breaks", "pending", "quarantined", "out_of_scope")
    per_file: dict[str, int] = {}
    for row in outputs["conservation"].to_pylist():
        invariant(row["rows_read"] == sum(row[f"rows_{f}"] for f in fates), f"conservation count broken: {row}")
        invariant(row["amount_read"] == sum(row[f"amount_{f}"] for f in fates), f"conservation amount broken: {row}")
        per_file[row["source_file"]] = per_file.get(row["source_file"], 0) + row["rows_read"]
    for report in reports:
        if report["status"] == "ACCEPTED" and report["rows_read"] and report["kind"] != "REFERENCE":
            invariant(per_file.get(report["rel_path"]) == report["rows_read"],
                      f"{report['rel_path']}: read {report['rows_read']} rows, conservation accounts for "
                      f"{per_file.get(report['rel_path'])}")
    matches = outputs["recon_matches"]
    matched = pa.concat_tables(_recon_records(matches, side) for side in ("clearing_records", "bank_records",
                                                                         "ledger_records"))
    invariant(matched.group_by(["recon", "record"]).aggregate([]).num_rows == matched.num_rows,
              "a record is in two matches of one recon")
    for name, key in (("recon_matches", "match_id"), ("recon_breaks", "break_id")):
        ids = outputs[name].column(key)
        invariant(pc.count_distinct(ids, mode="all").as_py() == len(ids), f"{name}: {key} is not unique")


def _recon_records(matches: pa.Table, side: str) -> pa.Table:
    """(recon, record) for each record id of a side's lists of ``recon_matches``."""
    records = matches.column(side).combine_chunks()
    return pa.table({"recon": matches.column("recon").take(pc.list_parent_indices(records)),
                     "record": pc.list_flatten(records)})


def _problems(document: dict) -> list[Problem]:
    return sorted({Problem(**p) for p in document["problems"]})


def _warehouse_sources(ctx: DayContext) -> dict[str, pa.Table]:
    """The match stage's inputs from the warehouse, read in one open (empty for a new warehouse): the previous
    business day's published breaks (the age of today's breaks and the item breaks carried into today's matching; on
    a SECURED-only run, which matches nothing, they stand as they were and its statement deducts their unpaid
    disbursements), on a date that is not a Fedwire bank day its published bank closing balances
    (:func:`previous_bank_balances`), the cash journal entries earlier dates quarantined (:func:`quarantined_journal`),
    people's decisions recorded for the business date or earlier (the SQL keeps those in force for the day) and the
    latest filing of each class of the date."""
    tables = warehouse_tables()
    breaks = pa.schema([field for field in tables["recon_breaks"].arrow_schema() if field.name != "business_date"])
    decisions = tables["decisions"].arrow_schema()
    if not warehouse_exists(ctx.warehouse):
        return {"src_warehouse__previous_breaks": breaks.empty_table(),
                "src_warehouse__previous_bank_balances": PREVIOUS_BANK_BALANCES_SCHEMA.empty_table(),
                "src_warehouse__quarantined_journal": QUARANTINED_JOURNAL_SCHEMA.empty_table(),
                "src_warehouse__decisions": decisions.empty_table(),
                "src_warehouse__seg_filed_lines": FILED_LINES_SCHEMA.empty_table()}
    with open_warehouse(ctx.warehouse) as target:
        # a SECURED-only run reconciles nothing: it ages and resolves no earlier break (stg_run__scope), but the
        # previous CME business day's open breaks stand on it as they were (recon.run_scope)
        previous = target.read_partition("recon_breaks", calendar.previous_business_day(ctx.business_date))
        return {
            "src_warehouse__previous_breaks": pa.Table.from_pylist(
                [{c: row[c] for c in breaks.names} for row in previous], schema=breaks),
            "src_warehouse__previous_bank_balances": previous_bank_balances(target, ctx.business_date, previous),
            "src_warehouse__quarantined_journal": pa.Table.from_pylist(
                quarantined_journal(target, ctx.business_date), schema=QUARANTINED_JOURNAL_SCHEMA),
            "src_warehouse__decisions": pa.Table.from_pylist(target.read_until("decisions", ctx.business_date),
                                                             schema=decisions),
            "src_warehouse__seg_filed_lines": filed_lines_table(target, ctx.business_date),
        }


def quarantined_journal(target: object, business_date: date) -> list[dict]:
    """The published quarantine rows of every date before ``business_date`` that are cash journal entries naming a
    bank account, with an amount and currency (one row per entry and date: an entry with several problems has a row
    for each). The books' balance holds such an entry while no recon ever takes it, so every later day's proof of
    cash counts it (int_bank_balance_explained); re-running its date with the entry fixed removes it."""
    seen = set()
    rows = []
    for row in target.read_until("quarantine", business_date - timedelta(days=1)):
        key = (row["business_date"], row["record_id"])
        if row["scope"] == "ROW" and None not in (row["bank_account_id"], row["amount"], row["currency"]) \
                and key not in seen:
            seen.add(key)
            rows.append(row)
    return rows


def previous_bank_balances(target: object, business_date: date, previous_breaks: list[dict]) -> pa.Table:
    """On a business date that is not a Fedwire bank day (no bank file is expected): each bank account's closing
    balance as the previous business day's run published it (the bank side of its BANK_BALANCE match or standing
    break, ``previous_breaks`` being that day's recon_breaks), to carry forward, with its record id, the bank file it
    was read from (that day's seg_line_sources, else the break's first file, else None) and the settlement day it
    stands for (recon.calendar.balance_source_day). Empty on a bank day, and when the previous day published none."""
    if calendar.is_bank_day(business_date):
        return PREVIOUS_BANK_BALANCES_SCHEMA.empty_table()
    previous = calendar.previous_business_day(business_date)
    files = {row["record_id"]: row["source_file"]
             for source_table in ("src_bank__balances", "src_warehouse__previous_bank_balances")
             for row in target.read_partition("seg_line_sources", previous, {"source_table": source_table})}
    rows = target.read_partition("recon_matches", previous, {"recon": "BANK_BALANCE"})
    rows += [row for row in previous_breaks if row["recon"] == "BANK_BALANCE" and row["status"] in _STANDING_STATUSES]
    carried = {}
    for row in rows:
        if row["bank_amount"] is None or not row["bank_records"]:
            continue
        record_id = row["bank_records"][0]
        key = (row["bank_account_id"], row["currency"])
        invariant(key not in carried, f"{previous}: two published BANK_BALANCE rows for {key}")
        bank_files = [name for name in row.get("source_files") or [] if "/bank/" in name]
        source_file = files.get(record_id) or (bank_files[0] if bank_files else None)
        carried[key] = {"bank_account_id": key[0], "currency": key[1], "amount": row["bank_amount"],
                        "record_id": record_id, "source_file": source_file,
                        "as_of_date": calendar.balance_source_day(business_date)}
    return pa.Table.from_pylist([carried[key] for key in sorted(carried)], schema=PREVIOUS_BANK_BALANCES_SCHEMA)


def match(ctx: DayContext) -> dict:
    """Run every reconciliation over the validated tables and check conservation before anything is published."""
    validated = _read_json(ctx.work_dir / "validated.json")
    sources = _read_tables(ctx.work_dir / "validated")
    sources.update(_warehouse_sources(ctx))
    # the decisions are an input of the run: publish records them in the manifest
    _write_json(ctx.work_dir / "decisions.json", sources["src_warehouse__decisions"].to_pylist())
    # what the warehouse should have held and did not: problems of the run like the files' (publish reports them)
    _write_json(ctx.work_dir / "matched.json", {"problems": [
        p._asdict() for p in _missing_carried_balances(ctx.business_date, sources, ctx.classes)]})
    run_id = _read_json(ctx.work_dir / "landed.json")["attempt"]["run_id"]
    outputs = compute(sources, load_rules(ctx.rules_dir), ctx.business_date, _problems(validated),
                      engine=open_engine(ctx.warehouse, run_id, ctx.business_date), reconciles=not ctx.secured_only)
    _check_outputs(outputs, validated["reports"])
    if ctx.classes is not None:
        outputs = _of_classes(outputs, ctx.classes)
    _write_tables(ctx.work_dir / "marts", outputs)
    return {name: table.num_rows for name, table in outputs.items()}


def _of_classes(outputs: dict[str, pa.Table], classes: tuple[str, ...]) -> dict[str, pa.Table]:
    """The marts with the statement tables (seg_*) kept to the rows of ``classes`` (a SECURED-only run publishes the
    secured statement alone); a run that reconciles nothing has no match or break to keep."""
    kept = dict(outputs)
    for name, table in outputs.items():
        if name.startswith("seg_"):
            kept[name] = table.filter(pc.is_in(table["seg_class"], pa.array(classes, pa.string())))
    invariant(not kept["recon_matches"].num_rows and not kept["recon_breaks"].num_rows,
              f"a run of classes {classes} reconciles nothing, yet its models made matches or breaks")
    return kept


def _quarantine_table(problems: list[Problem], routed: pa.Table, reports: list[dict],
                      quarantined_rows: pa.Table) -> pa.Table:
    """The quarantine table's rows: every problem (a quarantined row's with the amount, currency and journal bank
    account its reader or the validation could read, ``quarantined_rows``) and the routing's quarantined rows."""
    sha_by_file = {r["rel_path"]: r["sha256"] for r in reports}
    money = {row["record_id"]: row for row in quarantined_rows.to_pylist()}
    readable = ("amount", "currency", "bank_account_id")
    rows = [dict(p._asdict(), **{c: money[p.record_id][c] if p.scope == "ROW" and p.record_id in money else None
                                 for c in readable}) for p in problems] + routed.to_pylist()
    schema = warehouse_tables()["quarantine"]
    columns = [c for c in schema.column_names if c != "business_date"]
    for row in rows:
        row["file_sha256"] = sha_by_file.get(row["source_file"])
    return pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows],
                                schema=pa.schema([schema.arrow_schema().field(c) for c in columns]))


def _manifest(ctx: DayContext, reports: list[dict], rules: RuleSet, decisions: list[dict], attempt: dict,
              exit_code: int) -> dict:
    """The run's manifest; its run id and chain position are the attempt's, taken at land (under the lock)."""
    scope = {} if ctx.classes is None else {"classes": list(ctx.classes)}
    return {
        **scope,
        "business_date": ctx.business_date.isoformat(),
        "run_id": attempt["run_id"],
        "sequence": attempt["sequence"],
        "previous_manifest_hash": attempt["previous_manifest_hash"],
        "previous_day_manifest_hash": attempt["previous_day_manifest_hash"],
        "code_version": version("fcm-recon"),
        "rules_version": rules.version,
        "decisions_version": decisions_version(decisions),
        "decisions": decisions,
        "strict": ctx.strict,
        "inputs": sorted(reports, key=lambda r: r["rel_path"]),
        "exit_code": exit_code,
    }


def _check_current(target: object, attempt: dict) -> None:
    """Refuse to publish an attempt when the chain moved since its land stage or a later run recorded it FAILED."""
    head = target.last_run()
    expected = (attempt["sequence"] - 1, attempt["previous_manifest_hash"]) if attempt["sequence"] > 1 else None
    if head != expected:
        raise StaleRun(f"run {attempt['run_id']} of {attempt['business_date']}: the warehouse's newest run is "
                       f"{head} but the run landed after {expected}; another run published since: run it again")
    ends = {row["status"] for row in target.attempts(date.fromisoformat(attempt["business_date"]))
            if row["run_id"] == attempt["run_id"]}
    if ends - {"RUNNING"}:
        raise StaleRun(f"run {attempt['run_id']} of {attempt['business_date']} is already recorded "
                       f"{sorted(ends - {'RUNNING'})}: run the date again")


def _run_row(manifest: dict, output_hashes: dict[str, str], started_at: str) -> dict:
    manifest = dict(manifest, output_hashes=output_hashes)
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
        "manifest_hash": _sha256_json(manifest),
        "manifest": json.dumps(manifest, sort_keys=True),
        "started_at": datetime.fromisoformat(started_at).replace(tzinfo=None),
        "finished_at": datetime.now(UTC).replace(tzinfo=None),
    }


def publish(ctx: DayContext) -> dict:
    """Publish the day's partitions and append the run to the manifest chain, in one transaction."""
    validated = _read_json(ctx.work_dir / "validated.json")
    marts = _read_tables(ctx.work_dir / "marts")
    problems = _problems({"problems": validated["problems"] + _read_json(ctx.work_dir / "matched.json")["problems"]})
    file_problems = [p for p in problems if p.scope == "FILE"]
    tables = {name: marts[name] if name in marts else warehouse_tables()[name].arrow_schema().empty_table()
              for name in (t.name for t in replaced_tables())}
    tables["quarantine"] = _quarantine_table(problems, marts["int_routing_quarantine"], validated["reports"],
                                             read_table(ctx.work_dir / "validated" / "src_quarantined_rows.arrow"))
    unfileable = unfileable_statements(marts["seg_statement_lines"], marts["seg_alerts"])
    exit_code = EXIT_INPUT_PROBLEM if file_problems or unfileable else EXIT_OK
    landed = _read_json(ctx.work_dir / "landed.json")
    # a gs:// landing's inputs carry the object each file was copied from (URI, generation, checksums)
    reports = [dict(r, object=landed["objects"][r["rel_path"]]) if r["rel_path"] in landed["objects"] else r
               for r in validated["reports"]]
    rules = load_rules(ctx.rules_dir)
    with open_warehouse(ctx.warehouse) as target:
        _check_current(target, landed["attempt"])
        manifest = _manifest(ctx, reports, rules, _read_json(ctx.work_dir / "decisions.json"), landed["attempt"],
                             exit_code)
        run = target.publish(ctx.business_date, tables,
                             lambda hashes: _run_row(manifest, hashes, landed["started_at"]))
    return {
        "exit_code": exit_code,
        "run_id": run["run_id"],
        "manifest_hash": run["manifest_hash"],
        "rows": {name: table.num_rows for name, table in sorted(tables.items())},
        "file_problems": [p.describe() for p in file_problems],
        "unfileable_statements": unfileable,
    }


# the alerts that say why a statement is NOT_FILEABLE (int_seg_statement_status), as opposed to results (DEFICIENCY)
_UNFILEABLE_REASONS = ("INCOMPLETE_INPUTS", "MISSING_FX_RATE", "UNVALUED_OPTION_POSITION")


def unfileable_statements(lines: pa.Table, alerts: pa.Table) -> list[str]:
    """One line per customer class whose statement is NOT_FILEABLE, with the alerts that say why: such a run exits 2
    (product.md: an input is missing), also when no file was rejected (a missing FX rate, an option without a
    settlement price, a bank account without a closing balance)."""
    classes = sorted({row["seg_class"] for row in lines.select(["seg_class", "statement_status"]).to_pylist()
                      if row["statement_status"] == "NOT_FILEABLE"})
    reasons = [row for row in alerts.select(["seg_class", "code", "message"]).to_pylist()
               if row["code"] in _UNFILEABLE_REASONS]
    return [f"{seg_class} statement NOT_FILEABLE: "
            + "; ".join(f"{r['code']}: {r['message']}" for r in reasons if r["seg_class"] == seg_class)
            for seg_class in classes]


def report(ctx: DayContext) -> dict:
    """The documents for people from the published day: the break report (CSV, JSON, XLSX, HTML) and each class's
    statement (text, JSON, HTML, PDF), dated by the business date so a re-run writes the same bytes; and the day's
    segregation alerts, for the run's summary."""
    from recon.reports import write_day_reports

    paths = write_day_reports(ctx.warehouse, ctx.business_date, ctx.reports_folder) if ctx.documents else []
    with open_warehouse(ctx.warehouse) as target:
        alerts = target.read_partition("seg_alerts", ctx.business_date)
    return {
        "folder": str(ctx.reports_folder) if paths else None,
        "documents": [path.name for path in paths],
        "alerts": [{"seg_class": alert["seg_class"], "code": alert["code"], "severity": alert["severity"],
                    "currency": alert["currency"], "message": alert["message"],
                    "amount_usd": None if alert["amount_usd"] is None else format(alert["amount_usd"], "f")}
                   for alert in alerts],
    }


STAGES = (land, parse, validate, match, publish, report)
