"""One business day end to end, from the command line: the stages of :mod:`recon.stages` in a row.

The run holds the warehouse's write lock (:mod:`recon.locks`) from land to the end, logs each stage as a JSON line
(:mod:`recon.observability`; the Airflow DAG's tasks log through :func:`run_stage` and :func:`log_run_summary`
too), and records its attempt in ``runs``: RUNNING at land, then COMPLETED (in the publish transaction) or FAILED
when a stage raises.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from recon.faults import pause_point
from recon.locks import LOCK_TIMEOUT_SECONDS_DEFAULT, warehouse_lock
from recon.observability import log_event, run_slis, stage_rows
from recon.rules import RULES_DIR
from recon.stages import STAGES, DayContext, fail, read_table
from recon.targets import Landing, WarehouseTarget, open_warehouse
from recon.trust import stale_days
from recon.warehouse import duckdb_limits


@dataclass(frozen=True)
class RunResult:
    """What a run did: the summary of each stage, by stage name; ``publish`` holds the exit code and run id."""

    stages: dict[str, dict]
    slis: dict = field(default_factory=dict)
    stale_after: list[date] = field(default_factory=list)  # later days this run left stale (recon.trust)

    @property
    def exit_code(self) -> int:
        return int(self.stages["publish"]["exit_code"])


def memory_limits(work_dir: Path, memory_limit: str | None) -> AbstractContextManager[None]:
    """The run's DuckDB connections held to ``memory_limit`` (None: DuckDB's default), spilling into the work
    folder."""
    return duckdb_limits(memory_limit, work_dir / "duckdb_spill")


def run_day(business_date: date, landing: Landing, warehouse: WarehouseTarget, *, strict: bool = True,
            memory_limit: str | None = None, rules_dir: Path = RULES_DIR, reports_dir: Path | None = None,
            documents: bool = True, lock_timeout_seconds: float = LOCK_TIMEOUT_SECONDS_DEFAULT,
            prepared: Path | None = None, find_stale: bool = True,
            classes: tuple[str, ...] | None = None) -> RunResult:
    """Run one business day from the landing area (a folder or gs://) into the warehouse (a DuckDB file or
    BigQuery), in a private work folder, with the rule files of ``rules_dir``, writing the day's documents under
    ``reports_dir`` (see DayContext) unless ``documents`` is False; every DuckDB connection of the run keeps to
    ``memory_limit``. Waits up to ``lock_timeout_seconds`` for the warehouse's lock (WarehouseLocked after).
    ``prepared``: a backfill's folder of the day parsed and validated ahead (see DayContext). ``find_stale``: list
    the later days the run left stale in ``stale_after`` (a backfill, which runs them next, finds them once at its
    end). ``classes``: None for a CME business day, ``("SECURED",)`` for a SECURED-only run of a weekday CME does
    not clear (:mod:`recon.run_scope`)."""
    with tempfile.TemporaryDirectory(prefix=f"fcm-recon-{business_date}-") as work:
        ctx = DayContext(business_date, landing, warehouse, Path(work), strict, rules_dir, reports_dir, documents,
                         prepared, classes)
        with warehouse_lock(warehouse, f"run {business_date}", lock_timeout_seconds), \
                memory_limits(ctx.work_dir, memory_limit):
            result = _run_stages(ctx)
            if not find_stale:
                return result
            with open_warehouse(warehouse) as target:
                return replace(result, stale_after=sorted(day for day in stale_days(target) if day > business_date))


def _run_stages(ctx: DayContext) -> RunResult:
    """The stages in a row, each logged; a stage that raises records the attempt FAILED."""
    summaries: dict[str, dict] = {}
    try:
        for stage in STAGES:
            pause_point(stage.__name__)
            summaries[stage.__name__] = run_stage(ctx, stage)
    except BaseException as error:
        fail(ctx, error)
        log_event("run_failed", level=logging.ERROR, run_id=summaries.get("land", {}).get("run_id"),
                  business_date=ctx.business_date.isoformat(),
                  stage=next(s.__name__ for s in STAGES if s.__name__ not in summaries), error=repr(error))
        raise
    return RunResult(summaries, log_run_summary(ctx))


def run_stage(ctx: DayContext, stage: Callable[[DayContext], dict]) -> dict:
    """Run one stage, log its ``stage_finished`` event (run id, date, stage, rows, seconds) and keep its summary and
    seconds in the work folder for :func:`log_run_summary`: the command line runs the stages in a row, the Airflow
    DAG each in a task of its own, and both log the same events."""
    name = stage.__name__
    started = time.monotonic()
    summary = stage(ctx)
    seconds = round(time.monotonic() - started, 3)
    folder = ctx.work_dir / "stage_summaries"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps({"summary": summary, "seconds": seconds}), encoding="utf-8")
    run_id = json.loads((ctx.work_dir / "landed.json").read_text(encoding="utf-8"))["attempt"]["run_id"]
    log_event("stage_finished", run_id=run_id, business_date=ctx.business_date.isoformat(), stage=name,
              rows=stage_rows(name, summary), seconds=seconds)
    return summary


def log_run_summary(ctx: DayContext) -> dict:
    """After the last stage: the run's SLIs (:func:`recon.observability.run_slis`) from the stages' summaries and
    seconds :func:`run_stage` kept, logged as the ``run_summary`` event and returned."""
    summaries, seconds = {}, {}
    for stage in STAGES:
        kept = json.loads((ctx.work_dir / "stage_summaries" / f"{stage.__name__}.json").read_text(encoding="utf-8"))
        summaries[stage.__name__], seconds[stage.__name__] = kept["summary"], kept["seconds"]
    marts = {name: read_table(ctx.work_dir / "marts" / f"{name}.arrow") for name in ("conservation", "recon_breaks")}
    slis = run_slis(ctx.business_date, summaries, seconds, marts, datetime.now(UTC))
    log_event("run_summary", stage=None, rows=slis["stage_rows"]["publish"], seconds=slis["run_seconds"], **slis)
    return slis
