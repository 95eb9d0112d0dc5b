"""The bigquery engine: `fcm-recon run --engine bigquery` builds the SQL models inside BigQuery (bqemulator here) and
publishes what the DuckDB engine publishes, every column to the cent; the emulator holds the proof that it ran them.

The transpile step's own rules (exact decimals, COUNT for a filtered count, distinct arrays the emulator reads
right) are checked without the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
import sqlglot

from recon import calendar
from recon.bigquery import SCRATCH_SUFFIX, BigQueryEngine, BigQueryWarehouse
from recon.cli import main
from recon.engines import ExactBigQuery, bigquery_sql
from recon.errors import WarehouseError
from recon.pipeline import run_day
from recon.rules import RULES_DIR, load_rules
from recon.schema import replaced_tables
from recon.sqlmodels import load_models, upstream
from recon.stages import MART_TABLES
from recon.targets import BigQueryTarget
from recon.warehouse import DuckDBWarehouse
from tests.cloud.conftest import DAY, PROJECT, emulator_client

DATASET = "scaleout"


def _transpiled(duckdb_sql: str) -> str:
    return sqlglot.transpile(duckdb_sql, read="duckdb", write=ExactBigQuery)[0]


def test_every_model_transpiles_with_its_tables_qualified() -> None:
    """Every model becomes BigQuery SQL that reads only fully qualified tables (no bare name is left to resolve)."""
    for model in load_models():
        sql = bigquery_sql(model, lambda name: f"{PROJECT}.{DATASET}_scratch.r0__{name}")
        tree = sqlglot.parse_one(sql, read="bigquery")
        ctes = {cte.alias_or_name for cte in tree.find_all(sqlglot.exp.CTE)}
        read = {t.name for t in tree.find_all(sqlglot.exp.Table) if t.name not in ctes and t.args.get("db")}
        assert read == {f"r0__{name}" for name in model.depends_on}, model.name
        assert not [t for t in tree.find_all(sqlglot.exp.Table) if not t.args.get("db") and t.name not in ctes
                    and isinstance(t.this, sqlglot.exp.Identifier)], model.name


@pytest.mark.parametrize("literal", ["0.0000000005", "0.000000001", "12.50", "007.5", "0.5"])
def test_a_decimal_literal_stays_the_exact_decimal_duckdb_reads(literal: str) -> None:
    """A literal with a decimal point is written as a cast to DuckDB's own type for it (never BigQuery's FLOAT64),
    so the emulator computes with the very types DuckDB does."""
    sql = _transpiled(f"select {literal} as x")
    assert "CAST('" in sql and "FLOAT" not in sql
    back = sqlglot.transpile(sql, read="bigquery", write="duckdb")[0]
    assert duckdb.sql(f"select typeof(x) from ({back})").fetchall() == (
        duckdb.sql(f"select typeof({literal})").fetchall())


def test_casts_keep_precision_and_a_filtered_count_is_a_count() -> None:
    """NUMERIC keeps its (38, 9) (the emulator reads a bare NUMERIC as DECIMAL(18, 3)), a decimal NUMERIC cannot
    hold is BIGNUMERIC, and count(*) filter (where c) is COUNT(IF(c, 1, NULL)), an INT64 in both."""
    assert _transpiled("select cast(a as decimal(38, 9)), cast(b as decimal(38, 0)), cast(c as decimal) from t") == (
        "SELECT CAST(a AS NUMERIC(38, 9)), CAST(b AS BIGNUMERIC(38, 0)), CAST(c AS NUMERIC(18, 3)) FROM t")
    assert _transpiled("select count(*) filter (where f = 'M') as n from t") == (
        "SELECT COUNT(IF(f = 'M', 1, NULL)) AS n FROM t")


def test_a_sorted_distinct_list_is_an_array_subquery() -> None:
    """list_sort(list_distinct(array_agg(x))) is ARRAY(SELECT DISTINCT ... ORDER BY ...) over ARRAY_AGG(x IGNORE
    NULLS), which the emulator translates (its ARRAY_AGG(DISTINCT x IGNORE NULLS) becomes invalid SQL)."""
    assert _transpiled("select list_sort(list_distinct(array_agg(x))) as s from t group by g") == (
        "SELECT IF(COUNT(*) = 0, NULL, COALESCE(ARRAY(SELECT DISTINCT _element FROM UNNEST(ARRAY_AGG(x IGNORE NULLS))"
        " AS _element ORDER BY _element), [])) AS s FROM t GROUP BY g")


def test_the_bigquery_engine_needs_a_bigquery_warehouse(tmp_path: Path, generated_landing: Path, capsys) -> None:
    """--engine bigquery with a DuckDB warehouse is refused before anything runs, by run and by backfill (exit 1, no
    warehouse file)."""
    warehouse = tmp_path / "wh.duckdb"
    day = DAY.isoformat()
    for command in (["run", "--date", day], ["backfill", "--start", day, "--end", day]):
        code = main([*command, "--landing", str(generated_landing), "--warehouse", str(warehouse),
                     "--engine", "bigquery", "--no-documents"])
        assert code == 1 and "--engine bigquery runs the models in the warehouse's BigQuery project" in (
            capsys.readouterr().err)
        assert not warehouse.exists()


def test_a_model_failing_in_bigquery_is_a_warehouse_error_naming_it(bigquery_emulator: str) -> None:
    """A model whose input is not there fails in BigQuery: WarehouseError naming the model."""
    with BigQueryEngine(BigQueryTarget(PROJECT, "failing"), "0" * 16, DAY) as engine, \
            pytest.raises(WarehouseError, match="building sql model stg_bank__balances failed"):
        engine.run(("stg_bank__balances",), load_rules(RULES_DIR))


def test_engine_bigquery_publishes_the_duckdb_engines_rows_from_models_built_in_the_emulator(
        bigquery_emulator: str, generated_landing: Path, tmp_path: Path) -> None:
    """The first generated day published into BigQuery by `fcm-recon backfill --engine bigquery` and into a DuckDB
    file; then the second, whose matching carries the first day's open breaks, by `fcm-recon run --engine bigquery`
    into BigQuery and by the DuckDB engine into the file:

    * every published table's partition is the DuckDB engine's, Decimal for Decimal, with the same hashes;
    * on the emulator, the run's scratch tables hold every input and every model the marts need, each model built
      by a query job of its own, and the scratch marts are the rows that were published (no local fallback)."""
    target, reference = BigQueryTarget(PROJECT, DATASET), tmp_path / "reference.duckdb"
    first = calendar.previous_business_day(DAY)
    assert main(["backfill", "--start", first.isoformat(), "--end", first.isoformat(), "--landing",
                 str(generated_landing), "--warehouse", str(target), "--engine", "bigquery", "--no-documents",
                 "--no-progress"]) == 0
    run_day(first, generated_landing, reference, documents=False)
    assert main(["run", "--date", DAY.isoformat(), "--landing", str(generated_landing), "--warehouse", str(target),
                 "--engine", "bigquery", "--no-documents"]) == 0
    run_day(DAY, generated_landing, reference, documents=False)

    with BigQueryWarehouse(target) as cloud, DuckDBWarehouse(reference) as local:
        breaks = local.read_partition("recon_breaks", DAY)
        assert breaks and local.read_partition("seg_statement_lines", DAY)
        assert any(row["first_seen_date"] < DAY for row in breaks)  # carried from the first day
        for table in replaced_tables():
            assert cloud.read_partition(table.name, DAY) == local.read_partition(table.name, DAY), table.name
        [local_run], [cloud_run] = local.runs(DAY), cloud.runs(DAY)
        assert json.loads(cloud_run["output_hashes"]) == json.loads(local_run["output_hashes"])
        run_id = cloud_run["run_id"]

    client = emulator_client(bigquery_emulator)
    scratch = f"{PROJECT}.{DATASET}{SCRATCH_SUFFIX}"
    models = upstream(MART_TABLES)
    inputs = {name for model in models for name in model.depends_on if name.startswith("src_")}
    tables = {t.table_id for t in client.list_tables(scratch)}
    assert {f"r{run_id}__{name}" for name in [*(m.name for m in models), *inputs]} <= tables
    jobs = list(client.list_jobs(max_results=5000))
    built = {job.job_id.removeprefix("fcm_recon_model_").rsplit("_", 1)[0] for job in jobs
             if job.job_id.startswith("fcm_recon_model_") and job.state == "DONE" and not job.error_result
             and f".r{run_id}__" in job.query}
    assert built == {model.name for model in models}
    loaded = {job.destination.table_id.removeprefix(f"r{run_id}__") for job in jobs if job.job_type == "load"
              and job.labels.get("run_id") == run_id and job.destination.dataset_id == f"{DATASET}{SCRATCH_SUFFIX}"}
    assert loaded >= inputs
    scratch_breaks = client.query(f"SELECT break_id FROM `{scratch}.r{run_id}__recon_breaks`").result()
    assert sorted(row["break_id"] for row in scratch_breaks) == sorted(row["break_id"] for row in breaks)
