"""Backfill: run every CME business day of a range in order, resumable.

Day T reads T-1's published breaks, so the days run in calendar order under one hold of the warehouse's lock. A day
is skipped only when its latest completed run recorded the fingerprint the day has now
(:func:`recon.stages.day_fingerprint`): the SHA-256 of every file the land stage would read (found with the landing's
own discovery, without running the day), the rules and decisions versions, the run mode, and the manifest hash of
T-1's latest completed run. Re-running a day gives it a new manifest hash, so T+1's recorded T-1 hash no longer
matches and T+1 runs too: a re-run makes later days stale and the backfill re-runs them. The first day that fails
stops the backfill (the days after it depend on it). Days after the range that a re-run made stale are listed.

With ``documents=False`` the days' documents are deferred; :func:`render_documents` (``fcm-recon report``) writes
them afterwards from the warehouse.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from recon import calendar
from recon.errors import ConfigError, FcmReconError
from recon.landing import InputFile, date_folder_files, discover
from recon.locks import LOCK_TIMEOUT_SECONDS_DEFAULT, warehouse_lock
from recon.observability import log_event, logger
from recon.pipeline import run_day
from recon.rules import RULES_DIR
from recon.stages import DayContext, day_fingerprint, reports_folder
from recon.targets import GcsLanding, Landing, WarehouseTarget, open_warehouse

RAN, SKIPPED, FAILED, NOT_RUN = "RAN", "SKIPPED", "FAILED", "NOT_RUN"
DAYS_MAX = 10_000  # a backfill of more days than this is a typing mistake


@dataclass(frozen=True)
class DayOutcome:
    """What the backfill did with one business day: action RAN, SKIPPED, FAILED or NOT_RUN (after a failure);
    reason says why it ran (what changed) or failed; exit_code and run_id of the run, if one ran."""

    business_date: date
    action: str
    reason: str
    seconds: float
    exit_code: int | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class BackfillResult:
    """Every day's outcome in order, the wall seconds of the whole backfill, and the dates after the range whose
    runs are now stale (their T-1 was re-run after them)."""

    days: list[DayOutcome]
    seconds: float
    stale_after: list[date]

    def counts(self) -> dict[str, int]:
        """How many days ran, were skipped, failed and were not run."""
        return {action.lower(): sum(d.action == action for d in self.days) for action in (RAN, SKIPPED, FAILED, NOT_RUN)}


def business_days_in(start: date, end: date) -> list[date]:
    """The CME business days from ``start`` to ``end``, both included, in order."""
    if end < start:
        raise ConfigError(f"--end {end} is before --start {start}")
    days = []
    day = start if calendar.is_business_day(start) else calendar.next_business_day(start)
    while day <= end:
        if len(days) == DAYS_MAX:
            raise ConfigError(f"{start}..{end} holds more than {DAYS_MAX} business days")
        days.append(day)
        day = calendar.next_business_day(day)
    return days


def landed_inputs(landing: Landing, business_date: date) -> list[InputFile]:
    """The files the land stage of ``business_date`` would read, with their SHA-256 (a gs:// landing is copied
    into a temporary folder and verified first, as the land stage does)."""
    previous = calendar.previous_business_day(business_date)
    if not isinstance(landing, GcsLanding):
        return discover(landing, business_date) + date_folder_files(landing, previous, "clearing")
    from recon.gcs import download_day

    with tempfile.TemporaryDirectory(prefix=f"fcm-recon-inputs-{business_date}-") as folder:
        root = Path(folder)
        download_day(landing, business_date, previous, root)
        return discover(root, business_date) + date_folder_files(root, previous, "clearing")


def recorded_fingerprint(manifest: dict) -> dict:
    """The fingerprint a completed run's manifest recorded (see :func:`recon.stages.day_fingerprint`)."""
    return {
        "business_date": manifest["business_date"],
        "code_version": manifest["code_version"],
        "strict": manifest["strict"],
        "inputs": sorted([i["rel_path"], i["sha256"]] for i in manifest["inputs"]),
        "rules_version": manifest["rules_version"],
        "decisions_version": manifest["decisions_version"],
        "previous_day_manifest_hash": manifest.get("previous_day_manifest_hash"),
    }


def why_run(ctx: DayContext) -> str | None:
    """Why the day must run (what changed since its latest completed run), or None when it can be skipped."""
    inputs = landed_inputs(ctx.landing, ctx.business_date)
    with open_warehouse(ctx.warehouse) as target:
        runs = target.runs(ctx.business_date)
        if not runs:
            return "no completed run"
        current = day_fingerprint(target, ctx, inputs)
    recorded = recorded_fingerprint(json.loads(runs[-1]["manifest"]))
    changed = [name for name in current if current[name] != recorded[name]]
    return "changed: " + ", ".join(changed) if changed else None


def stale_dates_after(warehouse: WarehouseTarget, end: date) -> list[date]:
    """Dates after ``end`` with a completed run whose T-1 was re-run after it, and every later date with a run."""
    with open_warehouse(warehouse) as target:
        latest: dict[date, str] = {}
        recorded: dict[date, str | None] = {}
        for run in target.runs():
            latest[run["business_date"]] = run["manifest_hash"]
            recorded[run["business_date"]] = json.loads(run["manifest"]).get("previous_day_manifest_hash")
    later = sorted(day for day in latest if day > end)
    for index, day in enumerate(later):
        if recorded[day] != latest.get(calendar.previous_business_day(day)):
            return later[index:]
    return []


@dataclass(frozen=True)
class BackfillOptions:
    """How to run the days: as ``fcm-recon run`` does (see :func:`recon.pipeline.run_day`); progress draws a bar
    on stderr."""

    strict: bool = True
    rules_dir: Path = RULES_DIR
    reports_dir: Path | None = None
    documents: bool = True
    memory_limit: str | None = None
    lock_timeout_seconds: float = LOCK_TIMEOUT_SECONDS_DEFAULT
    progress: bool = True


def _run_one(ctx: DayContext, options: BackfillOptions) -> DayOutcome:
    started = time.monotonic()
    reason = why_run(ctx)
    if reason is None:
        return DayOutcome(ctx.business_date, SKIPPED, "unchanged", round(time.monotonic() - started, 3))
    try:
        result = run_day(ctx.business_date, ctx.landing, ctx.warehouse, strict=ctx.strict,
                         memory_limit=options.memory_limit, rules_dir=ctx.rules_dir, reports_dir=ctx.reports_dir,
                         documents=ctx.documents, lock_timeout_seconds=options.lock_timeout_seconds)
    except FcmReconError as error:
        return DayOutcome(ctx.business_date, FAILED, f"{type(error).__name__}: {error}",
                          round(time.monotonic() - started, 3))
    return DayOutcome(ctx.business_date, RAN, reason, round(time.monotonic() - started, 3), result.exit_code,
                      result.stages["publish"]["run_id"])


def _beside_the_bar() -> AbstractContextManager[None]:
    """Logs that go to the console are written through tqdm, so they do not break the progress bar."""
    from tqdm.contrib.logging import logging_redirect_tqdm

    console = any(type(handler) is logging.StreamHandler for handler in logger.handlers)
    return logging_redirect_tqdm(loggers=[logger]) if console else nullcontext()


def run_backfill(start: date, end: date, landing: Landing, warehouse: WarehouseTarget,
                 options: BackfillOptions = BackfillOptions()) -> BackfillResult:
    """Run the business days of ``start``..``end`` in order, skipping the unchanged ones (module docstring)."""
    from tqdm import tqdm

    began = time.monotonic()
    days = business_days_in(start, end)
    outcomes: list[DayOutcome] = []
    with warehouse_lock(warehouse, f"backfill {start}..{end}", options.lock_timeout_seconds), \
            _beside_the_bar(), \
            tqdm(total=len(days), unit="day", desc="backfill", file=sys.stderr, disable=not options.progress) as bar:
        for day in days:
            if outcomes and outcomes[-1].action in (FAILED, NOT_RUN):
                outcomes.append(DayOutcome(day, NOT_RUN, f"an earlier day failed ({outcomes[-1].business_date})", 0.0))
            else:
                ctx = DayContext(day, landing, warehouse, Path(), options.strict, options.rules_dir,
                                 options.reports_dir, options.documents)
                outcomes.append(_run_one(ctx, options))
            outcome = outcomes[-1]
            log_event("backfill_day", business_date=day.isoformat(), stage=None, action=outcome.action,
                      reason=outcome.reason, run_id=outcome.run_id, exit_code=outcome.exit_code,
                      seconds=outcome.seconds)
            bar.set_postfix_str(f"{day} {outcome.action}")
            bar.update()
    stale = stale_dates_after(warehouse, end) if any(o.action == RAN for o in outcomes) else []
    result = BackfillResult(outcomes, round(time.monotonic() - began, 3), stale)
    log_event("backfill_summary", start=start.isoformat(), end=end.isoformat(), seconds=result.seconds,
              stale_after=[d.isoformat() for d in stale], **result.counts())
    return result


def render_documents(warehouse: WarehouseTarget, start: date, end: date, reports_dir: Path | None) -> list[Path]:
    """Write the documents of every business day of ``start``..``end`` that has a completed run (a backfill
    with documents deferred); returns the folders written."""
    from recon.reports import write_day_reports

    with open_warehouse(warehouse) as target:
        published = {run["business_date"] for run in target.runs()}
    folders = []
    for day in business_days_in(start, end):
        if day in published:
            folder = reports_folder(warehouse, reports_dir, day)
            write_day_reports(warehouse, day, folder)
            folders.append(folder)
    return folders
