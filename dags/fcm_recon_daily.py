"""fcm_recon_daily: one CME business day through land -> parse -> validate -> match -> publish.

Each task is a thin call into :mod:`recon.stages`; all logic lives in the library (the command line runs the same
stages in a row with no Airflow). Stages hand over through files in the run's work folder, never through XCom: XCom
carries only each stage's small JSON summary. The work folder must therefore be one every worker can reach (a shared
disk); it is ``<work_dir>/<business_date>/<dag run id>``, so a retry or a cleared task reuses its run's files and a new
run of the same date starts clean.

Parse time: this file imports only the Airflow SDK and the standard library and reads only environment variables
(the parameters' defaults); ``recon`` is imported inside the tasks.

Outcome: exit code 0 (clean) and 2 (an input was rejected or is missing: published, marked and listed) are both a
completed run. Anything else raises: operating errors (landing area unreadable, warehouse locked) are retried; a
broken invariant or a bad configuration fails at once, as a retry would only repeat it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk import Param, chain, dag, get_current_context, task

if TYPE_CHECKING:
    from recon.stages import DayContext

log = logging.getLogger(__name__)

DAG_ID = "fcm_recon_daily"
EXIT_OK, EXIT_INPUT_PROBLEM = 0, 2
PARAMS = {
    "business_date": Param(
        type="string", format="date", pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        description="CME clearing business date to run, YYYY-MM-DD (required)"),
    "landing": Param(
        os.environ.get("FCM_RECON_LANDING", "/srv/fcm-recon/landing"), type="string",
        description="landing root holding reference/ and <YYYY-MM-DD>/ folders (env FCM_RECON_LANDING)"),
    "warehouse": Param(
        os.environ.get("FCM_RECON_WAREHOUSE", "/srv/fcm-recon/warehouse.duckdb"), type="string",
        description="warehouse target: a DuckDB file path (env FCM_RECON_WAREHOUSE)"),
    "work_dir": Param(
        os.environ.get("FCM_RECON_WORK_DIR", "/srv/fcm-recon/work"), type="string",
        description="root of the stages' work folders, shared by every worker (env FCM_RECON_WORK_DIR)"),
    "strict": Param(
        True, type="boolean",
        description="reject a file whose trailer or footing disagrees (false: report it and load the file)"),
}


def day_context(params: Mapping[str, Any], run_id: str) -> DayContext:
    """The stages' DayContext from the run's params; the work folder is per business date and DAG run."""
    from recon.stages import DayContext

    business_date = date.fromisoformat(params["business_date"])
    run_folder = re.sub(r"[^A-Za-z0-9._-]", "_", run_id)
    return DayContext(
        business_date=business_date,
        landing=Path(params["landing"]),
        warehouse=Path(params["warehouse"]),
        work_dir=Path(params["work_dir"]) / business_date.isoformat() / run_folder,
        strict=bool(params["strict"]),
    )


def run_stage(name: str) -> dict:
    """Run one stage of recon.stages for the current DAG run; its summary goes to XCom."""
    from airflow.sdk.exceptions import AirflowFailException

    from recon import stages
    from recon.errors import ConfigError, InvariantViolation

    context = get_current_context()
    ctx = day_context(context["params"], context["run_id"])
    log.info("%s: business date %s, landing %s, warehouse %s, work folder %s",
             name, ctx.business_date, ctx.landing, ctx.warehouse, ctx.work_dir)
    try:
        return getattr(stages, name)(ctx)
    except (InvariantViolation, ConfigError) as error:  # deterministic: a retry would fail the same way
        raise AirflowFailException(f"{name}: {type(error).__name__}: {error}") from error


def completed(summary: dict) -> dict:
    """A published run's summary: exit 0 and 2 are completed runs (2 logged with what was rejected or missing)."""
    exit_code = summary.get("exit_code")
    if exit_code == EXIT_INPUT_PROBLEM:
        log.warning("run %s completed with rejected or missing input (exit 2); published and marked:",
                    summary.get("run_id"))
        for problem in summary.get("file_problems", []):
            log.warning("REJECTED/MISSING: %s", problem)
    elif exit_code != EXIT_OK:
        raise ValueError(f"publish returned exit code {exit_code!r}; expected {EXIT_OK} or {EXIT_INPUT_PROBLEM}")
    return summary


@task
def land() -> dict:
    """Hash and record the day's files (and the previous business day's clearing files)."""
    return run_stage("land")


@task
def parse() -> dict:
    """Read every landed file by its contract into canonical tables."""
    return run_stage("parse")


@task
def validate() -> dict:
    """Great Expectations suites: quarantine failing rows, reject failing files."""
    return run_stage("validate")


@task
def match() -> dict:
    """Every reconciliation in SQL on DuckDB; conservation checked before anything is published."""
    return run_stage("match")


@task
def publish() -> dict:
    """Replace the day's partitions and append the run to the manifest chain, in one transaction."""
    return completed(run_stage("publish"))


@dag(
    dag_id=DAG_ID,
    schedule=None,  # the CME business-day timetable comes later; until then, trigger with a business_date
    catchup=False,
    max_active_runs=1,
    params=PARAMS,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    tags=["fcm-recon"],
    doc_md=__doc__,
)
def fcm_recon_daily() -> None:
    chain(land(), parse(), validate(), match(), publish())


fcm_recon_daily()
