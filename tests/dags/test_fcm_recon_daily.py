"""The DAGs: every file imports cleanly and lazily, the task graph is the sensor then the stages in order, a whole
run on generated data publishes what the command line publishes, and a day with a late file still publishes, marked."""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import REPO_ROOT
from tests.dags.conftest import DAGS_FOLDER, PLUGINS_FOLDER
from tests.factory import DAY, CashDay, credit, debit, journal_row

pytestmark = pytest.mark.airflow

# the DAG files and the plugin modules they import: the DAG processor parses both
DAG_FILES = sorted([*DAGS_FOLDER.glob("*.py"), *PLUGINS_FOLDER.glob("*.py")])
HEAVY = ("recon", "segregation", "polars", "duckdb", "great_expectations", "google", "pandas_market_calendars")
# the library modules a DAG file may import at parse time: each imports only the standard library (checked below)
PARSE_TIME_MODULES = ("recon", "recon.settings")
EXPECTED_GRAPH = {
    "fcm_recon_daily": {
        "files_arrived": ["land"], "land": ["parse"], "parse": ["validate"], "validate": ["match"],
        "match": ["publish"], "publish": ["report"], "report": [],
    },
}


def _is_heavy(module: str) -> bool:
    return module.split(".")[0] in HEAVY and module not in PARSE_TIME_MODULES


@pytest.mark.parametrize("module", PARSE_TIME_MODULES)
def test_the_library_modules_read_at_parse_time_import_only_the_standard_library(module: str) -> None:
    """recon.settings (FCM_RECON_SECURED_ON_HOLIDAYS, shared with fcm-recon backfill) is read when the DAG is
    parsed: it and its package import nothing beyond the standard library."""
    import ast

    package = REPO_ROOT / module.replace(".", "/") / "__init__.py"
    tree = ast.parse((package if package.exists() else package.parent.with_suffix(".py")).read_text("utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert sorted(n for n in names if n.split(".")[0] not in sys.stdlib_module_names) == []


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_every_dag_file_imports_without_error_and_without_the_library(path: Path) -> None:
    """Parse time builds the DAG only: no recon, segregation, calendar, engine or GX module is imported by a file."""
    import airflow.sdk  # noqa: F401 - the SDK is the one import a DAG file may make; load it first

    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if name.split(".")[0] in ("recon", "segregation")}
    before = set(sys.modules)
    try:
        spec = importlib.util.spec_from_file_location(f"dag_file_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        imported = sorted(name for name in set(sys.modules) - before if _is_heavy(name))
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] in ("recon", "segregation")]:
            del sys.modules[name]
        sys.modules.update(saved)
    assert imported == []


def test_the_dag_bag_has_no_import_error_and_every_dag_is_expected(dag_bag) -> None:
    """The DAG processor's view: no import errors; the DAGs are exactly the ones whose graph we state."""
    assert dag_bag.import_errors == {}
    assert sorted(dag_bag.dag_ids) == sorted(EXPECTED_GRAPH)


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_GRAPH))
def test_the_task_graph_is_the_expected_map(dag_bag, dag_id: str) -> None:
    """Each task's downstream tasks, exactly."""
    dag = dag_bag.dags[dag_id]
    assert {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks} == EXPECTED_GRAPH[dag_id]


def test_the_daily_dag_runs_one_business_day_at_a_time_with_retries_and_a_checked_business_date(dag_bag) -> None:
    """max_active_runs 1, the CME business-day timetable without catchup, two retries with a short delay, a sensor
    that frees its slot between pokes, and a business_date param that may be left out but is checked when given."""
    from airflow.sdk.exceptions import ParamValidationError

    dag = dag_bag.dags["fcm_recon_daily"]
    assert dag.max_active_runs == 1 and not dag.catchup
    assert type(dag.timetable).__qualname__ == "CmeBusinessDayTimetable"
    assert {(t.retries, t.retry_delay.total_seconds() <= 300) for t in dag.tasks} == {(2, True)}
    sensor = dag.get_task("files_arrived")
    assert (sensor.mode, sensor.poke_interval) == ("reschedule", 300)
    assert dag.get_task("land").trigger_rule == "all_done"
    assert set(dag.params) == {"business_date", "landing", "warehouse", "engine", "work_dir", "reports", "strict",
                               "files_deadline"}
    assert dag.params.get_param("engine").resolve() == "duckdb"
    with pytest.raises(ParamValidationError):
        dag.params.get_param("engine").resolve("spark")
    business_date = dag.params.get_param("business_date")
    assert business_date.resolve() is None
    with pytest.raises(ParamValidationError):
        business_date.resolve("24/11/2026")
    assert business_date.resolve("2026-11-24") == "2026-11-24"
    with pytest.raises(ParamValidationError):
        dag.params.get_param("files_deadline").resolve("9am")


def test_exit_2_is_a_completed_run_and_another_code_fails_the_task(caplog: pytest.LogCaptureFixture) -> None:
    """publish's outcome: 0 and 2 return the summary (2 logs what was rejected); anything else raises."""
    from dags.fcm_recon_daily import completed

    summary = {"exit_code": 2, "run_id": "abc", "file_problems": ["2026-11-24/bank/x.bai2: TRAILER_TOTAL_MISMATCH"]}
    with caplog.at_level(logging.WARNING):
        assert completed(summary) == summary
    assert "TRAILER_TOTAL_MISMATCH" in caplog.text
    assert completed({"exit_code": 0}) == {"exit_code": 0}
    with pytest.raises(ValueError, match="exit code 1"):
        completed({"exit_code": 1})


def test_the_day_context_comes_from_params_with_a_work_folder_per_date_and_run(tmp_path: Path) -> None:
    """The params become the stages' DayContext; the run id becomes a safe folder name."""
    from dags.fcm_recon_daily import day_context

    params = {"business_date": "2026-11-24", "landing": "/l", "warehouse": "/w.duckdb", "work_dir": str(tmp_path),
              "reports": "/r", "strict": False}
    ctx = day_context(params, "manual__2026-11-24T18:00:00+00:00", date(2026, 11, 24))
    assert (ctx.business_date, ctx.landing, ctx.warehouse, ctx.strict) == (date(2026, 11, 24), Path("/l"),
                                                                            Path("/w.duckdb"), False)
    assert ctx.reports_folder == Path("/r/2026-11-24")
    assert ctx.work_dir == tmp_path / "2026-11-24" / "manual__2026-11-24T18_00_00_00_00"


def test_a_broken_invariant_fails_at_once_and_an_operating_error_is_retried(monkeypatch: pytest.MonkeyPatch,
                                                                           tmp_path: Path) -> None:
    """A stage's InvariantViolation becomes AirflowFailException (no retry); a LandingError propagates (retried)."""
    from airflow.sdk.exceptions import AirflowFailException

    import dags.fcm_recon_daily as module
    from recon import stages
    from recon.errors import InvariantViolation, LandingError

    params = {"business_date": "2026-11-24", "landing": str(tmp_path), "warehouse": str(tmp_path / "w.duckdb"),
              "engine": "duckdb", "work_dir": str(tmp_path / "work"), "reports": str(tmp_path / "reports"),
              "strict": True}
    monkeypatch.setattr(module, "get_current_context", lambda: {
        "params": params, "run_id": "manual__1", "dag_run": SimpleNamespace(run_type="manual"),
        "data_interval_start": None})

    def broken(ctx: object) -> dict:
        raise InvariantViolation("conservation count broken")

    def unreachable(ctx: object) -> dict:
        raise LandingError("landing root is not mounted")

    monkeypatch.setattr(stages, "match", broken)
    monkeypatch.setattr(stages, "land", unreachable)
    with pytest.raises(AirflowFailException, match="match: InvariantViolation: conservation count broken"):
        module.run_stage("match")
    with pytest.raises(LandingError):
        module.run_stage("land")
    params["engine"] = "bigquery"  # with a DuckDB warehouse: a bad configuration, refused before the stage runs
    with pytest.raises(AirflowFailException, match="land: ConfigError: --engine bigquery runs the models in the "
                                                   "warehouse's BigQuery project"):
        module.run_stage("land")


def _day() -> CashDay:
    day = CashDay()
    day.bank["100200300"] = [credit("1000.00", "REF-A"), credit("70.00", "REF-F"), debit("250.00", "REF-I")]
    day.journal = [journal_row("J1", "1000.00", "REF-A"), journal_row("J7", "-40.00", "REF-G"),
                   journal_row("J9", "-250.00", "REF-I", entry_type="CUSTOMER_WITHDRAWAL")]
    return day


def _run_dag(dag_bag, monkeypatch: pytest.MonkeyPatch, landing: Path, warehouse: Path, work: Path):
    """dag.test() on the day; no retries here, so a failing task fails the test now, not after two retry delays."""
    dag = dag_bag.dags["fcm_recon_daily"]
    for task in dag.tasks:
        monkeypatch.setattr(task, "retries", 0)
    return dag.test(run_conf={"business_date": DAY.isoformat(), "landing": str(landing),
                              "warehouse": str(warehouse), "work_dir": str(work),
                              "reports": str(work / "reports")})


def _published(warehouse_path: Path) -> tuple[list[tuple], list[tuple]]:
    """The day's breaks (id, recon, type, difference) and its runs (exit code, status) in a warehouse."""
    from recon.warehouse import DuckDBWarehouse

    with DuckDBWarehouse(warehouse_path) as warehouse:
        return (sorted((b["break_id"], b["recon"], b["break_type"], b["difference"])
                       for b in warehouse.read_partition("recon_breaks", DAY)),
                [(r["exit_code"], r["status"]) for r in warehouse.runs(DAY)])


def _assert_structured_logs(records: list[logging.LogRecord], warehouse: Path) -> None:
    """The tasks logged the command line's JSON events: a stage_finished per stage with the published run's id, the
    date, rows and seconds, then a run_summary with the SLIs."""
    from recon.observability import JsonLineFormatter
    from recon.warehouse import DuckDBWarehouse

    with DuckDBWarehouse(warehouse) as target:
        (run_id,) = [r["run_id"] for r in target.runs(DAY)]
    events = [json.loads(JsonLineFormatter().format(record)) for record in records]
    stages = ["land", "parse", "validate", "match", "publish", "report"]
    finished = [e for e in events if e["event"] == "stage_finished"]
    assert [e["stage"] for e in finished] == stages
    for event in finished:
        assert (event["run_id"], event["business_date"]) == (run_id, DAY.isoformat())
        assert isinstance(event["rows"], int) and event["seconds"] >= 0
    (summary,) = [e for e in events if e["event"] == "run_summary"]
    assert (summary["run_id"], summary["exit_code"], sorted(summary["stage_seconds"])) == (run_id, 0, sorted(stages))
    assert summary["stage_rows"] == {e["stage"]: e["rows"] for e in finished}
    assert summary["stage_rows"]["publish"] > 0 and summary["match_rate"]["CASH"] > 0
    assert sum(sum(by_status.values()) for by_status in summary["breaks_by_tier"].values()) > 0
    assert summary["statement_deadline"].startswith("2026-") and "statement_ready_by_deadline" in summary


def test_a_whole_run_on_generated_data_publishes_what_the_command_line_publishes(
        airflow_db, dag_bag, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """dag.test() end to end on a recon.generate day: every task succeeds, each logs the command line's JSON events
    (stage_finished, then run_summary with the SLIs), the planted breaks are published, and the warehouse and
    documents equal those of `fcm-recon run` on the same files."""
    from recon.cli import main
    from recon.generate import GenerateOptions, generate

    landing = tmp_path / "landing"
    key = generate(landing, GenerateOptions(start=DAY, days=1, accounts=10, trades_per_day=10, seed=1))
    with caplog.at_level(logging.INFO, logger="fcm_recon"):
        run = _run_dag(dag_bag, monkeypatch, landing, tmp_path / "dag.duckdb", tmp_path / "work")
    assert run.state == "success"
    _assert_structured_logs([r for r in caplog.records if r.name == "fcm_recon"], tmp_path / "dag.duckdb")
    assert {ti.task_id: ti.state for ti in run.get_task_instances()} == dict.fromkeys(
        ["files_arrived", "land", "parse", "validate", "match", "publish", "report"], "success")
    assert main(["run", "--date", DAY.isoformat(), "--landing", str(landing),
                 "--warehouse", str(tmp_path / "cli.duckdb")]) == 0
    breaks, runs = _published(tmp_path / "dag.duckdb")
    assert runs == [(0, "COMPLETED")]
    planted = {(b.recon, b.break_type) for b in key.breaks if b.business_date == DAY}
    assert planted and planted <= {(recon, break_type) for _, recon, break_type, _ in breaks}
    assert (breaks, runs) == _published(tmp_path / "cli.duckdb")
    written = sorted(p.name for p in (tmp_path / "work" / "reports" / DAY.isoformat()).iterdir())
    assert "breaks.xlsx" in written and "statement_SEG.pdf" in written
    assert written == sorted(p.name for p in (tmp_path / "reports" / DAY.isoformat()).iterdir())


def test_past_the_deadline_a_missing_file_is_named_and_the_day_still_publishes_marked(
        airflow_db, dag_bag, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """positions.csv never arrived and the BAI2 49 trailer is wrong: files_arrived fails at the (past) deadline and
    its callback names the file; land runs anyway and the run is published with exit 2, listing both problems."""
    landing = _day().write(tmp_path / "landing")
    (landing / DAY.isoformat() / "ledger" / "positions.csv").unlink()
    bank_file = landing / DAY.isoformat() / "bank" / "bankone.bai2"
    lines = bank_file.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("49,"))
    total, count = lines[index][3:].rstrip("/").split(",")
    lines[index] = f"49,{int(total) + 1},{count}/"
    bank_file.write_text("\n".join(lines) + "\n")
    with caplog.at_level(logging.WARNING):
        run = _run_dag(dag_bag, monkeypatch, landing, tmp_path / "dag.duckdb", tmp_path / "work")
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states == {"files_arrived": "failed", **dict.fromkeys(
        ["land", "parse", "validate", "match", "publish", "report"], "success")}
    missing = [r.getMessage() for r in caplog.records if r.levelname == "ERROR" and "FILES MISSING" in r.getMessage()]
    assert len(missing) == 1 and missing[0].endswith(f"missing from {landing}:\n  - {DAY}/ledger/positions.csv")
    published = " ".join(r.getMessage() for r in caplog.records if "REJECTED/MISSING" in r.getMessage())
    assert f"{DAY}/ledger/positions.csv" in published and "TRAILER_TOTAL_MISMATCH" in published
    assert _published(tmp_path / "dag.duckdb")[1] == [(2, "COMPLETED_WITH_REJECTIONS")]


def test_a_stage_that_fails_for_good_records_its_attempt_failed_at_once(
        airflow_db, dag_bag, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """match raises a broken invariant: the run fails there, nothing is published, and the task's failure callback
    records the attempt FAILED with the error in runs (not RUNNING until the date's next run); a new run of the date
    then publishes."""
    from recon import stages
    from recon.errors import InvariantViolation
    from recon.warehouse import DuckDBWarehouse

    landing = _day().write(tmp_path / "landing")
    warehouse = tmp_path / "dag.duckdb"

    def broken(ctx: object) -> dict:
        raise InvariantViolation("conservation count broken")

    with monkeypatch.context() as patch:
        patch.setattr(stages, "match", broken)
        run = _run_dag(dag_bag, monkeypatch, landing, warehouse, tmp_path / "work")
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states == {**dict.fromkeys(["files_arrived", "land", "parse", "validate"], "success"), "match": "failed",
                      "publish": "upstream_failed", "report": "upstream_failed"}
    with DuckDBWarehouse(warehouse) as target:
        attempts = target.attempts(DAY)
        assert target.runs(DAY) == [] and target.read_partition("recon_breaks", DAY) == []
    assert [row["status"] for row in attempts] == ["RUNNING", "FAILED"]
    assert attempts[0]["run_id"] == attempts[1]["run_id"] and attempts[1]["finished_at"] is not None
    assert json.loads(attempts[1]["manifest"])["failure"].endswith(
        "match: InvariantViolation: conservation count broken")
    run = _run_dag(dag_bag, monkeypatch, landing, warehouse, tmp_path / "work-again")
    assert run.state == "success" and _published(warehouse)[1] == [(0, "COMPLETED")]


def test_a_date_cme_does_not_clear_runs_the_secured_statement_alone(
        airflow_db, dag_bag, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Thanksgiving 2026 through the DAG (as FCM_RECON_SECURED_ON_HOLIDAYS schedules it): the day context is
    SECURED-only, the sensor asks for no clearing file, and dag.test() publishes the SECURED statement alone, its
    bank balances carried from the day before (Fedwire is closed too), as `fcm-recon run --classes SECURED` does."""
    import shutil

    from dags.fcm_recon_daily import day_context
    from recon.cli import main
    from recon.generate import GenerateOptions, generate
    from recon.warehouse import DuckDBWarehouse

    before, holiday = date(2026, 11, 25), date(2026, 11, 26)
    params = {"landing": "/l", "warehouse": "/w.duckdb", "work_dir": str(tmp_path), "reports": "/r", "strict": True}
    assert day_context(params, "r", holiday).classes == ("SECURED",) and day_context(params, "r", before).classes is None
    landing = tmp_path / "landing"
    generate(landing, GenerateOptions(start=before, days=1, accounts=10, trades_per_day=10, seed=1))
    for rel_path in ("ledger/balances.csv", "ledger/custody.csv", "reference/fx_rates.csv"):
        target = landing / holiday.isoformat() / rel_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(landing / before.isoformat() / rel_path, target)
    warehouse = tmp_path / "dag.duckdb"
    assert main(["run", "--date", before.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse),
                 "--no-documents"]) == 0
    for task in dag_bag.dags["fcm_recon_daily"].tasks:
        monkeypatch.setattr(task, "retries", 0)
    run = dag_bag.dags["fcm_recon_daily"].test(run_conf={
        "business_date": holiday.isoformat(), "landing": str(landing), "warehouse": str(warehouse),
        "work_dir": str(tmp_path / "work"), "reports": str(tmp_path / "work" / "reports")})
    assert {ti.task_id: ti.state for ti in run.get_task_instances()} == dict.fromkeys(
        ["files_arrived", "land", "parse", "validate", "match", "publish", "report"], "success")
    with DuckDBWarehouse(warehouse) as target:
        (latest,) = [r for r in target.runs(holiday)]
        lines = target.read_partition("seg_statement_lines", holiday)
    assert json.loads(latest["manifest"])["classes"] == ["SECURED"] and latest["exit_code"] == 0
    assert {line["seg_class"] for line in lines} == {"SECURED"}
    assert {line["statement_status"] for line in lines} == {"FILEABLE"}
