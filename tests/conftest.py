"""Shared fixtures: the public sample files beside the checkout, and the repository root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO_ROOT.parent / "shared" / "samples"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """``../shared/samples``: skipped with a reason when absent, a failure under CI=true."""
    if not SAMPLES_DIR.is_dir():
        message = f"the public samples are not at {SAMPLES_DIR}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true requires them)")
        pytest.skip(message)
    return SAMPLES_DIR
