"""Fixtures of the terraform checks: the terraform binary, the parsed HCL of terraform/ and checkov's environment.

Nothing here downloads a provider: terraform runs only on provider-free modules, with its data directory in a
temporary folder so that the work tree stays clean. Without a terraform binary the tests that need it skip with the
reason shown in the summary (`-ra`), except under CI=true, where its absence fails them.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import hcl2
import pytest
from hcl2 import SerializationOptions

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = ROOT / "terraform"
MODULES_DIR = TERRAFORM_DIR / "modules"
ENVIRONMENTS = ("dev", "prod")

CHECKOV_LOCK = TERRAFORM_DIR / "checkov" / "requirements.lock"
CHECKOV_VENV = ROOT / ".venv" / "checkov"
CHECKOV_ENV = {"CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "BC_SKIP_MAPPING": "TRUE"}

_HCL_OPTIONS = SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)


def parse_hcl(path: Path) -> dict:
    """One .tf or .tfvars file as python-hcl2's dict (blocks are lists of dicts, strings without their quotes)."""
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle, serialization_options=_HCL_OPTIONS)


def provider_free_modules() -> list[Path]:
    """The modules whose versions.tf requires no provider: the ones terraform validates and tests offline."""
    return sorted(
        module for module in MODULES_DIR.iterdir()
        if not any("required_providers" in block for block in parse_hcl(module / "versions.tf").get("terraform", []))
    )


def _require_tool(path: str | None, what: str) -> str:
    if path:
        return path
    reason = f"{what} is not installed, so the terraform checks cannot run"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires it")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def terraform() -> str:
    """Path of the terraform binary (skip without one, fail under CI=true)."""
    return _require_tool(shutil.which("terraform"), "the terraform binary (>= 1.9) on PATH")


def terraform_env(data_dir: Path) -> dict[str, str]:
    """Environment of a terraform command: no CLI config, no update check, its data directory out of the tree."""
    return {
        **os.environ,
        "TF_CLI_CONFIG_FILE": "/dev/null",
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        "TF_DATA_DIR": str(data_dir),
    }


def run(command: list[str], cwd: Path, env: dict[str, str], input_text: str | None = None) -> subprocess.CompletedProcess:
    """Run a command to completion (60 s at most), capturing its output as text."""
    return subprocess.run(command, cwd=cwd, env=env, input=input_text, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="session")
def checkov() -> str:
    """Path of checkov, installed from terraform/checkov/requirements.lock into .venv/checkov on first use.

    checkov 3.3 pins cachetools<6 and packaging<24, which apache-airflow 3.3 and google-cloud-bigquery exclude, so it
    has an environment and a lock of its own; the stamp holds the lock's hash, so a changed lock reinstalls.
    """
    uv = ROOT / ".venv" / "bin" / "uv"
    _require_tool(str(uv) if uv.exists() else None, "uv in .venv (make test installs it)")
    digest = hashlib.sha256(CHECKOV_LOCK.read_bytes()).hexdigest()
    stamp = CHECKOV_VENV / ".installed"
    CHECKOV_VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(CHECKOV_VENV.parent / ".checkov.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.exists() or stamp.read_text() != digest:
            python = CHECKOV_VENV / "bin" / "python"
            steps = [
                [str(uv), "venv", "--quiet", "--allow-existing", "--python", sys.executable, str(CHECKOV_VENV)],
                [str(uv), "pip", "sync", "--quiet", "--python", str(python), str(CHECKOV_LOCK)],
            ]
            for step in steps:
                done = subprocess.run(step, capture_output=True, text=True, timeout=300)
                if done.returncode != 0:
                    pytest.fail(f"installing checkov failed: {' '.join(step)}\n{done.stderr}")
            stamp.write_text(digest)
    return str(CHECKOV_VENV / "bin" / "checkov")
