"""The shape of the project: the core imports no Airflow or Google client, and the schema file is the one truth."""

from __future__ import annotations

import ast
from pathlib import Path

import duckdb
import pytest

from recon.schema import warehouse_tables
from recon.warehouse import DuckDBWarehouse
from tests.conftest import REPO_ROOT

FORBIDDEN_IN_CORE = ("airflow", "google")
ADAPTER_MODULES = {"recon/gcs.py", "recon/bigquery.py"}
# the application layer wires recon and segregation together; every other recon module stays below segregation
# the modules that wire recon and segregation together; statement_docs renders the segregation statement from the
# published rows, and needs the statement's line definitions to show a line the run could not compute
APPLICATION_MODULES = {
    "recon/stages.py", "recon/pipeline.py", "recon/demo.py", "recon/cli.py", "recon/statement_docs.py",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["recon", "segregation"])
def test_core_imports_no_airflow_and_no_google_client(package: str) -> None:
    """Walk every module of the core: none imports airflow or google (adapters excepted)."""
    offenders = []
    for path in sorted((REPO_ROOT / package).rglob("*.py")):
        relative = path.relative_to(REPO_ROOT).as_posix()
        if relative in ADAPTER_MODULES:
            continue
        bad = [name for name in _imports(path) if name.split(".")[0] in FORBIDDEN_IN_CORE]
        if bad:
            offenders.append(f"{relative}: {bad}")
    assert offenders == []


def test_dependencies_point_one_way_segregation_on_recon() -> None:
    """No recon library module imports segregation (only the application layer that wires both does)."""
    offenders = [
        path.relative_to(REPO_ROOT).as_posix()
        for path in sorted((REPO_ROOT / "recon").rglob("*.py"))
        if path.relative_to(REPO_ROOT).as_posix() not in APPLICATION_MODULES
        and any(name.split(".")[0] == "segregation" for name in _imports(path))
    ]
    assert offenders == []


def test_the_duckdb_tables_are_the_schema_files_tables(tmp_path: Path) -> None:
    """Every table and column of the schema file exists in DuckDB with its type; money is DECIMAL(38,9)."""
    with DuckDBWarehouse(tmp_path / "wh.duckdb") as warehouse:
        rows = warehouse.connection.execute(
            "select table_name, column_name, data_type, is_nullable from information_schema.columns "
            "order by table_name, ordinal_position").fetchall()
    actual = {(t, c): (d, n) for t, c, d, n in rows}
    for table in warehouse_tables().values():
        for column in table.columns:
            data_type, nullable = actual[(table.name, column.name)]
            assert data_type == column.duckdb_type.replace(", ", ","), (table.name, column.name)
            assert (nullable == "NO") == (column.mode == "REQUIRED"), (table.name, column.name)
    money = [k for k, v in actual.items() if v[0].startswith("DECIMAL")]
    assert money and all(actual[k][0] == "DECIMAL(38,9)" for k in money)


def test_every_table_is_partitioned_by_business_date() -> None:
    """The schema file partitions every table by business_date and keys every one."""
    for table in warehouse_tables().values():
        assert table.partition_by == "business_date" and table.key, table.name


def test_duckdb_is_the_version_the_lock_pins() -> None:
    """The lock pins duckdb; the decimal facts we rely on were measured on that version."""
    lock = (REPO_ROOT / "requirements.lock").read_text()
    assert f"duckdb=={duckdb.__version__}" in lock
