"""Airflow test environment: set before anything imports airflow (a private AIRFLOW_HOME, our dags/ and dags/plugins/, no
examples).

Importing this conftest imports no airflow and creates nothing; the ``airflow_db`` fixture migrates a fresh metadata DB
once per session (per xdist worker), and ``dag_bag`` parses the DAG folder once.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

DAGS_FOLDER = REPO_ROOT / "dags"
PLUGINS_FOLDER = REPO_ROOT / "dags" / "plugins"
# Per process (each xdist worker has its own); Airflow creates it on import, so a session that imports no airflow
# leaves nothing behind. Removed at exit, after Airflow's own exit handlers (registered later, so run earlier).
AIRFLOW_HOME = Path(tempfile.gettempdir()) / f"fcm-recon-airflow-{os.getpid()}"
atexit.register(shutil.rmtree, AIRFLOW_HOME, ignore_errors=True)
os.environ.update({
    "AIRFLOW_HOME": str(AIRFLOW_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_FOLDER),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
    "AIRFLOW__CORE__PARALLELISM": "4",
})


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """A freshly migrated metadata DB (sqlite in AIRFLOW_HOME), as dag.test() needs."""
    from airflow.utils import db

    db.resetdb()


@pytest.fixture(scope="session")
def dag_bag():
    """Every file of dags/ parsed the way the DAG processor parses it."""
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=DAGS_FOLDER, safe_mode=False)
