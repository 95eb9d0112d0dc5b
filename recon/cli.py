"""The ``fcm-recon`` command line. Exit codes: 0 completed, 2 completed with an input rejected or missing, 1 error."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from typing import TYPE_CHECKING

from recon.errors import FcmReconError

if TYPE_CHECKING:
    from recon.pipeline import RunResult

DEFAULT_WAREHOUSE = Path("build/warehouse.duckdb")
EXIT_REJECTED = 2


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, found {text!r}") from None


def _print_run(result: RunResult, as_json: bool) -> None:
    published = result.stages["publish"]
    if as_json:
        print(json.dumps(result.stages, indent=2, sort_keys=True))
        return
    print(f"run {published['run_id']}  exit {published['exit_code']}  manifest {published['manifest_hash'][:16]}")
    print("published: " + ", ".join(f"{k} {v}" for k, v in sorted(published["rows"].items())))
    for problem in published["file_problems"]:
        print(f"REJECTED/MISSING: {problem}")


def _cmd_run(args: argparse.Namespace) -> int:
    from recon.pipeline import run_day

    result = run_day(args.date, args.landing, args.warehouse, strict=not args.lenient)
    _print_run(result, args.json)
    return result.exit_code


def _cmd_stage(args: argparse.Namespace) -> int:
    from recon.stages import STAGES, DayContext

    stage = {s.__name__: s for s in STAGES}[args.name]
    ctx = DayContext(args.date, args.landing, args.warehouse, args.work_dir, not args.lenient)
    print(json.dumps(stage(ctx), indent=2, sort_keys=True, default=str))
    return 0


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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(prog="fcm-recon", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run one business day from the landing area into the warehouse")
    run.add_argument("--date", type=_date, required=True, help="the CME business date, YYYY-MM-DD")
    run.add_argument("--landing", type=Path, required=True, help="the landing root (a local folder)")
    run.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE,
                     help=f"the DuckDB warehouse file (default {DEFAULT_WAREHOUSE})")
    run.add_argument("--lenient", action="store_true",
                     help="report trailer and footing mismatches instead of rejecting the file")
    run.add_argument("--json", action="store_true", help="print the run summary as JSON")
    run.set_defaults(handler=_cmd_run)

    stage = commands.add_parser("stage", help="run one stage of a day (as an Airflow task does) in a work folder")
    stage.add_argument("name", choices=["land", "parse", "validate", "match", "publish"], help="the stage")
    stage.add_argument("--date", type=_date, required=True, help="the CME business date, YYYY-MM-DD")
    stage.add_argument("--landing", type=Path, required=True, help="the landing root")
    stage.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE, help="the DuckDB warehouse file")
    stage.add_argument("--work-dir", type=Path, required=True, help="the day's work folder shared by the stages")
    stage.add_argument("--lenient", action="store_true", help="report trailer and footing mismatches")
    stage.set_defaults(handler=_cmd_stage)

    inspect = commands.add_parser("inspect", help="parse one file and show what it holds and what is wrong with it")
    inspect.add_argument("file", type=Path, help="a BAI2, camt, FIXML or ledger/reference CSV file")
    inspect.add_argument("--lenient", action="store_true", help="read in lenient mode first")
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
    demo.set_defaults(handler=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except FcmReconError as error:
        print(f"fcm-recon: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
