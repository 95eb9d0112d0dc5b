"""verify --date re-runs a date from its recorded inputs and proves its outputs hash to the manifest; verify --chain
checks every manifest, link and partition, so a changed row or manifest is named; the break report and the statement
of a day whose published rows were changed say so first."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from recon.backfill import BackfillOptions, run_backfill
from recon.cli import main
from recon.errors import InputChanged
from recon.generate import GenerateOptions, generate
from recon.verify import verify_chain, verify_date
from recon.warehouse import DuckDBWarehouse

DAY1, DAY2 = date(2026, 11, 23), date(2026, 11, 24)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("verify")
    landing = folder / "landing"
    generate(landing, GenerateOptions(DAY1, 2, 10, 20, 7))
    warehouse = folder / "wh.duckdb"
    run_backfill(DAY1, DAY2, landing, warehouse, BackfillOptions(documents=False, progress=False))
    return {"landing": landing, "warehouse": warehouse}


def _copy(published: dict, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.duckdb"
    shutil.copy(published["warehouse"], copy)
    return copy


def test_a_date_re_runs_from_its_recorded_inputs_to_the_manifests_hashes(
        published: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--date", DAY2.isoformat(), "--landing", str(published["landing"]),
                 "--warehouse", str(published["warehouse"])]) == 0
    out = capsys.readouterr().out
    assert "OK      recon_breaks: manifest" in out and "verify: 8 OK, 0 DIFFERS" in out


def test_a_changed_input_file_is_named(published: dict, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(published["landing"], landing)
    journal = landing / DAY2.isoformat() / "ledger" / "cash_journal.csv"
    journal.write_text(journal.read_text() + "\n")
    with pytest.raises(InputChanged, match="2026-11-24/ledger/cash_journal.csv: run .* read SHA-256"):
        verify_date(DAY2, landing, published["warehouse"])


def test_the_chain_of_an_untouched_warehouse_verifies(published: dict) -> None:
    checks = verify_chain(published["warehouse"])
    assert [c for c in checks if not c.ok] == []
    assert {c.name for c in checks} >= {f"recon_breaks of {DAY1}", f"recon_breaks of {DAY2}"}


def test_a_changed_published_row_is_named(published: dict, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    warehouse = _copy(published, tmp_path)
    with DuckDBWarehouse(warehouse) as target:
        target.connection.execute(
            "update recon_breaks set difference = difference + 1 where business_date = ? and break_id = "
            "(select min(break_id) from recon_breaks where business_date = ?)", [DAY1, DAY1])
    assert main(["verify", "--chain", "--warehouse", str(warehouse)]) == 1
    out = capsys.readouterr().out
    assert f"DIFFERS recon_breaks of {DAY1}: partition hashes" in out
    assert "verify: " in out and ", 1 DIFFERS" in out


def test_a_day_whose_published_rows_changed_says_so_in_its_report_and_statement_and_cannot_be_filed(
        published: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warehouse = _copy(published, tmp_path)
    with DuckDBWarehouse(warehouse) as target:
        target.connection.execute(
            "update seg_statement_lines set amount_usd = coalesce(amount_usd, 0) + 1 where business_date = ? "
            "and seg_class = 'SEG'", [DAY2])
    day = ["--date", DAY2.isoformat(), "--warehouse", str(warehouse)]
    assert main(["breaks", *day, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tampered"] == []  # recon_breaks untouched
    assert main(["statement", *day, "--class", "SEG"]) == 2
    assert capsys.readouterr().out.startswith(
        f"INTEGRITY: the published seg_statement_lines of {DAY2} no longer hash to what its run recorded")
    assert main(["statement", *day, "--mark-filed", "--by", "Jane Compliance"]) == 1
    assert "it cannot be marked filed" in capsys.readouterr().err
    assert main(["statement", "--date", DAY1.isoformat(), "--warehouse", str(warehouse), "--class", "SEG",
                 "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["tampered"] == [] and document["stale_since"] is None


def test_a_changed_manifest_is_named_and_so_is_a_rewritten_hash(published: dict, tmp_path: Path) -> None:
    warehouse = _copy(published, tmp_path)
    with DuckDBWarehouse(warehouse) as target:
        first = target.runs(DAY1)[-1]
        target.connection.execute("update runs set manifest = replace(manifest, '\"strict\": true', "
                                  "'\"strict\": false') where run_id = ? and status = 'COMPLETED'", [first["run_id"]])
    failed = [c for c in verify_chain(warehouse) if not c.ok]
    assert [c.name for c in failed] == [f"run {first['run_id']} COMPLETED ({DAY1}, sequence 1)"]
    assert "manifest hashes" in failed[0].detail
    with DuckDBWarehouse(warehouse) as target:  # the forger also rewrites the row's hash: the next link breaks
        target.connection.execute("update runs set manifest_hash = sha256(manifest) where run_id = ? and "
                                  "status = 'COMPLETED'", [first["run_id"]])
    failed = [c for c in verify_chain(warehouse) if not c.ok]
    assert [c.name.split(" (")[0] for c in failed] == ["chain link 2"]
