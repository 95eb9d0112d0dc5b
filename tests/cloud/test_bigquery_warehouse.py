"""Publishing to BigQuery on bqemulator: the tables are created from the schema file, a day published from a gs://
landing reads back equal to the DuckDB warehouse to the cent, a re-publish replaces the partition (no duplicates)
and chains a second run, a failing script leaves the dataset as before, and the evidence is on the emulator's side."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from recon.bigquery import BigQueryWarehouse
from recon.errors import WarehouseError
from recon.pipeline import run_day
from recon.schema import replaced_tables, warehouse_tables
from recon.targets import BigQueryTarget, parse_landing, parse_warehouse
from recon.warehouse import DuckDBWarehouse
from tests.cloud.conftest import DAY, PROJECT, emulator_client, upload_landing


@pytest.fixture(scope="module")
def published(bigquery_emulator: str, fake_gcs, generated_landing: Path, tmp_path_factory) -> dict:
    """DAY run twice from a gs:// landing into bigquery://fcm-recon-test/recon, and once locally into DuckDB."""
    folder = tmp_path_factory.mktemp("bigquery")
    upload_landing(generated_landing, "landing-bigquery", "in")
    landing, target = parse_landing("gs://landing-bigquery/in"), parse_warehouse(f"bigquery://{PROJECT}/recon")
    first = run_day(DAY, landing, target)
    counts_after_first = _row_counts(target)
    second = run_day(DAY, landing, target)
    run_day(DAY, generated_landing, folder / "reference.duckdb")
    return {"target": target, "reference": folder / "reference.duckdb", "first": first.stages["publish"],
            "second": second.stages["publish"], "counts_after_first": counts_after_first}


def _row_counts(target: BigQueryTarget) -> dict[str, int]:
    with BigQueryWarehouse(target) as warehouse:
        return {t.name: len(warehouse.read_partition(t.name, DAY)) for t in replaced_tables()}


def test_read_back_equals_the_duckdb_warehouse_to_the_cent(published: dict) -> None:
    """Every replaced table's partition in BigQuery has the DuckDB warehouse's rows, Decimal for Decimal, and the
    same partition hash (so the run's output hashes are the same in both engines)."""
    with BigQueryWarehouse(published["target"]) as cloud, DuckDBWarehouse(published["reference"]) as local:
        assert local.read_partition("recon_breaks", DAY) and local.read_partition("seg_statement_lines", DAY)
        for table in replaced_tables():
            assert cloud.read_partition(table.name, DAY) == local.read_partition(table.name, DAY), table.name
            assert cloud.partition_hash(table.name, DAY) == local.partition_hash(table.name, DAY), table.name
        [local_run] = local.runs(DAY)
        assert json.loads(cloud.runs(DAY)[-1]["output_hashes"]) == json.loads(local_run["output_hashes"])


def test_a_republish_replaces_the_partition_and_chains_a_second_run(published: dict) -> None:
    """The same date published again: the same rows (no duplicates) and two runs, the second chained to the first;
    every input of the manifest names its gs:// object and generation."""
    assert _row_counts(published["target"]) == published["counts_after_first"]
    with BigQueryWarehouse(published["target"]) as cloud:
        first, second = cloud.runs(DAY)
        assert cloud.last_run() == (second["sequence"], second["manifest_hash"])
    assert (first["run_id"], second["run_id"]) == (published["first"]["run_id"], published["second"]["run_id"])
    assert second["previous_manifest_hash"] == first["manifest_hash"] and second["sequence"] == first["sequence"] + 1
    inputs = [entry for entry in json.loads(second["input_files"]) if entry["status"] != "MISSING"]
    assert inputs and all(entry["object"]["uri"].startswith("gs://landing-bigquery/in/")
                          and entry["object"]["generation"] > 0 for entry in inputs)


def test_the_emulator_holds_the_schema_files_tables(published: dict, bigquery_emulator: str) -> None:
    """On the emulator: every table of the schema file, partitioned by business_date (DAY), clustered as declared,
    money stored as DECIMAL(38,9); no staging table is left behind."""
    client = emulator_client(bigquery_emulator)
    names = {t.table_id for t in client.list_tables(f"{PROJECT}.recon")}
    assert names == set(warehouse_tables())
    for table in warehouse_tables().values():
        found = client.get_table(f"{PROJECT}.recon.{table.name}")
        assert [(f.name, f.field_type, f.mode) for f in found.schema] == [(c.name, c.type, c.mode) for c in table.columns]
        assert (found.time_partitioning.type_, found.time_partitioning.field) == ("DAY", "business_date")
        assert found.clustering_fields == list(table.cluster_by)
        for column in (c.name for c in table.columns if c.type == "NUMERIC"):
            # typeof is the emulator's DuckDB function: the storage type itself, which the API does not report
            [row] = client.query(f"SELECT typeof({column}) AS t FROM `{PROJECT}.recon.{table.name}` "
                                 "UNION ALL SELECT 'DECIMAL(38,9)' LIMIT 1").result()
            assert row["t"] == "DECIMAL(38,9)", (table.name, column)


def test_the_emulators_jobs_carry_the_run_id(published: dict, bigquery_emulator: str) -> None:
    """The emulator's job list: each publish loaded every table with a job labelled with its run id and date."""
    client = emulator_client(bigquery_emulator)
    loads = [job for job in client.list_jobs(max_results=1000) if job.job_type == "load"]
    for publish in (published["first"], published["second"]):
        labelled = [job for job in loads if job.labels.get("run_id") == publish["run_id"]]
        assert len(labelled) >= len(replaced_tables()) + 1, publish["run_id"]
        assert all(job.labels["business_date"] == DAY.isoformat() for job in labelled)


def test_a_failing_publish_script_leaves_the_dataset_as_before(published: dict, monkeypatch) -> None:
    """The replace script failing before COMMIT: every partition and the runs are as before, staging is dropped."""
    target = BigQueryTarget(PROJECT, "recon")
    with BigQueryWarehouse(target) as cloud:
        before = {t.name: cloud.partition_hash(t.name, DAY) for t in replaced_tables()}
        runs_before = cloud.runs()
        script = cloud._replace_script
        monkeypatch.setattr(cloud, "_replace_script", lambda staged: script(staged).replace(
            "COMMIT TRANSACTION;", f"INSERT INTO `{PROJECT}.recon.no_such_table` (x) VALUES (1);\nCOMMIT TRANSACTION;"))
        tables = {t.name: t.arrow_schema().empty_table().drop_columns(["business_date"]) for t in replaced_tables()}
        with pytest.raises(WarehouseError, match="publishing"):
            cloud.publish(DAY, tables, lambda hashes: dict(runs_before[-1], run_id="f" * 16, sequence=99))
        assert {t.name: cloud.partition_hash(t.name, DAY) for t in replaced_tables()} == before
        assert cloud.runs() == runs_before
        assert not [t for t in cloud.client.list_tables(f"{PROJECT}.recon") if t.table_id.startswith("_staging_")]


def test_a_publish_staged_from_an_older_chain_head_is_refused_inside_the_transaction(published: dict) -> None:
    """Two runs of the date that both passed the chain check before the script: the one whose run row follows a head
    that has since moved (here: the second run's sequence again, chained to the first) is refused by the check
    inside the publish transaction (StaleRun), and the dataset is as before, staging dropped."""
    from recon.errors import StaleRun

    target = BigQueryTarget(PROJECT, "recon")
    with BigQueryWarehouse(target) as cloud:
        before = {t.name: cloud.partition_hash(t.name, DAY) for t in replaced_tables()}
        runs_before = cloud.runs()
        first, second = runs_before[-2:]
        tables = {t.name: t.arrow_schema().empty_table().drop_columns(["business_date"]) for t in replaced_tables()}
        with pytest.raises(StaleRun, match="checked inside the publish transaction"):
            cloud.publish(DAY, tables, lambda hashes: dict(second, run_id="e" * 16,
                                                           previous_manifest_hash=first["manifest_hash"]))
        assert {t.name: cloud.partition_hash(t.name, DAY) for t in replaced_tables()} == before
        assert cloud.runs() == runs_before
        assert not [t for t in cloud.client.list_tables(f"{PROJECT}.recon") if t.table_id.startswith("_staging_")]


def test_money_at_the_bounds_of_numeric_38_9_survives_exactly(bigquery_emulator: str) -> None:
    """Amounts with 29 integer digits and 9 decimals, and a single nano, publish and read back unchanged."""
    amounts = [Decimal("99999999999999999999999999999.999999999"), Decimal("-0.000000001"), Decimal("0E-9")]
    conservation = warehouse_tables()["conservation"]
    rows = [{c.name: (amount if c.type == "NUMERIC" else 1 if c.type == "INT64" else f"{c.name}-{i}")
             for c in conservation.columns if c.name != "business_date"} for i, amount in enumerate(amounts)]
    schema = pa.schema([f for f in conservation.arrow_schema() if f.name != "business_date"])
    tables = {t.name: pa.Table.from_pylist(rows, schema=schema) if t.name == "conservation"
              else t.arrow_schema().empty_table().drop_columns(["business_date"]) for t in replaced_tables()}
    day = date(2026, 11, 20)
    run_row = {"business_date": day, "run_id": "0123456789abcdef", "sequence": 1, "status": "COMPLETED",
               "exit_code": 0, "code_version": "test", "rules_version": "r", "decisions_version": "d",
               "input_files": "[]", "output_hashes": "{}", "previous_manifest_hash": None, "manifest_hash": "m",
               "manifest": "{}", "started_at": datetime(2026, 11, 20, 18, 0), "finished_at": None}
    with BigQueryWarehouse(BigQueryTarget(PROJECT, "bounds")) as cloud:
        cloud.publish(day, tables, lambda hashes: dict(run_row, output_hashes=json.dumps(hashes)))
        read = cloud.read_partition("conservation", day)
    assert sorted(row["amount_read"] for row in read) == sorted(amounts)
    assert all(row["amount_read"].as_tuple().exponent == -9 for row in read)


def test_the_bigquery_warehouse_has_the_duckdb_warehouses_interface() -> None:
    """Every public method of DuckDBWarehouse exists on BigQueryWarehouse with the same parameters."""
    import inspect

    for name, method in inspect.getmembers(DuckDBWarehouse, inspect.isfunction):
        if not name.startswith("_"):
            assert list(inspect.signature(getattr(BigQueryWarehouse, name)).parameters) == list(
                inspect.signature(method).parameters), name


def test_a_statement_is_marked_filed_in_bigquery(published: dict, bigquery_emulator: str, capsys) -> None:
    """`statement --mark-filed` on a BigQuery warehouse appends one seg_filings row per class to the dataset, naming
    the date's latest run and holding its statement lines as published (equal to the DuckDB warehouse's)."""
    from recon.cli import main
    from segregation.filings import filed_lines, latest_filings

    warehouse = f"bigquery://{PROJECT}/recon"
    assert main(["statement", "--date", DAY.isoformat(), "--warehouse", warehouse, "--mark-filed",
                 "--by", "Jane Compliance"]) == 0
    assert capsys.readouterr().out.count("filed by Jane Compliance") == 3
    with BigQueryWarehouse(published["target"]) as cloud, DuckDBWarehouse(published["reference"]) as local:
        filings = latest_filings(cloud, DAY)
        assert sorted(filings) == ["CLEARED_SWAPS", "SECURED", "SEG"]
        assert {f["run_id"] for f in filings.values()} == {published["second"]["run_id"]}
        local_lines = local.read_partition("seg_statement_lines", DAY)
        for seg_class, filing in filings.items():
            assert filing["filed_by"] == "Jane Compliance"
            assert sorted((line["line"], line["currency"], line["amount"]) for line in filed_lines(filing)) == sorted(
                (row["line"], row["currency"], row["amount"]) for row in local_lines if row["seg_class"] == seg_class)
    rows = emulator_client(bigquery_emulator).query(
        f"SELECT seg_class, filed_by FROM `{PROJECT}.recon.seg_filings` ORDER BY seg_class").result()
    assert [tuple(row.values()) for row in rows] == [
        ("CLEARED_SWAPS", "Jane Compliance"), ("SECURED", "Jane Compliance"), ("SEG", "Jane Compliance")]
