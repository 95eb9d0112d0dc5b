"""`--memory-limit`: every DuckDB connection of a run keeps to it and spills into the work folder."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from recon.cli import main
from tests.factory import DAY, CashDay, credit, journal_row


def small_day(root: Path) -> Path:
    day = CashDay()
    day.bank["100200300"] = [credit("1000.00", "REF-A")]
    day.journal = [journal_row("J1", "1000.00", "REF-A")]
    return day.write(root)


def run(landing: Path, warehouse: Path, *extra: str) -> int:
    return main(["run", "--date", DAY.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse), *extra])


def test_every_connection_of_a_run_keeps_to_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's in-memory connection and the warehouse's all report the limit and a spill folder of the run."""
    seen: list[tuple[str, str, str]] = []
    real_connect = duckdb.connect

    def spy(database: str = ":memory:", *args: object, **kwargs: object) -> duckdb.DuckDBPyConnection:
        connection = real_connect(database, *args, **kwargs)
        limit, spill = connection.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')").fetchall()[0]
        seen.append((database, limit, spill))
        return connection

    monkeypatch.setattr(duckdb, "connect", spy)
    landing = small_day(tmp_path / "landing")
    assert run(landing, tmp_path / "wh.duckdb", "--memory-limit", "300MB") == 0
    monkeypatch.undo()
    expected = real_connect(config={"memory_limit": "300MB"}).execute(
        "select current_setting('memory_limit')").fetchall()[0][0]
    assert {database for database, _, _ in seen} >= {":memory:", str(tmp_path / "wh.duckdb")}
    assert {limit for _, limit, _ in seen} == {expected}
    assert all(Path(spill).name == "duckdb_spill" and Path(spill).parent.name.startswith("fcm-recon-")
               for _, _, spill in seen)


def test_a_limit_too_low_is_an_error_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    landing = small_day(tmp_path / "landing")
    assert run(landing, tmp_path / "wh.duckdb", "--memory-limit", "1KB") == 1
    assert "ran out of memory within --memory-limit 1KB" in capsys.readouterr().err


def test_a_limit_that_is_no_size_is_refused_before_the_run(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path / "no-landing", tmp_path / "wh.duckdb", "--memory-limit", "lots") == 1
    assert "--memory-limit lots" in capsys.readouterr().err
    assert not (tmp_path / "wh.duckdb").exists()
