"""Generated business days as the property tests use them, and the match layer run on them.

The match layer is :func:`recon.stages.compute` (the SQL models over the canonical ``src_*`` tables), called directly
so a property example costs one DuckDB run, not a whole pipeline. Its inputs are captured from real runs of the
generated days (:func:`run_days`): the validated tables, the warehouse's previous breaks and whatever else the match
stage hands it, so the properties start from exactly what production gives the models. ``compute`` returns the
marts; the properties also read ``int_record_fates`` (every input row's fate), which :func:`match_layer` adds to the
tables it asks for.
"""

from __future__ import annotations

import inspect
import json
from datetime import date
from pathlib import Path
from unittest import mock

import pyarrow as pa
from hypothesis import settings

from recon import stages
from recon.generate import GenerateOptions, generate
from recon.pipeline import run_day

# Small on purpose: the SQL models cost the same per run at this size as at ten times it, and every planted break
# type, decoy, cancel/replace and pending cycle of the generator is still there.
OPTIONS = GenerateOptions(start=date(2026, 11, 20), days=2, accounts=10, trades_per_day=12, seed=5)
FATE_TABLE = "int_record_fates"


def examples(share: float) -> int:
    """This test's number of examples: ``share`` of the active Hypothesis profile's, at least one.

    A property whose example runs the SQL models (a second or two) or a whole pipeline (tens of seconds) takes a
    fraction of what a pure-Python property takes; HYPOTHESIS_PROFILE (tests/conftest.py) scales them all.
    """
    return max(1, round(settings.default.max_examples * share))


def generate_days(root: Path) -> tuple[Path, list[date]]:
    """Write the generated landing area under ``root``; returns it and its business days in order."""
    landing = root / "landing"
    generate(landing, OPTIONS)
    key = json.loads((landing / "answer_key.json").read_text(encoding="utf-8"))
    days = sorted({date.fromisoformat(b["business_date"]) for b in key["breaks"]})
    return landing, days


class Day:
    """One business day's inputs to the match layer: the arguments the match stage gave ``compute`` (every
    ``src_*`` table in ``sources``), and the edits that made them (shown when a property fails, not the tables)."""

    def __init__(self, arguments: dict[str, object], edits: tuple[str, ...] = ()) -> None:
        self.arguments = arguments
        self.edits = edits

    @property
    def business_date(self) -> date:
        return self.arguments["business_date"]

    @property
    def sources(self) -> dict[str, pa.Table]:
        return self.arguments["sources"]

    def with_sources(self, sources: dict[str, pa.Table], *edits: str) -> Day:
        return Day(dict(self.arguments, sources=sources), (*self.edits, *edits))

    def __repr__(self) -> str:
        rows = sum(table.num_rows for table in self.sources.values())
        edits = "".join(f"\n    {edit}" for edit in self.edits)
        return f"Day({self.business_date}, {len(self.sources)} tables, {rows} rows, edits:{edits or ' none'})"


def run_days(landing: Path, days: list[date], warehouse: Path) -> dict[date, Day]:
    """Run the days in order into ``warehouse`` (each must exit 0); returns what each day's match stage gave
    ``compute``."""
    real = stages.compute
    captured = {}

    def capture(*args: object, **kwargs: object) -> dict[str, pa.Table]:
        arguments = dict(inspect.signature(real).bind(*args, **kwargs).arguments)
        arguments.pop("engine", None)  # the run's engine is closed once its match stage is done
        captured[arguments["business_date"]] = Day(dict(arguments, sources=dict(arguments["sources"])))
        return real(*args, **kwargs)

    with mock.patch.object(stages, "compute", capture):
        for day in days:
            exit_code = run_day(day, landing, warehouse).exit_code
            if exit_code != 0:
                raise AssertionError(f"generated day {day} ran with exit code {exit_code}, expected 0")
    return captured


def match_layer(day: Day) -> dict[str, pa.Table]:
    """``recon.stages.compute`` on the day: its marts plus ``int_record_fates``."""
    return stages.compute(**day.arguments, tables=(*stages.MART_TABLES, FATE_TABLE))
