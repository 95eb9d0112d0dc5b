"""The ``fcm-recon`` command line. Exit codes: 0 completed, 2 completed with an input rejected or missing, 1 error."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from typing import TYPE_CHECKING

from recon.errors import ConfigError, FcmReconError
from recon.targets import DUCKDB_ENGINE, ENGINES, Landing, WarehouseTarget, parse_landing, parse_warehouse

if TYPE_CHECKING:
    from recon.pipeline import RunResult

DEFAULT_WAREHOUSE = Path("build/warehouse.duckdb")
EXIT_REJECTED = 2


def _landing(text: str) -> Landing:
    try:
        return parse_landing(text)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _warehouse(text: str) -> WarehouseTarget:
    try:
        return parse_warehouse(text)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, found {text!r}") from None


def _classes(text: str) -> tuple[str, ...]:
    classes = tuple(part.strip().upper() for part in text.split(",") if part.strip())
    if classes != ("SECURED",):
        raise argparse.ArgumentTypeError(f"only SECURED is supported (a SECURED-only run on a date CME does not "
                                         f"clear), found {text!r}")
    return classes


def _add_classes(command: argparse.ArgumentParser) -> None:
    command.add_argument("--classes", type=_classes, metavar="SECURED",
                         help="run only the SECURED statement, on a weekday CME does not clear (30.7 statements are "
                              "due when foreign markets are open on a US holiday): no clearing file, no "
                              "reconciliation; refused on a CME business day, which always runs whole")


def _print_run(result: RunResult, as_json: bool) -> None:
    published = result.stages["publish"]
    if as_json:
        print(json.dumps(dict(result.stages, slis=result.slis, stale_after=[d.isoformat() for d in result.stale_after]), indent=2,
                         sort_keys=True))
        return
    print(f"run {published['run_id']}  exit {published['exit_code']}  manifest {published['manifest_hash'][:16]}")
    print("published: " + ", ".join(f"{k} {v}" for k, v in sorted(published["rows"].items())))
    for problem in published["file_problems"]:
        print(f"REJECTED/MISSING: {problem}")
    for statement in published["unfileable_statements"]:
        print(statement)
    documents = result.stages["report"]
    for alert in documents["alerts"]:
        amount = f" {alert['amount_usd']} USD" if alert["amount_usd"] is not None else ""
        print(f"ALERT {alert['severity']} {alert['seg_class']} {alert['code']}{amount}: {alert['message']}")
    if documents["folder"]:
        print(f"reports: {documents['folder']} ({len(documents['documents'])} files)")
    slis = result.slis
    print(f"SLIs: {slis['run_seconds']} s ("
          + ", ".join(f"{stage} {seconds}" for stage, seconds in slis["stage_seconds"].items())
          + f"); statement {'ready' if slis['statement_ready_by_deadline'] else 'LATE'} for its deadline "
          f"{slis['statement_deadline']}")
    stale = result.stale_after
    if stale:
        from recon.trust import rerun_commands

        print(f"STALE later days, built on the run this one replaced (re-run them: {rerun_commands(stale)}): "
              + ", ".join(d.isoformat() for d in stale))


def _cmd_run(args: argparse.Namespace) -> int:
    from recon.engines import engine_choice
    from recon.pipeline import run_day
    from recon.rules import RULES_DIR

    with engine_choice(args.engine, args.warehouse):
        result = run_day(args.date, args.landing, args.warehouse, strict=not args.lenient,
                         memory_limit=args.memory_limit, rules_dir=args.rules or RULES_DIR, reports_dir=args.reports,
                         documents=not args.no_documents, lock_timeout_seconds=args.lock_timeout,
                         classes=args.classes)
    _print_run(result, args.json)
    return result.exit_code


def _cmd_stage(args: argparse.Namespace) -> int:
    from recon.engines import engine_choice
    from recon.locks import warehouse_lock
    from recon.pipeline import memory_limits
    from recon.stages import STAGES, DayContext

    stage = {s.__name__: s for s in STAGES}[args.name]
    ctx = DayContext(args.date, args.landing, args.warehouse, args.work_dir, not args.lenient, classes=args.classes)
    with engine_choice(args.engine, ctx.warehouse), \
            warehouse_lock(ctx.warehouse, f"stage {args.name} {args.date}", args.lock_timeout), \
            memory_limits(ctx.work_dir, args.memory_limit):
        summary = stage(ctx)
    print(json.dumps(summary, indent=2, sort_keys=True, default=str))
    return 0


def _cmd_backfill(args: argparse.Namespace) -> int:
    from recon.backfill import BackfillOptions, run_backfill
    from recon.engines import engine_choice
    from recon.rules import RULES_DIR
    from recon.settings import secured_on_holidays

    secured_holidays = secured_on_holidays() if args.secured_holidays is None else args.secured_holidays
    options = BackfillOptions(strict=not args.lenient, rules_dir=args.rules or RULES_DIR, reports_dir=args.reports,
                              documents=not args.no_documents, memory_limit=args.memory_limit,
                              lock_timeout_seconds=args.lock_timeout, progress=not args.no_progress,
                              secured_holidays=secured_holidays)
    with engine_choice(args.engine, args.warehouse):
        result = run_backfill(args.start, args.end, args.landing, args.warehouse, options)
    counts, input_problems = result.counts(), result.input_problem_days()
    if args.json:
        print(json.dumps({"days": [dict(vars(d), business_date=d.business_date.isoformat()) for d in result.days],
                          "seconds": result.seconds, "stale_after": [d.isoformat() for d in result.stale_after],
                          "input_problem_days": [d.isoformat() for d in input_problems], **counts},
                         indent=2, sort_keys=True))
    else:
        for day in result.days:
            if day.action != "SKIPPED" or day.exit_code == EXIT_REJECTED:
                exit_code = "" if day.exit_code is None else f"exit {day.exit_code}  "
                print(f"{day.label}  {day.action:8} {day.seconds:8.1f} s  {exit_code}{day.reason}")
        print(f"backfill {args.start}..{args.end}: {counts['ran']} ran, {counts['skipped']} skipped, "
              f"{counts['failed']} failed, {counts['not_run']} not run, in {result.seconds:.1f} s")
        if input_problems:
            print(f"exit {EXIT_REJECTED}: an input was rejected or is missing on {len(input_problems)} day(s) (what "
                  "depends on it is published marked; each day's quarantine names the input and why): "
                  + ", ".join(d.isoformat() for d in input_problems))
        if result.stale_after:
            from recon.trust import rerun_commands

            print(f"stale after the range (re-run them: {rerun_commands(result.stale_after)}): "
                  + ", ".join(d.isoformat() for d in result.stale_after))
    return result.exit_code()


def _cmd_report(args: argparse.Namespace) -> int:
    from recon.backfill import render_documents

    folders = render_documents(args.warehouse, args.date, args.end or args.date, args.reports)
    if not folders:
        raise ConfigError(f"no completed run between {args.date} and {args.end or args.date} in {args.warehouse}")
    if args.json:
        print(json.dumps({"folders": {folder.name: str(folder) for folder in folders}}, indent=2, sort_keys=True))
        return 0
    for folder in folders:
        print(f"wrote the documents of {folder.name} to {folder}")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from recon.rules import RULES_DIR
    from recon.verify import verify_chain, verify_date

    if args.chain == (args.date is not None):
        raise ConfigError("give --date D (re-run a date from its recorded inputs) or --chain (the whole chain)")
    if args.chain:
        checks = verify_chain(args.warehouse)
    else:
        if args.landing is None:
            raise ConfigError("verify --date re-reads the recorded inputs: give --landing ROOT")
        checks = verify_date(args.date, args.landing, args.warehouse, args.rules or RULES_DIR)
    failed = [check for check in checks if not check.ok]
    if args.json:
        print(json.dumps({"ok": not failed, "checks": [vars(c) for c in checks]}, indent=2, sort_keys=True))
    else:
        for check in checks:
            if args.verbose or not check.ok or not args.chain:
                print(check.line())
        print(f"verify: {len(checks) - len(failed)} OK, {len(failed)} DIFFERS")
    return 1 if failed else 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    from recon.inspect import inspect_file, render_text

    report = inspect_file(args.file, strict=not args.lenient)
    print(json.dumps(report, indent=2, sort_keys=True) if args.json else render_text(report))
    return 0 if report["verdict"] != "REJECTED" else EXIT_REJECTED


def _cmd_generate(args: argparse.Namespace) -> int:
    from recon.generate import GenerateOptions, generate

    options = GenerateOptions(args.start, args.days, args.accounts, args.trades_per_day, args.seed)
    key = generate(args.out, options)
    summary = {"landing": str(args.out), "business_days": [d.isoformat() for d in key.business_days],
               "planted_breaks": len(key.breaks), "decoys": len(key.decoys)}
    print(json.dumps(summary, indent=2) if args.json else
          f"wrote {len(key.business_days)} business days to {args.out} "
          f"({len(key.breaks)} planted breaks, {len(key.decoys)} decoys; answer key {args.out / 'answer_key.json'})")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from recon.demo import run_demo

    return run_demo(args.out, as_json=args.json)


def _cmd_breaks(args: argparse.Namespace) -> int:
    from recon.reports import read_report, render

    if args.action:
        return _cmd_decide(args)
    if args.json and args.format not in (None, "json"):
        raise ConfigError(f"--json asks for JSON and --format asks for {args.format}: give one of them")
    report_format = "json" if args.json else args.format or "table"
    if report_format == "xlsx" and args.out is None:
        raise ConfigError("--format xlsx writes a workbook: give its path with --out FILE")
    report = read_report(args.warehouse, args.date)
    content = render(report, report_format)
    if args.out is None:
        sys.stdout.write(content.decode("utf-8"))
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(content)
    print(f"wrote the {report_format} break report of {args.date} ({len(report.breaks)} items) to {args.out}")
    return 0


def _cmd_decide(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from recon.decisions import record_decision
    from recon.errors import ConfigError

    if not args.target or args.by is None or args.reason is None:
        raise ConfigError(f"breaks {args.action} needs the break or match id, --by WHO and --reason WHY")
    decided_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    row = record_decision(args.warehouse, args.date, args.action, args.target, args.by, args.reason, decided_at)
    if args.json:
        print(json.dumps(row, indent=2, sort_keys=True, default=str))
    else:
        print(f"recorded decision {row['decision_id']}: {row['action']} {row['target_id']} for {args.date} "
              f"by {row['decided_by']}; re-run {args.date} to apply it")
    return 0


def _statement_output(args: argparse.Namespace, doc: dict) -> None:
    from recon.statement_docs import render

    content = render(doc, args.format)
    if args.out is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(content)
    print(f"wrote the {args.format} {doc['seg_class']} statement of {args.date} to {args.out}")


def _cmd_statement(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from recon.statement_docs import statement_document
    from segregation.filings import mark_filed
    from segregation.withdrawal import check_withdrawal

    if args.json:
        if args.format not in ("text", "json"):
            raise ConfigError(f"--json asks for JSON and --format asks for {args.format}: give one of them")
        args.format = "json"
    if args.mark_filed:
        if not args.by:
            raise ConfigError("--mark-filed needs --by NAME: who marks the statement filed")
        classes = (args.seg_class,) if args.seg_class else None  # None: every class the day's run computed
        for filing in mark_filed(args.warehouse, args.date, classes, args.by, datetime.now(UTC).replace(tzinfo=None)):
            print(f"marked the {filing['seg_class']} statement of {args.date} filed by {args.by} "
                  f"(run {filing['run_id']}, manifest {filing['manifest_hash'][:16]})")
        return 0
    if args.seg_class is None:
        raise ConfigError("give --class SEG, SECURED or CLEARED_SWAPS")
    withdrawal = None
    if args.withdraw is not None:
        if args.landing is None:
            raise ConfigError("--withdraw counts the day's earlier withdrawals in the cash journal: give --landing ROOT")
        check = check_withdrawal(args.warehouse, args.landing, args.date, args.seg_class, args.withdraw)
        withdrawal = {k: str(v) if isinstance(v, Decimal) else v for k, v in vars(check).items()}
        withdrawal["proforma_lines"] = check.proforma_lines
    doc = statement_document(args.warehouse, args.date, args.seg_class, withdrawal)
    _statement_output(args, doc)
    if withdrawal is not None and args.out is not None:
        print(f"withdrawal of USD {args.withdraw}: {check.decision} ({check.deciding_test})")
    return EXIT_REJECTED if doc["statement_status"] == "NOT_FILEABLE" or doc["stale_since"] or doc["tampered"] else 0


def _money_arg(text: str) -> Decimal:
    from recon.money import MoneyError, to_decimal

    try:
        amount = to_decimal(text, "--withdraw")
    except MoneyError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if amount <= 0:
        raise argparse.ArgumentTypeError(f"--withdraw must be a positive USD amount, found {text}")
    return amount


def _add_statement(commands: argparse._SubParsersAction) -> None:
    statement = commands.add_parser("statement", help="a segregation statement (text, JSON, HTML, PDF), the "
                                    "withdrawal check, or marking a date's statements filed")
    statement.add_argument("--date", type=_date, required=True, help="the CME business date, YYYY-MM-DD")
    statement.add_argument("--class", dest="seg_class", choices=["SEG", "SECURED", "CLEARED_SWAPS"],
                           help="the customer class (with --mark-filed, default all three)")
    statement.add_argument("--warehouse", type=_warehouse, default=DEFAULT_WAREHOUSE,
                           help=f"the warehouse the run published to (default {DEFAULT_WAREHOUSE})")
    statement.add_argument("--format", choices=["text", "json", "html", "pdf"], default="text",
                           help="the document's format (default text)")
    statement.add_argument("--json", action="store_true", help="the document as JSON (the same as --format json)")
    statement.add_argument("--out", type=Path, help="write the document to this file instead of printing it")
    statement.add_argument("--withdraw", type=_money_arg, metavar="AMOUNT",
                           help="a USD withdrawal of residual interest: the pro-forma statement and its answer "
                                "(allowed, needs approval or blocked, with the deciding test)")
    statement.add_argument("--landing", type=Path, help="the landing root the run read (needed by --withdraw)")
    statement.add_argument("--mark-filed", action="store_true", help="record the statement(s) as filed")
    statement.add_argument("--by", help="who marks the statement filed (with --mark-filed)")
    _add_lock_timeout(statement)
    statement.set_defaults(handler=_cmd_statement)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(prog="fcm-recon", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run one business day from the landing area into the warehouse")
    run.add_argument("--date", type=_date, required=True, help="the CME business date, YYYY-MM-DD")
    run.add_argument("--landing", type=_landing, required=True,
                     help="the landing root: a local folder or gs://BUCKET/PREFIX")
    run.add_argument("--warehouse", type=_warehouse, default=DEFAULT_WAREHOUSE,
                     help=f"a DuckDB warehouse file or bigquery://PROJECT/DATASET (default {DEFAULT_WAREHOUSE})")
    run.add_argument("--lenient", action="store_true",
                     help="report trailer and footing mismatches instead of rejecting the file")
    run.add_argument("--json", action="store_true", help="print the run summary as JSON")
    run.add_argument("--rules", type=Path, metavar="DIR",
                     help="the folder of rule files (default: the rules shipped in recon/rules)")
    run.add_argument("--reports", type=Path, metavar="DIR",
                     help="where the day's documents go, in DIR/<date>/ (default: reports/ beside a DuckDB "
                          "warehouse file, else build/reports)")
    run.add_argument("--no-documents", action="store_true",
                     help="skip the break report and statement documents (render them later with "
                          "`fcm-recon breaks` and `fcm-recon statement`)")
    run.add_argument("--memory-limit", metavar="SIZE",
                     help="cap DuckDB's memory (e.g. 2GB) and spill the rest into the work folder (default: DuckDB's)")
    _add_classes(run)
    _add_engine(run)
    run.set_defaults(handler=_cmd_run)

    stage = commands.add_parser("stage", help="run one stage of a day (as an Airflow task does) in a work folder")
    stage.add_argument("name", choices=["land", "parse", "validate", "match", "publish", "report"], help="the stage")
    stage.add_argument("--json", action="store_true", help="the stage's summary is printed as JSON in any case")
    stage.add_argument("--date", type=_date, required=True, help="the CME business date, YYYY-MM-DD")
    stage.add_argument("--landing", type=_landing, required=True,
                       help="the landing root: a local folder or gs://BUCKET/PREFIX")
    stage.add_argument("--warehouse", type=_warehouse, default=DEFAULT_WAREHOUSE,
                       help="a DuckDB warehouse file or bigquery://PROJECT/DATASET")
    stage.add_argument("--work-dir", type=Path, required=True, help="the day's work folder shared by the stages")
    stage.add_argument("--lenient", action="store_true", help="report trailer and footing mismatches")
    stage.add_argument("--memory-limit", metavar="SIZE",
                       help="cap DuckDB's memory (e.g. 2GB) and spill the rest into the work folder")
    _add_classes(stage)
    _add_engine(stage)
    stage.set_defaults(handler=_cmd_stage)

    inspect = commands.add_parser("inspect", help="parse one file and show what it holds and what is wrong with it")
    inspect.add_argument("file", type=Path, help="a BAI2, camt, FIXML or ledger/reference CSV file")
    inspect.add_argument("--lenient", action="store_true",
                         help="read as a lenient run would: trailer and footing mismatches are listed as problems "
                              "and the file is ACCEPTED_WITH_PROBLEMS (exit 0) instead of REJECTED (exit 2)")
    inspect.add_argument("--json", action="store_true", help="print the report as JSON")
    inspect.set_defaults(handler=_cmd_inspect)

    generate = commands.add_parser("generate", help="write a synthetic landing area with planted breaks and an answer key")
    generate.add_argument("--start", type=_date, required=True, help="first business date (moved to a CME day)")
    generate.add_argument("--days", type=int, default=3, help="CME business days to write (default 3)")
    generate.add_argument("--accounts", type=int, default=40, help="customer accounts (default 40)")
    generate.add_argument("--trades-per-day", type=int, default=200, help="trades per day (default 200)")
    generate.add_argument("--seed", type=int, default=1, help="random seed: same seed, same bytes (default 1)")
    generate.add_argument("--out", type=Path, required=True, help="the landing root to write")
    generate.add_argument("--json", action="store_true", help="print the summary as JSON")
    generate.set_defaults(handler=_cmd_generate)

    demo = commands.add_parser("demo", help="generate a few business days and run them into a local warehouse")
    demo.add_argument("--out", type=Path, default=Path("build/demo"), help="where to write everything (default build/demo)")
    demo.add_argument("--json", action="store_true", help="print the per-day summary as JSON")
    demo.add_argument("--log-file", type=Path, default=Path("build/demo.log"), metavar="FILE",
                      help="append the runs' JSON log lines here (default build/demo.log), not to the terminal")
    demo.set_defaults(handler=_cmd_demo)

    breaks = commands.add_parser(
        "breaks", help="the break report of a business day, worst first; or a decision on a break or match",
        description="With no action: the break report. accept MATCH_ID (a PROPOSED match), close BREAK_ID "
                    "(force-close a NEW or OPEN break) or annotate BREAK_ID record a decision for the date, with "
                    "--by and --reason; the next run of the date applies it and records it in its manifest.")
    breaks.add_argument("action", nargs="?", choices=["accept", "close", "annotate"],
                        help="record a decision instead of printing the report")
    breaks.add_argument("target", nargs="?", help="the match id (accept) or break id (close, annotate)")
    breaks.add_argument("--by", help="who decides (with an action)")
    breaks.add_argument("--reason", help="why (with an action)")
    breaks.add_argument("--date", type=_date, required=True, help="the CME business date, YYYY-MM-DD")
    breaks.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE,
                        help=f"the DuckDB warehouse file (default {DEFAULT_WAREHOUSE})")
    breaks.add_argument("--format", choices=["table", "csv", "json", "xlsx", "html"],
                        help="table (the default: breaks, summary and aging with totals), csv, json, xlsx or html")
    breaks.add_argument("--out", type=Path, help="write the report to this file instead of printing it (xlsx needs it)")
    breaks.add_argument("--json", action="store_true", help="print the report as JSON (the same as --format json)")
    breaks.set_defaults(handler=_cmd_breaks)
    _add_statement(commands)
    _add_backfill(commands)
    _add_verify(commands)
    _add_report(commands)
    for command in (run, stage, breaks):
        _add_lock_timeout(command)
    run.add_argument("--log-file", type=Path, metavar="FILE",
                     help="append the JSON-line logs to FILE instead of stderr")
    return parser


def _add_engine(command: argparse.ArgumentParser) -> None:
    command.add_argument("--engine", choices=ENGINES, default=DUCKDB_ENGINE,
                         help="where the SQL models run: duckdb in this process, or bigquery inside the warehouse's "
                              "BigQuery project (needs --warehouse bigquery://PROJECT/DATASET; default duckdb)")


def _add_lock_timeout(command: argparse.ArgumentParser) -> None:
    from recon.locks import LOCK_TIMEOUT_SECONDS_DEFAULT

    command.add_argument("--lock-timeout", type=float, metavar="SECONDS", default=LOCK_TIMEOUT_SECONDS_DEFAULT,
                         help="how long to wait for another run's lock on a DuckDB warehouse before failing "
                              f"(default {LOCK_TIMEOUT_SECONDS_DEFAULT:g}; 0 refuses at once)")


def _add_backfill(commands: argparse._SubParsersAction) -> None:
    backfill = commands.add_parser("backfill", help="run every CME business day of a range in order (and with "
                                   "--secured-holidays the SECURED statement of each weekday CME does not clear), "
                                   "skipping the days whose inputs, rules, decisions and previous day are unchanged")
    backfill.add_argument("--start", type=_date, required=True, help="first date, YYYY-MM-DD")
    backfill.add_argument("--end", type=_date, required=True, help="last date (included), YYYY-MM-DD")
    backfill.add_argument("--landing", type=_landing, required=True,
                          help="the landing root: a local folder or gs://BUCKET/PREFIX")
    backfill.add_argument("--warehouse", type=_warehouse, default=DEFAULT_WAREHOUSE,
                          help=f"a DuckDB warehouse file or bigquery://PROJECT/DATASET (default {DEFAULT_WAREHOUSE})")
    backfill.add_argument("--no-documents", action="store_true",
                          help="defer the documents; write them afterwards with `fcm-recon report --date D --end D2`")
    backfill.add_argument("--lenient", action="store_true", help="report trailer and footing mismatches")
    backfill.add_argument("--rules", type=Path, metavar="DIR", help="the folder of rule files")
    backfill.add_argument("--reports", type=Path, metavar="DIR", help="where the documents go, in DIR/<date>/")
    backfill.add_argument("--memory-limit", metavar="SIZE", help="cap DuckDB's memory (e.g. 2GB)")
    backfill.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    backfill.add_argument("--log-file", type=Path, metavar="FILE",
                          help="append the JSON-line logs to FILE instead of stderr")
    backfill.add_argument("--secured-holidays", action=argparse.BooleanOptionalAction,
                          help="also run the SECURED statement alone (as `run --classes SECURED`) on each weekday of "
                               "the range CME does not clear, right after the CME business day before it (default: "
                               "FCM_RECON_SECURED_ON_HOLIDAYS, as for the daily DAG; off when unset)")
    backfill.add_argument("--json", action="store_true", help="print the summary as JSON")
    _add_engine(backfill)
    _add_lock_timeout(backfill)
    backfill.set_defaults(handler=_cmd_backfill)


def _add_verify(commands: argparse._SubParsersAction) -> None:
    verify = commands.add_parser("verify", help="re-run a date from its recorded inputs and prove its outputs "
                                 "hash to the manifest, or check the manifest chain end to end")
    verify.add_argument("--date", type=_date, help="the date to re-run from its recorded inputs")
    verify.add_argument("--chain", action="store_true",
                        help="check every manifest, the chain's links and every published partition")
    verify.add_argument("--landing", type=_landing, help="the landing root the run read (with --date)")
    verify.add_argument("--warehouse", type=_warehouse, default=DEFAULT_WAREHOUSE,
                        help=f"a DuckDB warehouse file or bigquery://PROJECT/DATASET (default {DEFAULT_WAREHOUSE})")
    verify.add_argument("--rules", type=Path, metavar="DIR", help="the rules the run used (default: recon/rules)")
    verify.add_argument("--verbose", action="store_true", help="with --chain, print the checks that pass too")
    verify.add_argument("--json", action="store_true", help="print the checks as JSON")
    _add_lock_timeout(verify)
    verify.set_defaults(handler=_cmd_verify)


def _add_report(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="write the documents of published days (after a backfill with "
                                 "--no-documents)")
    report.add_argument("--date", type=_date, required=True, help="the (first) date, YYYY-MM-DD")
    report.add_argument("--end", type=_date, help="the last date of a range (default: --date)")
    report.add_argument("--warehouse", type=_warehouse, default=DEFAULT_WAREHOUSE,
                        help=f"a DuckDB warehouse file or bigquery://PROJECT/DATASET (default {DEFAULT_WAREHOUSE})")
    report.add_argument("--reports", type=Path, metavar="DIR",
                        help="where the documents go, in DIR/<date>/ (default: reports/ beside a DuckDB warehouse)")
    report.add_argument("--json", action="store_true", help="print the folders written as JSON")
    _add_lock_timeout(report)
    report.set_defaults(handler=_cmd_report)


# the commands that read or annotate a warehouse outside a run: they take its lock, waiting their turn behind a run
# (recon.locks); run, stage and backfill take it themselves
_IN_TURN = ("breaks", "statement", "verify", "report")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    from recon.locks import warehouse_lock
    from recon.observability import json_logs

    args = build_parser().parse_args(argv)
    try:
        with json_logs(getattr(args, "log_file", None)):
            if args.command not in _IN_TURN:
                return int(args.handler(args))
            with warehouse_lock(args.warehouse, f"{args.command} {args.date or ''}".rstrip(), args.lock_timeout):
                return int(args.handler(args))
    except FcmReconError as error:
        print(f"fcm-recon: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
