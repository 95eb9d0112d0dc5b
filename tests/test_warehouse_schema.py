"""A DuckDB warehouse whose tables an earlier schema wrote is refused on open, naming the table and the columns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from recon.cli import main
from recon.generate import GenerateOptions, generate
from recon.errors import WarehouseError
from recon.warehouse import DuckDBWarehouse

DAY = date(2026, 3, 2)


def _older(tmp_path: Path) -> Path:
    """A warehouse made by this version, then given the quarantine table of the schema before bank_account_id."""
    path = tmp_path / "wh.duckdb"
    DuckDBWarehouse(path).__exit__(None, None, None)
    connection = duckdb.connect(str(path))
    connection.execute("alter table quarantine drop column bank_account_id")
    connection.execute("alter table runs add column operator varchar")
    connection.close()
    return path


def test_a_table_of_another_schema_is_refused_naming_its_columns(tmp_path: Path) -> None:
    path = _older(tmp_path)
    with pytest.raises(WarehouseError) as raised:
        DuckDBWarehouse(path)
    assert str(raised.value) == (
        f"{path}: another version of fcm-recon wrote it, its columns are not this version's schema "
        "(sql/warehouse_schema.yaml): "
        "table runs (expected no other column, found operator VARCHAR); table quarantine (expected bank_account_id "
        "VARCHAR, found no other column). Backfill its dates into a new warehouse (fcm-recon backfill --warehouse NEW)")


def test_the_command_exits_1_with_the_message_and_writes_nothing(tmp_path: Path, capsys) -> None:
    path = _older(tmp_path)
    before = path.read_bytes()
    generate(tmp_path / "landing", GenerateOptions(start=DAY, days=1, accounts=12, trades_per_day=20, seed=7))
    code = main(["run", "--date", DAY.isoformat(), "--landing", str(tmp_path / "landing"), "--warehouse", str(path)])
    assert code == 1
    assert "table quarantine (expected bank_account_id VARCHAR" in capsys.readouterr().err
    assert path.read_bytes() == before
