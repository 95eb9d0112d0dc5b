"""The ``fcm-recon`` command line. Exit codes: 0 completed, 2 completed with an input rejected or missing, 1 error."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from typing import TYPE_CHECKING

from recon.errors import FcmReconError

if TYPE_CHECKING:
    from recon.pipeline import RunResult

DEFAULT_WAREHOUSE = Path("build/warehouse.duckdb")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, found {text!r}") from None


def _print_run(result: RunResult, as_json: bool) -> None:
    run = result.run
    manifest = json.loads(run["manifest"])
    summary = {
        "business_date": str(run["business_date"]),
        "run_id": run["run_id"],
        "exit_code": result.exit_code,
        "manifest_hash": run["manifest_hash"],
        "files": dict(Counter(i["status"] for i in manifest["inputs"])),
        "rows": result.counts,
        "problems": [p.describe() for p in result.file_problems],
    }
    if as_json:
        print(json.dumps(summary, indent=2, sort_keys=True))
        return
    print(f"business date {summary['business_date']}  run {summary['run_id']}  exit {result.exit_code}")
    print("files: " + ", ".join(f"{k} {v}" for k, v in sorted(summary["files"].items())))
    print("published: " + ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items())))
    for problem in summary["problems"]:
        print(f"REJECTED/MISSING: {problem}")


def _cmd_run(args: argparse.Namespace) -> int:
    from recon.pipeline import run_day

    result = run_day(args.date, args.landing, args.warehouse, strict=not args.lenient)
    _print_run(result, args.json)
    return result.exit_code


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
