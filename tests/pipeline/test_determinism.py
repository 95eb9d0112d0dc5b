"""Re-running a date reproduces the warehouse exactly: shuffled inputs, another hash seed, another process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from recon.pipeline import run_day
from recon.schema import replaced_tables
from recon.warehouse import DuckDBWarehouse
from tests.factory import DAY
from tests.pipeline.test_cash_run import cash_day


def run_cli(landing: Path, warehouse: Path, hash_seed: str) -> dict:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    completed = subprocess.run(
        [sys.executable, "-m", "recon.cli", "run", "--date", DAY.isoformat(), "--landing", str(landing),
         "--warehouse", str(warehouse), "--json"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


POSITIONAL_COLUMNS = {"location", "file_sha256"}  # where a quarantined row sits in the file, and the file's bytes


def _without_position(rows: list[dict]) -> list[dict]:
    return sorted(({k: v for k, v in r.items() if k not in POSITIONAL_COLUMNS} for r in rows), key=repr)


def test_shuffled_inputs_and_another_hash_seed_give_identical_tables(tmp_path: Path) -> None:
    """Rows shuffled in every file and PYTHONHASHSEED changed: every table is identical (quarantine too, but for the
    line it names, which follows the row and is checked against the file)."""
    ordered = cash_day().write(tmp_path / "ordered")
    shuffled = cash_day().write(tmp_path / "shuffled", shuffle_seed=7)
    assert (ordered / "2026-11-24/ledger/cash_journal.csv").read_bytes() != (
        shuffled / "2026-11-24/ledger/cash_journal.csv").read_bytes()
    first = run_cli(ordered, tmp_path / "a.duckdb", "1")
    second = run_cli(shuffled, tmp_path / "b.duckdb", "12345")
    with DuckDBWarehouse(tmp_path / "a.duckdb") as a, DuckDBWarehouse(tmp_path / "b.duckdb") as b:
        for table in replaced_tables():
            rows_a, rows_b = a.read_partition(table.name, DAY), b.read_partition(table.name, DAY)
            if table.name == "quarantine":
                assert _without_position(rows_a) == _without_position(rows_b)
                quarantined = rows_b
            else:
                assert rows_a == rows_b, table.name
        hashes_a = json.loads(a.runs(DAY)[0]["output_hashes"])
        hashes_b = json.loads(b.runs(DAY)[0]["output_hashes"])
    assert {k: v for k, v in hashes_a.items() if k != "quarantine"} == {
        k: v for k, v in hashes_b.items() if k != "quarantine"}
    lines = (shuffled / "2026-11-24/ledger/cash_journal.csv").read_text().splitlines()
    for row in quarantined:
        entry_id = row["record_id"].split(":", 1)[1]
        assert lines[int(row["location"].removeprefix("line ")) - 1].startswith(entry_id + ","), row
    assert first["publish"]["rows"]["recon_breaks"] == second["publish"]["rows"]["recon_breaks"] == 9


def test_running_a_date_twice_replaces_its_partition_and_chains_the_manifests(tmp_path: Path) -> None:
    """The second run leaves the same contents, adds a run whose manifest points at the first."""
    landing = cash_day().write(tmp_path / "landing")
    warehouse = tmp_path / "wh.duckdb"
    first = run_day(DAY, landing, warehouse).stages
    with DuckDBWarehouse(warehouse) as target:
        before = {t.name: target.partition_hash(t.name, DAY) for t in replaced_tables()}
    second = run_day(DAY, landing, warehouse).stages
    with DuckDBWarehouse(warehouse) as target:
        after = {t.name: target.partition_hash(t.name, DAY) for t in replaced_tables()}
        runs = target.runs()
        total_breaks = target.connection.execute("select count(*) from recon_breaks").fetchone()[0]
    assert before == after
    assert total_breaks == 9
    assert [r["sequence"] for r in runs] == [1, 2]
    assert runs[1]["previous_manifest_hash"] == runs[0]["manifest_hash"] == first["publish"]["manifest_hash"]
    assert second["publish"]["run_id"] != first["publish"]["run_id"]
    amounts = [alert["amount_usd"] for alert in first["report"]["alerts"]]
    assert amounts and all(re.fullmatch(r"-?[0-9]+\.[0-9]{9}", amount) for amount in amounts)  # never 0E-9
    assert json.loads(runs[0]["output_hashes"]) == json.loads(runs[1]["output_hashes"]) == before
