"""fcm_recon_daily: one CME business day, files_arrived -> land -> parse -> validate -> match -> publish -> report.

Schedule: one run after each CME clearing business day (``CmeBusinessDayTimetable``, dags/plugins/cme_business_days.py):
weekends and CME holidays have no run. With ``FCM_RECON_SECURED_ON_HOLIDAYS=true`` a weekday CME does not clear (a US
holiday) has a run too, which computes the SECURED statement alone (``fcm-recon run --classes SECURED``: 30.7
statements are due when foreign markets are open on a US holiday); a run of any such date, scheduled or manual, is
SECURED-only, and its sensor waits for what that statement needs. The business date is the ``business_date`` param
when given (a manual run must give it), else the day of the run's data interval (scheduled runs and ``airflow
backfill create``); it is never read from the wall clock.

``files_arrived`` waits for the day's required files (:mod:`recon.arrivals`), checking every ``POKE_MINUTES`` minutes
and freeing its worker slot in between. Its timeout is the deadline ``files_deadline`` (US Eastern time on the next
CME business day): then it fails, without retry, naming each missing file, and its failure callback logs that list
as an error. ``land`` runs once the sensor is done either way, so after the deadline the day is still published with
what arrived: the missing files are recorded, the run exits 2 and the statements say NOT_FILEABLE (spec/inputs.md,
"What bad input gets").

Each stage task is a thin call into :mod:`recon.stages`; all logic lives in the library (the command line runs the
same stages in a row with no Airflow). Stages hand over through files in the run's work folder, never through XCom:
XCom carries only each stage's small JSON summary. The work folder must therefore be one every worker can reach (a
shared disk); it is ``<work_dir>/<business_date>/<dag run id>``, so a retry or a cleared task reuses its run's files
and a new run of the same date starts clean. One run at a time: a day carries the previous day's open breaks.

Parse time: this file imports only the Airflow SDK, the standard library, the timetable plugin and
:mod:`recon.settings` (standard library only), and reads only environment variables (the parameters' defaults);
the rest of ``recon`` is imported inside the tasks.

Outcome: exit code 0 (clean) and 2 (an input was rejected or is missing: published, marked and listed) are both a
completed run. Anything else raises: operating errors (landing area unreadable, warehouse locked) are retried; a
broken invariant or a bad configuration fails at once, as a retry would only repeat it. When a stage task fails for
good (no retry left), its failure callback records the day's attempt FAILED in ``runs``, naming the error, as the
command line does: ``fcm-recon verify`` and the runs table then show the failure at once, not an attempt RUNNING until
the date's next run. A new attempt starts at land: clear the DAG run (or trigger the date again), not a single task.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk import Param, TriggerRule, chain, dag, get_current_context, task

# importing Airflow has put the plugins folder on sys.path: the timetable is a plugin so the scheduler can load it
from cme_business_days import CmeBusinessDayTimetable, business_date_of  # isort: skip

# the one library module read at parse time: it imports only the standard library (shared with fcm-recon backfill)
from recon.settings import secured_on_holidays  # isort: skip

if TYPE_CHECKING:
    from recon.stages import DayContext

log = logging.getLogger(__name__)

DAG_ID = "fcm_recon_daily"
EXIT_OK, EXIT_INPUT_PROBLEM = 0, 2
POKE_MINUTES = int(os.environ.get("FCM_RECON_POKE_MINUTES", "5"))
MANUAL_RUN = "manual"
SECURED_ON_HOLIDAYS = secured_on_holidays()
PARAMS = {
    "business_date": Param(
        None, type=["null", "string"], format="date", pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        description="CME clearing business date to run, YYYY-MM-DD (required for a manual run; a scheduled or "
                    "backfill run takes its data interval's day)"),
    "landing": Param(
        os.environ.get("FCM_RECON_LANDING", "/srv/fcm-recon/landing"), type="string",
        description="landing root holding reference/ and <YYYY-MM-DD>/ folders (env FCM_RECON_LANDING)"),
    "warehouse": Param(
        os.environ.get("FCM_RECON_WAREHOUSE", "/srv/fcm-recon/warehouse.duckdb"), type="string",
        description="warehouse target: a DuckDB file path or bigquery://PROJECT/DATASET (env FCM_RECON_WAREHOUSE)"),
    "engine": Param(
        os.environ.get("FCM_RECON_ENGINE", "duckdb"), type="string", enum=["duckdb", "bigquery"],
        description="where the match stage runs the SQL models: duckdb (in the worker) or bigquery (inside the "
                    "BigQuery warehouse's project, for days one worker cannot hold) (env FCM_RECON_ENGINE)"),
    "reports": Param(
        os.environ.get("FCM_RECON_REPORTS", "/srv/fcm-recon/reports"), type="string",
        description="root of the documents for people, one folder per date (env FCM_RECON_REPORTS)"),
    "work_dir": Param(
        os.environ.get("FCM_RECON_WORK_DIR", "/srv/fcm-recon/work"), type="string",
        description="root of the stages' work folders, shared by every worker (env FCM_RECON_WORK_DIR)"),
    "strict": Param(
        True, type="boolean",
        description="reject a file whose trailer or footing disagrees (false: report it and load the file)"),
    "files_deadline": Param(
        os.environ.get("FCM_RECON_FILES_DEADLINE", "09:00"), type="string", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="stop waiting for the day's files at this US Eastern time (HH:MM) on the next CME business day, "
                    "three hours before the noon statement deadline by default (env FCM_RECON_FILES_DEADLINE)"),
}


def run_business_date(params: Mapping[str, Any], run_type: str, data_interval_start: datetime | None) -> date:
    """The run's business date: the ``business_date`` param, else the day of a scheduled or backfill run's data
    interval. A manual run without the param fails: its data interval would come from the time it was triggered."""
    from airflow.sdk.exceptions import AirflowFailException

    if params.get("business_date"):
        return date.fromisoformat(params["business_date"])
    if run_type == MANUAL_RUN or data_interval_start is None:
        raise AirflowFailException(
            "a manual run needs its business date: trigger with -c '{\"business_date\": \"YYYY-MM-DD\"}'")
    return business_date_of(data_interval_start)


def _context_business_date(context: Mapping[str, Any]) -> date:
    return run_business_date(context["params"], context["dag_run"].run_type, context["data_interval_start"])


def day_context(params: Mapping[str, Any], run_id: str, business_date: date) -> DayContext:
    """The stages' DayContext from the run's params; the work folder is per business date and DAG run. A date CME
    does not clear is a SECURED-only run (a weekend is refused by the DayContext)."""
    from recon.calendar import is_business_day
    from recon.run_scope import SECURED_ONLY
    from recon.stages import DayContext
    from recon.targets import parse_landing, parse_warehouse

    run_folder = re.sub(r"[^A-Za-z0-9._-]", "_", run_id)
    return DayContext(
        business_date=business_date,
        landing=parse_landing(params["landing"]),
        warehouse=parse_warehouse(params["warehouse"]),
        work_dir=Path(params["work_dir"]) / business_date.isoformat() / run_folder,
        strict=bool(params["strict"]),
        reports_dir=Path(params["reports"]),
        classes=None if is_business_day(business_date) else SECURED_ONLY,
    )


def missing_files(params: Mapping[str, Any], business_date: date) -> list[str]:
    """The day's required files not yet in the landing root (a local folder, or gs:// listed by object name),
    named relative to it."""
    from recon.arrivals import missing_inputs
    from recon.targets import parse_landing

    return missing_inputs(parse_landing(params["landing"]), business_date)


def files_complete(params: Mapping[str, Any], business_date: date, now: datetime) -> bool:
    """True when every required file is there, False to look again later; at the deadline, AirflowSensorTimeout
    naming each missing file."""
    from airflow.sdk.exceptions import AirflowSensorTimeout

    from recon.arrivals import describe_missing, files_deadline

    missing = missing_files(params, business_date)
    if not missing:
        return True
    deadline = files_deadline(business_date, time.fromisoformat(params["files_deadline"]))
    message = describe_missing(business_date, params["landing"], missing)
    if now >= deadline:
        raise AirflowSensorTimeout(f"deadline {deadline.isoformat()} passed: {message}")
    log.info("waiting until %s for %s", deadline.isoformat(), message)
    return False


def report_missing_files(context: Mapping[str, Any]) -> None:
    """files_arrived's failure callback: an error naming each required file still missing, or why none were checked."""
    from recon.arrivals import describe_missing

    business_date = _context_business_date(context)
    missing = missing_files(context["params"], business_date)
    if missing:
        log.error("FILES MISSING for %s: %s", business_date,
                  describe_missing(business_date, context["params"]["landing"], missing))
    else:
        log.error("files_arrived failed for %s with every required file present: %s", business_date,
                  context.get("exception"))


def record_attempt_failed(context: Mapping[str, Any]) -> None:
    """A stage task's failure callback, called once no retry is left: the day's attempt is recorded FAILED with the
    error (nothing is recorded when the attempt never began, or had already published)."""
    from airflow.sdk.exceptions import AirflowFailException

    from recon.stages import fail

    try:
        business_date = _context_business_date(context)
    except AirflowFailException:  # a manual run without its date: no attempt began
        return
    error = context.get("exception") or RuntimeError("the task failed")
    fail(day_context(context["params"], context["run_id"], business_date), error)


def run_stage(name: str) -> dict:
    """Run one stage of recon.stages for the current DAG run; its summary goes to XCom."""
    from airflow.sdk.exceptions import AirflowFailException

    from recon import pipeline, stages
    from recon.engines import engine_choice
    from recon.errors import ConfigError, InvariantViolation, PreviousDayMissing, StaleRun
    from recon.observability import json_logs

    context = get_current_context()
    params = context["params"]
    ctx = day_context(params, context["run_id"], _context_business_date(context))
    log.info("%s: business date %s, landing %s, warehouse %s, engine %s, work folder %s",
             name, ctx.business_date, ctx.landing, ctx.warehouse, params["engine"], ctx.work_dir)
    try:
        # the library's JSON events (stage_finished; after report, run_summary) go to the task's log as on the
        # command line
        with json_logs(None), engine_choice(params["engine"], ctx.warehouse):
            summary = pipeline.run_stage(ctx, getattr(stages, name))
            if name == "report":
                pipeline.log_run_summary(ctx)
            return summary
    # deterministic, or another run published the date meanwhile: a retry would fail the same way
    except (InvariantViolation, ConfigError, StaleRun, PreviousDayMissing) as error:
        raise AirflowFailException(f"{name}: {type(error).__name__}: {error}") from error


def completed(summary: dict) -> dict:
    """A published run's summary: exit 0 and 2 are completed runs (2 logged with what was rejected or missing)."""
    exit_code = summary.get("exit_code")
    if exit_code == EXIT_INPUT_PROBLEM:
        log.warning("run %s completed with rejected or missing input (exit 2); published and marked:",
                    summary.get("run_id"))
        for problem in summary.get("file_problems", []):
            log.warning("REJECTED/MISSING: %s", problem)
        for statement in summary.get("unfileable_statements", []):
            log.warning("%s", statement)
    elif exit_code != EXIT_OK:
        raise ValueError(f"publish returned exit code {exit_code!r}; expected {EXIT_OK} or {EXIT_INPUT_PROBLEM}")
    return summary


@task.sensor(poke_interval=timedelta(minutes=POKE_MINUTES), mode="reschedule",
             on_failure_callback=report_missing_files)
def files_arrived() -> bool:
    """Wait for the day's required files until the deadline; then fail naming each one still missing."""
    from airflow.sdk.exceptions import AirflowFailException

    from recon.errors import ConfigError

    context = get_current_context()
    try:
        return files_complete(context["params"], _context_business_date(context), datetime.now(timezone.utc))
    except ConfigError as error:  # not a landing root at all: poking again would fail the same way
        raise AirflowFailException(f"files_arrived: ConfigError: {error}") from error


# after the deadline, the day is published with what arrived, marked
@task(trigger_rule=TriggerRule.ALL_DONE, on_failure_callback=record_attempt_failed)
def land() -> dict:
    """Hash and record the day's files (and the previous business day's clearing files)."""
    return run_stage("land")


@task(on_failure_callback=record_attempt_failed)
def parse() -> dict:
    """Read every landed file by its contract into canonical tables."""
    return run_stage("parse")


@task(on_failure_callback=record_attempt_failed)
def validate() -> dict:
    """Great Expectations suites: quarantine failing rows, reject failing files."""
    return run_stage("validate")


@task(on_failure_callback=record_attempt_failed)
def match() -> dict:
    """Every reconciliation in SQL on DuckDB; conservation checked before anything is published."""
    return run_stage("match")


@task(on_failure_callback=record_attempt_failed)
def publish() -> dict:
    """Replace the day's partitions and append the run to the manifest chain, in one transaction."""
    return completed(run_stage("publish"))


@task(on_failure_callback=record_attempt_failed)
def report() -> dict:
    """The break report and the statements for people, and the day's segregation alerts in the log."""
    summary = run_stage("report")
    for alert in summary["alerts"]:
        log.warning("ALERT %s %s %s: %s", alert["severity"], alert["seg_class"], alert["code"], alert["message"])
    return summary


@dag(
    dag_id=DAG_ID,
    schedule=CmeBusinessDayTimetable(secured_holidays=SECURED_ON_HOLIDAYS),
    start_date=datetime(2026, 1, 2, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    params=PARAMS,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    tags=["fcm-recon"],
    doc_md=__doc__,
)
def fcm_recon_daily() -> None:
    chain(files_arrived(), land(), parse(), validate(), match(), publish(), report())


fcm_recon_daily()
