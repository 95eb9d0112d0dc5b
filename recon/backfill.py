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

Parsing and validating a day depend on nothing but its files, so from the first day that runs a worker process
(:func:`prepare_days`) parses and validates the days ahead, a few at a time (their Great Expectations suites run
together, :func:`recon.validate.run_suites_of_days`), while this process matches and publishes the day before; each
day's run then takes the worker's outputs over in its parse and validate stages when they were made from exactly the
files its land stage listed (else it does the work itself). Days still publish one by one, in order, under the
lock, each as ``fcm-recon run`` would publish it. The two processes split the cores (:data:`THREADS_EACH`), and this
one opens a DuckDB warehouse once for the whole range (:func:`recon.targets.held_warehouse`), closing it only
between two days to let in the processes that wait for it (:func:`_let_waiters_in`).

With ``secured_holidays`` (``fcm-recon backfill --secured-holidays``; its default is ``FCM_RECON_SECURED_ON_HOLIDAYS``,
:func:`recon.settings.secured_on_holidays`, as for the daily DAG) every weekday of the range CME does not clear (a US
holiday) is run too, as a SECURED-only run (:mod:`recon.run_scope`), in date order: right after the CME business
day before it, whose published breaks (and on a date Fedwire is closed, bank balances) it reads. Its fingerprint has
its scope and the manifest hash of that CME day's latest run, so it is skipped and re-run by the same rule; no later
day rests on it. The worker prepares CME days only: a SECURED-only day's run parses and validates its files itself.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import IO

from recon import calendar
from recon.errors import ConfigError, FcmReconError
from recon.landing import InputFile, remembered_digests
from recon.locks import LOCK_TIMEOUT_SECONDS_DEFAULT, give_way, others_waiting, warehouse_lock
from recon.observability import log_event, logger
from recon.pipeline import memory_limits, run_day
from recon.rules import RULES_DIR, load_rules
from recon.run_scope import SECURED_ONLY, scope_label
from recon.sqlmodels import load_models
from recon.trust import stale_days
from recon.stages import (EXIT_INPUT_PROBLEM, DayContext, day_fingerprint, day_inputs, landed_files, parse_files,
                          prepared_key, reports_folder, validate_folders)
from recon.targets import GcsLanding, Landing, WarehouseTarget, held_warehouse, open_warehouse, released_warehouse
from recon.warehouse import duckdb_threads

RAN, SKIPPED, FAILED, NOT_RUN = "RAN", "SKIPPED", "FAILED", "NOT_RUN"
DAYS_MAX = 10_000  # a backfill of more days than this is a typing mistake
# days the worker validates together, at most: the Great Expectations suites cost about five days' worth of work
# per batch whatever its size (measured: 2.5 s of CPU for one day, 0.74 s a day for six); the first day is alone (the
# backfill waits for it) and each batch after it twice as long as the one before, up to this
PREPARE_BATCH_DAYS = 10
PREPARE_AHEAD_DAYS = 2 * PREPARE_BATCH_DAYS  # days prepared and not yet taken, at most (bounds the disk they use)
# the threads of each of the two processes (this one's DuckDB, the worker's Polars): half the cores each, so that
# neither waits for a core the other holds (on two busy cores, one DuckDB thread built a day's models in no more
# wall time than two, for a tenth less CPU)
THREADS_EACH = max(1, len(os.sched_getaffinity(0)) // 2)


@dataclass(frozen=True)
class DayOutcome:
    """What the backfill did with one business day: action RAN, SKIPPED, FAILED or NOT_RUN (after a failure);
    reason says why it ran (what changed) or failed; exit_code and run_id of the run it ran, or of the latest
    completed run a skipped day keeps (2: an input was rejected or missing, product.md); classes the run's scope
    (None: the whole CME business day, ``("SECURED",)``: a SECURED-only run of a weekday CME does not clear)."""

    business_date: date
    action: str
    reason: str
    seconds: float
    exit_code: int | None = None
    run_id: str | None = None
    classes: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        """The date with the run's scope, as the progress and the summary show it (``2026-11-26 SECURED``)."""
        return scope_label(self.business_date, self.classes)


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

    def input_problem_days(self) -> list[date]:
        """The days whose run, made now or kept (skipped), exited 2: an input was rejected or missing, and what
        depends on it is published marked (statements NOT_FILEABLE)."""
        return [d.business_date for d in self.days if d.exit_code == EXIT_INPUT_PROBLEM]

    def exit_code(self) -> int:
        """1 when a day failed, else 2 when a day's run exited 2 (:meth:`input_problem_days`), else 0."""
        if self.counts()["failed"]:
            return 1
        return EXIT_INPUT_PROBLEM if self.input_problem_days() else 0


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


def backfill_days(start: date, end: date, secured_holidays: bool) -> list[tuple[date, tuple[str, ...] | None]]:
    """The runs of a backfill of ``start``..``end`` in date order, each a date and its scope: every CME business day
    (:func:`business_days_in`, scope None) and, with ``secured_holidays``, every weekday CME does not clear as a
    SECURED-only run (right after the CME business day before it)."""
    runs: list[tuple[date, tuple[str, ...] | None]] = [(day, None) for day in business_days_in(start, end)]
    if secured_holidays:
        weekdays = (start + timedelta(days=offset) for offset in range((end - start).days + 1))
        runs += [(day, SECURED_ONLY) for day in weekdays
                 if day.weekday() < 5 and not calendar.is_business_day(day)]
    return sorted(runs, key=lambda run: run[0])


def _local_inputs(root: Path, business_date: date,
                  classes: tuple[str, ...] | None = None) -> tuple[list[InputFile], list[InputFile]]:
    """The day's files and the previous days' clearing files under a local landing root, as the land stage lists
    them for a run of ``classes`` (:func:`recon.stages.day_inputs`)."""
    return day_inputs(root, business_date, classes)


def landed_inputs(landing: Landing, business_date: date, classes: tuple[str, ...] | None = None) -> list[InputFile]:
    """The files the land stage of ``business_date`` would read for a run of ``classes``, with their SHA-256 (a
    gs:// landing is copied into a temporary folder and verified first, as the land stage does)."""
    if not isinstance(landing, GcsLanding):
        return [file for files in _local_inputs(landing, business_date, classes) for file in files]
    from recon.gcs import download_day

    with tempfile.TemporaryDirectory(prefix=f"fcm-recon-inputs-{business_date}-") as folder:
        root = Path(folder)
        download_day(landing, business_date, calendar.unsettled_cycle_days(business_date), root)
        return [file for files in _local_inputs(root, business_date, classes) for file in files]


def recorded_fingerprint(manifest: dict) -> dict:
    """The fingerprint a completed run's manifest recorded (see :func:`recon.stages.day_fingerprint`)."""
    scope = {} if manifest.get("classes") is None else {"classes": manifest["classes"]}
    return {
        **scope,
        "business_date": manifest["business_date"],
        "code_version": manifest["code_version"],
        "strict": manifest["strict"],
        "inputs": sorted([i["rel_path"], i["sha256"]] for i in manifest["inputs"]),
        "rules_version": manifest["rules_version"],
        "decisions_version": manifest["decisions_version"],
        "previous_day_manifest_hash": manifest.get("previous_day_manifest_hash"),
    }


def why_run(ctx: DayContext) -> tuple[str | None, dict | None]:
    """Why the day must run (what changed since its latest completed run), or None when it can be skipped; and that
    run (its ``runs`` row), None when the day has none."""
    inputs = landed_inputs(ctx.landing, ctx.business_date, ctx.classes)
    with open_warehouse(ctx.warehouse) as target:
        runs = target.runs(ctx.business_date)
        if not runs:
            return "no completed run", None
        current = day_fingerprint(target, ctx, inputs)
    recorded = recorded_fingerprint(json.loads(runs[-1]["manifest"]))
    changed = [name for name in {**current, **recorded} if current.get(name) != recorded.get(name)]
    return ("changed: " + ", ".join(changed) if changed else None), runs[-1]


def stale_dates_after(warehouse: WarehouseTarget, end: date) -> list[date]:
    """The stale dates after ``end`` (:func:`stale_days`)."""
    with open_warehouse(warehouse) as target:
        return sorted(day for day in stale_days(target) if day > end)


@dataclass(frozen=True)
class BackfillOptions:
    """How to run the days: as ``fcm-recon run`` does (see :func:`recon.pipeline.run_day`); progress draws a bar
    on stderr; secured_holidays adds a SECURED-only run of each weekday CME does not clear (:func:`backfill_days`)."""

    strict: bool = True
    rules_dir: Path = RULES_DIR
    reports_dir: Path | None = None
    documents: bool = True
    memory_limit: str | None = None
    lock_timeout_seconds: float = LOCK_TIMEOUT_SECONDS_DEFAULT
    progress: bool = True
    secured_holidays: bool = False


def _batches(days: list[date]) -> list[list[date]]:
    """The days the worker validates together, in order: the first alone, then each batch twice as long as the one
    before, up to :data:`PREPARE_BATCH_DAYS` (so the backfill waits little for the first days)."""
    batches, start, size = [], 0, 1
    while start < len(days):
        batches.append(days[start:start + size])
        start, size = start + size, min(2 * size, PREPARE_BATCH_DAYS)
    return batches


def prepare_days(root: Path, landing: Path, days: list[date], strict: bool, credits: IO[str], ready: IO[str]) -> None:
    """The backfill's worker: parse and validate ``days`` (in order) from the local ``landing`` ahead of the
    backfill, into ``root/<date>/`` (the parse and validate stages' outputs, ``key.json`` saying what they were made
    from, ``summaries.json`` the stages' summaries), in the batches of :func:`_batches`, each batch's suites run
    together; each day is written to ``ready`` as a JSON line ``{"day", "seconds"}`` when its folder is complete.
    One line is read from ``credits`` before each day (the backfill gives one for each day it is done with); at its
    end (the backfill is gone) the worker stops. After a failure it writes ``{"day": null, "error"}``: the days it
    did not deliver are then parsed and validated by their own runs."""
    try:
        for batch in _batches(days):
            folders: dict[date, Path] = {}
            seconds: dict[date, dict[str, float]] = {}
            for day in batch:
                if not credits.readline():
                    return
                started = time.monotonic()
                folders[day] = root / f"{day}.partial"
                landed = landed_files(*_local_inputs(landing, day))
                summaries = {"parse": parse_files(folders[day], landed, day, strict)}
                (folders[day] / "key.json").write_text(json.dumps(prepared_key(landed, day, strict)), "utf-8")
                (folders[day] / "summaries.json").write_text(json.dumps(summaries), "utf-8")
                seconds[day] = {"parse": round(time.monotonic() - started, 3)}
            started = time.monotonic()
            for (day, folder), summary in zip(folders.items(), validate_folders(list(folders.values()))):
                summaries = dict(json.loads((folder / "summaries.json").read_text("utf-8")), validate=summary)
                (folder / "summaries.json").write_text(json.dumps(summaries), "utf-8")
                os.replace(folder, root / day.isoformat())
                seconds[day]["validate"] = round((time.monotonic() - started) / len(folders), 3)
                ready.write(json.dumps({"day": day.isoformat(), "seconds": seconds[day]}) + "\n")
                ready.flush()
    except Exception as error:  # noqa: BLE001 - the runs do the work themselves and raise it where it belongs
        ready.write(json.dumps({"day": None, "error": f"{type(error).__name__}: {error}"}) + "\n")
        ready.flush()


def serve_prepare() -> None:
    """The worker process's entry point (see :class:`_Prepared`): its task is the first line of stdin; credits
    follow on stdin; it reports on the file descriptor the task names."""
    task = json.loads(sys.stdin.readline())
    with os.fdopen(task["ready_fd"], "w", encoding="utf-8") as ready:
        prepare_days(Path(task["root"]), Path(task["landing"]), [date.fromisoformat(d) for d in task["days"]],
                     task["strict"], sys.stdin, ready)


class _Prepared:
    """The worker process of :func:`prepare_days` and the days it delivered. Started at the first day that runs,
    with the days from there to the end (once a day runs, every later one runs: its T-1 manifest changed); not for
    a gs:// landing (each run copies its own files) or a last day alone (the run would only wait for it). It is
    ``python -c`` on this interpreter, talking through pipes: when the backfill ends, even killed, the worker reads
    the end of its credits and stops. While the worker parses the first day, this process compiles the SQL models
    with the rules of ``rules_dir`` (once per process: every day's match stage reuses them)."""

    def __init__(self, landing: Landing, days: list[date], strict: bool, rules_dir: Path) -> None:
        self.landing, self.days, self.strict, self.rules_dir = landing, days, strict, rules_dir
        self.root: Path | None = None
        self.process: subprocess.Popen | None = None
        self.delivered: dict[str, dict] = {}
        self.stopped = isinstance(landing, GcsLanding)

    def __enter__(self) -> _Prepared:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None:
            with suppress(BrokenPipeError):  # the worker is done already
                self.process.stdin.close()
            self.reports.close()
            self.process.terminate()  # the worker this backfill started, by its own handle
            self.process.wait()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    def folder(self, day: date) -> Path | None:
        """The day's prepared folder, waiting for the worker to deliver it; None when there is none."""
        if self.process is None and not self.stopped:
            rest = self.days[self.days.index(day):]
            if len(rest) < 2:
                return None
            self._start(rest)
            with suppress(FcmReconError):  # the match stage reports a rule or model that does not load
                load_models(rules=load_rules(self.rules_dir))
        text = day.isoformat()
        while text not in self.delivered and not self.stopped:
            line = self.reports.readline()
            report = json.loads(line) if line else {"day": None, "error": f"the worker ended ({self.process.wait()})"}
            if report["day"] is None:
                log_event("backfill_worker_stopped", level=logging.WARNING, stage=None, error=report["error"])
                self.stopped = True
            else:
                log_event("day_prepared", business_date=report["day"], stage=None, seconds=report["seconds"])
                self.delivered[report["day"]] = report["seconds"]
        return self.root / text if text in self.delivered else None

    def done(self, day: date) -> None:
        """The backfill is done with the day: its folder goes, and the worker may prepare one more day."""
        if day.isoformat() in self.delivered:
            shutil.rmtree(self.root / day.isoformat(), ignore_errors=True)
            self._credit(1)

    def _credit(self, days: int) -> None:
        with suppress(BrokenPipeError):  # the worker has ended: what it delivered is still to be read
            self.process.stdin.write("\n" * days)
            self.process.stdin.flush()

    def _start(self, days: list[date]) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fcm-recon-backfill-"))
        read_end, write_end = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from recon.backfill import serve_prepare; serve_prepare()"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, pass_fds=(write_end,), text=True,
                env=dict(os.environ, POLARS_MAX_THREADS=str(THREADS_EACH)))
        finally:
            os.close(write_end)
        self.reports = os.fdopen(read_end, encoding="utf-8")
        task = {"root": str(self.root), "landing": str(self.landing), "days": [d.isoformat() for d in days],
                "strict": self.strict, "ready_fd": write_end}
        self.process.stdin.write(json.dumps(task) + "\n")
        self._credit(PREPARE_AHEAD_DAYS)


def _run_one(ctx: DayContext, options: BackfillOptions, prepared: _Prepared) -> DayOutcome:
    started = time.monotonic()
    reason, latest = why_run(ctx)
    if reason is None:
        return DayOutcome(ctx.business_date, SKIPPED, "unchanged", round(time.monotonic() - started, 3),
                          latest["exit_code"], latest["run_id"], ctx.classes)
    # the worker prepares whole CME days only: a SECURED-only run parses and validates its own files
    folder = None if ctx.secured_only else prepared.folder(ctx.business_date)
    try:
        result = run_day(ctx.business_date, ctx.landing, ctx.warehouse, strict=ctx.strict,
                         memory_limit=options.memory_limit, rules_dir=ctx.rules_dir, reports_dir=ctx.reports_dir,
                         documents=ctx.documents, lock_timeout_seconds=options.lock_timeout_seconds,
                         prepared=folder, find_stale=False, classes=ctx.classes)
    except FcmReconError as error:
        return DayOutcome(ctx.business_date, FAILED, f"{type(error).__name__}: {error}",
                          round(time.monotonic() - started, 3), classes=ctx.classes)
    return DayOutcome(ctx.business_date, RAN, reason, round(time.monotonic() - started, 3), result.exit_code,
                      result.stages["publish"]["run_id"], ctx.classes)


def _beside_the_bar() -> AbstractContextManager[None]:
    """Logs that go to the console are written through tqdm, so they do not break the progress bar."""
    from tqdm.contrib.logging import logging_redirect_tqdm

    console = any(type(handler) is logging.StreamHandler for handler in logger.handlers)
    return logging_redirect_tqdm(loggers=[logger]) if console else nullcontext()


def run_backfill(start: date, end: date, landing: Landing, warehouse: WarehouseTarget,
                 options: BackfillOptions = BackfillOptions()) -> BackfillResult:
    """Run the business days of ``start``..``end`` in order (with ``options.secured_holidays``, and a SECURED-only
    run of each weekday CME does not clear), skipping the unchanged ones (module docstring)."""
    from tqdm import tqdm

    began = time.monotonic()
    days = backfill_days(start, end, options.secured_holidays)
    outcomes: list[DayOutcome] = []
    # the warehouse stays open from the first day to the last, held to the run's memory limit as each day's own
    # DuckDB connections are
    with warehouse_lock(warehouse, f"backfill {start}..{end}", options.lock_timeout_seconds), \
            duckdb_threads(THREADS_EACH), \
            tempfile.TemporaryDirectory(prefix="fcm-recon-backfill-spill-") as spill, \
            memory_limits(Path(spill), options.memory_limit), \
            held_warehouse(warehouse), \
            remembered_digests(), \
            _Prepared(landing, [day for day, classes in days if classes is None], options.strict,
                      options.rules_dir) as prepared, \
            _beside_the_bar(), \
            tqdm(total=len(days), unit="day", desc="backfill", file=sys.stderr, disable=not options.progress) as bar:
        for day, classes in days:
            if outcomes and outcomes[-1].action in (FAILED, NOT_RUN):
                outcomes.append(DayOutcome(day, NOT_RUN, f"an earlier day failed ({outcomes[-1].label})", 0.0,
                                           classes=classes))
            else:
                ctx = DayContext(day, landing, warehouse, Path(), options.strict, options.rules_dir,
                                 options.reports_dir, options.documents, classes=classes)
                outcomes.append(_run_one(ctx, options, prepared))
                prepared.done(day)
            _let_waiters_in(warehouse, f"backfill {start}..{end}", options.lock_timeout_seconds)
            outcome = outcomes[-1]
            log_event("backfill_day", business_date=day.isoformat(), stage=None, classes=classes,
                      action=outcome.action, reason=outcome.reason, run_id=outcome.run_id,
                      exit_code=outcome.exit_code, seconds=outcome.seconds)
            bar.set_postfix_str(f"{outcome.label} {outcome.action}")
            bar.update()
    stale = stale_dates_after(warehouse, end) if any(o.action == RAN for o in outcomes) else []
    result = BackfillResult(outcomes, round(time.monotonic() - began, 3), stale)
    log_event("backfill_summary", start=start.isoformat(), end=end.isoformat(), seconds=result.seconds,
              stale_after=[d.isoformat() for d in stale], **result.counts())
    return result


def _let_waiters_in(warehouse: WarehouseTarget, purpose: str, timeout_seconds: float) -> None:
    """Between two days: when other processes wait for the warehouse (``fcm-recon breaks`` at 7 a.m.), close it and
    give way to them (:func:`recon.locks.give_way`), then carry on where the backfill was."""
    if others_waiting(warehouse):
        with released_warehouse(warehouse):
            give_way(warehouse, purpose, timeout_seconds)


def render_documents(warehouse: WarehouseTarget, start: date, end: date, reports_dir: Path | None) -> list[Path]:
    """Write the documents of every date of ``start``..``end`` that has a completed run (a backfill with documents
    deferred, and the SECURED-only runs of dates CME does not clear); returns the folders written."""
    from recon.reports import write_day_reports

    with open_warehouse(warehouse) as target:
        published = {run["business_date"] for run in target.runs()}
    folders = []
    if end < start:
        raise ConfigError(f"--end {end} is before --start {start}")
    for day in sorted(day for day in published if start <= day <= end):
        folder = reports_folder(warehouse, reports_dir, day)
        write_day_reports(warehouse, day, folder)
        folders.append(folder)
    return folders
