"""Shared fixtures: the public sample files beside the checkout, and the repository root."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from recon.settings import SECURED_ON_HOLIDAYS_VARIABLE

# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE (default ``ci``). ``ci`` keeps `make test` within its budget: few
# examples, derandomized so a run is reproducible, no deadline (an example may run the SQL models or a whole day).
# Tests that state their own max_examples keep it; the property tests of tests/properties scale theirs from the
# profile's (tests/properties/days.py: examples).
settings.register_profile("ci", max_examples=10, deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", max_examples=40, deadline=None, print_blob=True)
settings.register_profile("nightly", max_examples=300, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO_ROOT.parent / "shared" / "samples"


@pytest.fixture(scope="session", autouse=True)
def _secured_on_holidays_unset() -> Iterator[None]:
    """A developer's own FCM_RECON_SECURED_ON_HOLIDAYS (the default of `fcm-recon backfill --secured-holidays` and of
    the DAG's holiday runs) does not leak into the tests: those that depend on it set it themselves."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(SECURED_ON_HOLIDAYS_VARIABLE, raising=False)
        yield


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """``../shared/samples``: skipped with a reason when absent, a failure under CI=true."""
    if not SAMPLES_DIR.is_dir():
        message = f"the public samples are not at {SAMPLES_DIR}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true requires them)")
        pytest.skip(message)
    return SAMPLES_DIR
