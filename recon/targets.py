"""Where a run reads and writes: the landing root and the warehouse target, as the command line and DAG name them
(and the names of the engines the SQL models can run on).

A landing root is a local folder or ``gs://bucket/prefix``; a warehouse is a DuckDB file or
``bigquery://project/dataset``. Parsing is core and imports no Google client: :func:`open_warehouse` imports the
BigQuery adapter (:mod:`recon.bigquery`) only for a BigQuery target, and the land stage imports :mod:`recon.gcs` only
for a GCS landing. A text that names a cloud scheme but is malformed is refused, never read as a local path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from recon.errors import ConfigError
from recon.warehouse import DuckDBWarehouse, open_file

if TYPE_CHECKING:
    from recon.bigquery import BigQueryWarehouse

# where the SQL models run (recon.engines): in this process, or inside the BigQuery project of the warehouse
DUCKDB_ENGINE, BIGQUERY_ENGINE = "duckdb", "bigquery"
ENGINES = (DUCKDB_ENGINE, BIGQUERY_ENGINE)
GCS_SCHEME = "gs://"
BIGQUERY_SCHEME = "bigquery://"
# GCS bucket names (dotted names aside) and BigQuery project and dataset ids, as Google defines them
_BUCKET = re.compile(r"[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]")
_PROJECT = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")
_DATASET = re.compile(r"[A-Za-z0-9_]{1,1024}")

# the DuckDB warehouse of the enclosing held_warehouse block, open (None outside one)
_HELD: ContextVar[DuckDBWarehouse | None] = ContextVar("held_warehouse", default=None)


@dataclass(frozen=True)
class GcsLanding:
    """A landing root in Cloud Storage: the objects of ``bucket`` under ``prefix`` ('' for the whole bucket; no
    leading or trailing slash), laid out as a local landing root is (spec/inputs.md)."""

    bucket: str
    prefix: str

    def object_name(self, rel_path: str) -> str:
        """The object name of a path relative to the landing root."""
        return f"{self.prefix}/{rel_path}" if self.prefix else rel_path

    def __str__(self) -> str:
        return f"{GCS_SCHEME}{self.bucket}/{self.prefix}"


@dataclass(frozen=True)
class BigQueryTarget:
    """A warehouse in BigQuery: the tables of ``sql/warehouse_schema.yaml`` in ``project.dataset``."""

    project: str
    dataset: str

    def __str__(self) -> str:
        return f"{BIGQUERY_SCHEME}{self.project}/{self.dataset}"


Landing = Path | GcsLanding
WarehouseTarget = Path | BigQueryTarget


def _refuse_mangled(text: str, scheme: str) -> None:
    """A scheme with one slash (``Path("gs://b")`` gives ``gs:/b``) must not become a local folder of that name."""
    name = scheme.removesuffix("//")
    if text.startswith(name) and not text.startswith(scheme):
        raise ConfigError(f"{text!r}: a {scheme} target must be written {scheme}..., not as a local path")


def parse_landing(text: str | Path) -> Landing:
    """A landing root from its text: ``gs://bucket[/prefix]`` or a local folder."""
    text = str(text)
    _refuse_mangled(text, GCS_SCHEME)
    if not text.startswith(GCS_SCHEME):
        return Path(text)
    bucket, _, prefix = text.removeprefix(GCS_SCHEME).partition("/")
    prefix = prefix.strip("/")
    if not _BUCKET.fullmatch(bucket) or any(part in ("", ".", "..") for part in prefix.split("/") if prefix):
        raise ConfigError(f"{text!r}: expected gs://BUCKET/PREFIX with a valid bucket name and no empty, '.' or "
                          "'..' prefix segment")
    return GcsLanding(bucket, prefix)


def parse_warehouse(text: str | Path) -> WarehouseTarget:
    """A warehouse target from its text: ``bigquery://project/dataset`` or a DuckDB file path."""
    text = str(text)
    _refuse_mangled(text, BIGQUERY_SCHEME)
    if not text.startswith(BIGQUERY_SCHEME):
        return Path(text)
    project, _, dataset = text.removeprefix(BIGQUERY_SCHEME).partition("/")
    if not _PROJECT.fullmatch(project) or not _DATASET.fullmatch(dataset):
        raise ConfigError(f"{text!r}: expected bigquery://PROJECT/DATASET with a valid project id and dataset name")
    return BigQueryTarget(project, dataset)


def open_warehouse(target: WarehouseTarget) -> AbstractContextManager[DuckDBWarehouse | BigQueryWarehouse]:
    """The warehouse a target names, opened (tables created if missing). Use as a context manager. Inside a
    :func:`held_warehouse` block of the same DuckDB file, its connection, left open at the end of the ``with``."""
    if isinstance(target, BigQueryTarget):
        from recon.bigquery import BigQueryWarehouse

        return BigQueryWarehouse(target)
    _refuse_mangled(str(target), BIGQUERY_SCHEME)  # Path("bigquery://p/d") must not become a local file
    held = _HELD.get()
    return nullcontext(held) if held is not None and held.path == target else DuckDBWarehouse(target)


@contextmanager
def held_warehouse(target: WarehouseTarget) -> Iterator[None]:
    """Inside the block, :func:`open_warehouse` of a DuckDB ``target`` hands out one connection, opened here and
    closed at the block's end, instead of opening the file each time (a backfill's day opened it five times: 0.03 s
    each, and a checkpoint at each close). A BigQuery target is opened as usual."""
    if isinstance(target, BigQueryTarget):
        yield
        return
    with open_warehouse(target) as warehouse:
        token = _HELD.set(warehouse)
        try:
            yield
        finally:
            _HELD.reset(token)


@contextmanager
def released_warehouse(target: WarehouseTarget) -> Iterator[None]:
    """Inside a :func:`held_warehouse` block of ``target``: the file closed for the block (so another process can
    open it), and opened again after. Elsewhere nothing is held, and nothing is done."""
    held = _HELD.get()
    if held is None or held.path != target:
        yield
        return
    held.connection.close()
    try:
        yield
    finally:
        held.connection = open_file(target)


def warehouse_exists(target: WarehouseTarget) -> bool:
    """Whether a local warehouse file exists; a BigQuery dataset is created on open, so it counts as existing."""
    return isinstance(target, BigQueryTarget) or target.exists()
