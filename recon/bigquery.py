"""The BigQuery warehouse: the tables of ``sql/warehouse_schema.yaml`` in one dataset, with the DuckDB warehouse's
interface (:class:`recon.warehouse.DuckDBWarehouse`) so the stages publish to either.

One of the two modules of recon/ that import a Google client; :func:`recon.targets.open_warehouse` imports it only
for a ``bigquery://project/dataset`` target. Tables are created from the schema file: money ``NUMERIC(38, 9)``,
partitioned by ``business_date`` (DAY) and clustered as the file says.

Publishing a date: every table's rows and the run's ``runs`` row are loaded (Parquet) into staging tables of the
dataset, read back and checked against the hashes the run row records, then one multi-statement script replaces the
date's partition of every table and appends the run row inside one transaction (``DELETE`` + ``INSERT`` keyed on the
date, no partition decorators): a failure leaves the dataset as before, never half-written. The date is a script
variable read from the staged run row, so no value is written into SQL text. Every job carries the labels
``run_id`` and ``business_date``. ``runs`` is append-only.

:class:`BigQueryEngine` is the bigquery engine of :mod:`recon.engines` (``--engine bigquery``): the SQL models built
inside BigQuery, in a scratch dataset beside the warehouse's, from the run's input tables loaded there.

``BIGQUERY_EMULATOR_HOST`` (``host:port``) points the client at a local emulator with anonymous credentials;
``FCM_RECON_BIGQUERY_RETRY_SECONDS`` bounds how long a call is retried (default 300).
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Self

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from google.api_core import exceptions as api_exceptions
from google.api_core.client_options import ClientOptions
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
from google.cloud.bigquery.retry import DEFAULT_JOB_RETRY, DEFAULT_RETRY

from recon.engines import bigquery_sql
from recon.errors import ConfigError, InvariantViolation, StaleRun, WarehouseError, invariant
from recon.faults import pause_point
from recon.money import MONEY_PRECISION, MONEY_SCALE
from recon.rules import RuleSet
from recon.schema import Table, replaced_tables, warehouse_tables
from recon.sqlmodels import upstream
from recon.targets import BigQueryTarget
from recon.warehouse import COMPLETED_STATUSES, _conform, row_text

EMULATOR_HOST_VARIABLE = "BIGQUERY_EMULATOR_HOST"
RETRY_SECONDS_VARIABLE = "FCM_RECON_BIGQUERY_RETRY_SECONDS"
RETRY_SECONDS_DEFAULT = 300.0
STAGING_EXPIRATION = timedelta(days=1)  # a staging table a crash left behind expires on its own
SCRATCH_SUFFIX = "_scratch"  # the bigquery engine's dataset beside the warehouse's: <dataset>_scratch
SCRATCH_EXPIRATION = timedelta(days=1)  # a run's input and model tables are kept that long, to look into
PUBLISH_DATE_VARIABLE = "publish_date"
# the publish script's error when the chain moved under the run (recon.errors.StaleRun)
CHAIN_MOVED = "fcm-recon: the chain moved since the run landed"


def schema_fields(table: Table) -> list[bigquery.SchemaField]:
    """A warehouse table's BigQuery schema (the schema file's types are BigQuery's; money is NUMERIC(38, 9))."""
    return [
        bigquery.SchemaField(
            column.name, column.type, mode=column.mode, description=column.description or None,
            precision=MONEY_PRECISION if column.type == "NUMERIC" else None,
            scale=MONEY_SCALE if column.type == "NUMERIC" else None,
        )
        for column in table.columns
    ]


def arrow_fields(schema: pa.Schema, where: str) -> list[bigquery.SchemaField]:
    """The BigQuery schema of an Arrow table's columns: text STRING, integers INT64, money (and every decimal)
    ``NUMERIC(38, 9)``, DATE, BOOL, naive timestamps DATETIME and aware ones TIMESTAMP, lists REPEATED. Any other
    type (a float above all) is an error naming ``where``: nothing is converted inexactly."""
    fields = []
    for field in schema:
        arrow_type, mode = field.type, "NULLABLE"
        if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
            arrow_type, mode = arrow_type.value_type, "REPEATED"
        if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
            kind = "STRING"
        elif pa.types.is_integer(arrow_type):
            kind = "INT64"
        elif arrow_type == pa.decimal128(MONEY_PRECISION, MONEY_SCALE):
            kind = "NUMERIC"
        elif pa.types.is_date32(arrow_type) or pa.types.is_boolean(arrow_type):
            kind = "DATE" if pa.types.is_date32(arrow_type) else "BOOL"
        elif pa.types.is_timestamp(arrow_type):
            kind = "TIMESTAMP" if arrow_type.tz else "DATETIME"
        else:
            raise InvariantViolation(f"{where}.{field.name}: no exact BigQuery type for Arrow {field.type}")
        fields.append(bigquery.SchemaField(
            field.name, kind, mode=mode, precision=MONEY_PRECISION if kind == "NUMERIC" else None,
            scale=MONEY_SCALE if kind == "NUMERIC" else None))
    return fields


def _retry_seconds() -> float:
    text = os.environ.get(RETRY_SECONDS_VARIABLE, str(RETRY_SECONDS_DEFAULT))
    try:
        seconds = float(text)
    except ValueError:
        raise ConfigError(f"{RETRY_SECONDS_VARIABLE}={text!r}: expected a number of seconds") from None
    if not seconds > 0:
        raise ConfigError(f"{RETRY_SECONDS_VARIABLE}={text!r}: expected a positive number of seconds")
    return seconds


def _client(project: str) -> bigquery.Client:
    host = os.environ.get(EMULATOR_HOST_VARIABLE)
    try:
        if host:
            endpoint = host if host.startswith("http") else f"http://{host}"
            return bigquery.Client(project=project, credentials=AnonymousCredentials(),
                                   client_options=ClientOptions(api_endpoint=endpoint))
        return bigquery.Client(project=project)
    except auth_exceptions.GoogleAuthError as error:
        raise WarehouseError(f"cannot reach BigQuery for project {project}: {error}") from None


@contextmanager
def _translated(target: BigQueryTarget, action: str) -> Iterator[None]:
    """Google API errors become :class:`WarehouseError` naming the target and what was being done."""
    try:
        yield
    except (api_exceptions.GoogleAPIError, auth_exceptions.GoogleAuthError) as error:
        raise WarehouseError(f"{target}: {action} failed: {error}") from None


def sorted_rows(table: Table, data: pa.Table, order: list[str] | None = None) -> list[dict]:
    """Rows of ``data`` cast to ``table``'s types, in the DuckDB warehouse's order (key, then every column), with
    the values DuckDB returns: the same rows give the same list, and so the same hash, in both warehouses."""
    columns = [c for c in table.column_names if c in data.column_names]
    data = data.select(columns).cast(pa.schema([table.arrow_schema().field(c) for c in columns]))
    connection = duckdb.connect()
    try:
        connection.execute("set enable_progress_bar = false")  # it would print into the command's output
        connection.register("partition_rows", data)
        cursor = connection.execute(
            f"select * from partition_rows order by {', '.join(order or [*table.key, *table.column_names])}")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        connection.close()


def rows_hash(rows: list[dict]) -> str:
    """SHA-256 of rows as :meth:`recon.warehouse.DuckDBWarehouse.partition_hash` computes it."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(row_text(row).encode() + b"\n")
    return digest.hexdigest()


def _parquet(data: pa.Table) -> io.BytesIO:
    buffer = io.BytesIO()
    pq.write_table(data, buffer)
    buffer.seek(0)
    return buffer


class _Jobs:
    """A client of a target's project whose calls and jobs are retried for at most the configured seconds. Use as a
    context manager."""

    def __init__(self, target: BigQueryTarget) -> None:
        self.target = target
        seconds = _retry_seconds()
        self._retry = DEFAULT_RETRY.with_timeout(seconds)
        self._job_retry = DEFAULT_JOB_RETRY.with_timeout(seconds)
        self._timeout = seconds
        self.client = _client(target.project)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.client.close()

    def _wait(self, job: bigquery.LoadJob | bigquery.QueryJob) -> None:
        job.result(retry=self._retry, timeout=self._timeout)

    def _submit(self, sql: str, parameters: list, labels: dict[str, str] | None = None,
                job_id_prefix: str | None = None) -> bigquery.QueryJob:
        config = bigquery.QueryJobConfig(query_parameters=parameters, labels=labels or {})
        return self.client.query(sql, job_config=config, job_id_prefix=job_id_prefix, retry=self._retry,
                                 job_retry=self._job_retry, timeout=self._timeout)

    def _query(self, sql: str, parameters: list, labels: dict[str, str] | None = None) -> bigquery.QueryJob:
        job = self._submit(sql, parameters, labels)
        self._wait(job)
        return job

    def _load(self, data: pa.Table, table_id: str, labels: dict[str, str], disposition: str,
              schema: list[bigquery.SchemaField], create: str = bigquery.CreateDisposition.CREATE_NEVER) -> None:
        """Load ``data`` as Parquet into the table ``table_id`` of ``schema`` (which must exist, unless ``create``
        says otherwise)."""
        config = bigquery.LoadJobConfig(
            source_format=bigquery.SourceFormat.PARQUET, schema=schema, labels=labels, write_disposition=disposition,
            create_disposition=create)
        config.parquet_options = bigquery.ParquetOptions()
        config.parquet_options.enable_list_inference = True  # Parquet LIST columns load as REPEATED
        job = self.client.load_table_from_file(_parquet(data), table_id, job_config=config,
                                               job_id_prefix="fcm_recon_load_", timeout=self._timeout)
        self._wait(job)


class BigQueryWarehouse(_Jobs):
    """A warehouse in one BigQuery dataset. Use as a context manager; creates the dataset and tables if missing."""

    def __init__(self, target: BigQueryTarget) -> None:
        super().__init__(target)
        with _translated(target, "creating the dataset and tables"):
            self._ensure_tables()

    def table_id(self, name: str) -> str:
        """The fully qualified id of a table of the dataset."""
        return f"{self.target.project}.{self.target.dataset}.{name}"

    def _ensure_tables(self) -> None:
        dataset = bigquery.Dataset(f"{self.target.project}.{self.target.dataset}")
        self.client.create_dataset(dataset, exists_ok=True, retry=self._retry, timeout=self._timeout)
        for table in warehouse_tables().values():
            wanted = bigquery.Table(self.table_id(table.name), schema=schema_fields(table))
            wanted.description = table.description
            wanted.time_partitioning = bigquery.TimePartitioning(
                type_=bigquery.TimePartitioningType.DAY, field=table.partition_by)
            wanted.clustering_fields = list(table.cluster_by) or None
            found = self.client.create_table(wanted, exists_ok=True, retry=self._retry, timeout=self._timeout)
            self._check_schema(table, found)

    def _check_schema(self, table: Table, found: bigquery.Table) -> None:
        expected = [(f.name, f.field_type, f.mode) for f in schema_fields(table)]
        actual = [(f.name, f.field_type, f.mode) for f in found.schema]
        if actual != expected:
            raise WarehouseError(f"{self.target}: table {table.name} exists with another schema: expected "
                                 f"{expected}, found {actual}")

    def _labels(self, run_id: str, business_date: date) -> dict[str, str]:
        return {"run_id": run_id, "business_date": business_date.isoformat(), "app": "fcm-recon"}

    def _select(self, table: Table, sql: str, parameters: list, order: list[str] | None = None) -> list[dict]:
        with _translated(self.target, f"reading {table.name}"):
            data = self._query(sql, parameters).to_arrow(create_bqstorage_client=False)
        return sorted_rows(table, data, order)

    def _stage(self, table: Table, data: pa.Table, labels: dict[str, str]) -> str:
        """Load ``data`` into a new staging table named after the run; returns its id."""
        staging_id = self.table_id(f"_staging_{labels['run_id']}_{table.name}")
        staging = bigquery.Table(staging_id, schema=schema_fields(table))
        staging.expires = datetime.now(UTC) + STAGING_EXPIRATION
        self.client.delete_table(staging_id, not_found_ok=True, retry=self._retry, timeout=self._timeout)
        self.client.create_table(staging, retry=self._retry, timeout=self._timeout)
        self._load(data, staging_id, labels, bigquery.WriteDisposition.WRITE_APPEND, schema_fields(table))
        return staging_id

    def _replace_script(self, staged: dict[str, str]) -> str:
        """Replace every staged table's partition and append the staged run row, in one transaction, which first
        checks (inside it) that the chain has not moved since the run's land stage: no completed run at or after
        the staged run's sequence, and no end recorded for its attempt. The check before the script
        (recon.stages) leaves a window in which another run of the date can publish; this one closes it, and
        BigQuery aborts one of two transactions that change the same partitions at once."""
        runs = warehouse_tables()["runs"]
        completed = ", ".join(f"'{status}'" for status in COMPLETED_STATUSES)
        statements = [
            f"DECLARE {PUBLISH_DATE_VARIABLE} DATE DEFAULT (SELECT business_date FROM `{staged['runs']}`);",
            "BEGIN TRANSACTION;",
            # ERROR() inside IF, not RAISE: the same check, and the emulator the tests use runs it
            f"SELECT IF(EXISTS (SELECT 1 FROM `{self.table_id('runs')}` AS published, `{staged['runs']}` AS staged "
            f"WHERE (published.status IN ({completed}) AND published.sequence >= staged.sequence) "
            f"OR (published.run_id = staged.run_id AND published.status <> 'RUNNING')), ERROR('{CHAIN_MOVED}'), 0);",
        ]
        for name in sorted(n for n in staged if n != "runs"):
            columns = ", ".join(warehouse_tables()[name].column_names)
            statements += [
                f"DELETE FROM `{self.table_id(name)}` WHERE business_date = {PUBLISH_DATE_VARIABLE};",
                f"INSERT INTO `{self.table_id(name)}` ({columns}) SELECT {columns} FROM `{staged[name]}`;",
            ]
        columns = ", ".join(runs.column_names)
        statements += [f"INSERT INTO `{self.table_id('runs')}` ({columns}) SELECT {columns} FROM `{staged['runs']}`;",
                       "COMMIT TRANSACTION;"]
        return "\n".join(statements)

    def publish(
        self, business_date: date, tables: dict[str, pa.Table], make_run_row: Callable[[dict[str, str]], dict]
    ) -> dict:
        """Replace ``business_date``'s partition of every replaced table and append the run's row, atomically.

        ``make_run_row`` receives the SHA-256 of every partition (as the DuckDB warehouse computes it); the staged
        rows read back from BigQuery must hash the same before the script publishes them. Returns the run row.
        """
        expected = {t.name for t in replaced_tables()}
        if set(tables) != expected:
            raise InvariantViolation(f"publish needs exactly {sorted(expected)}, got {sorted(tables)}")
        schema = warehouse_tables()
        conformed = {name: _conform(schema[name], data, business_date) for name, data in sorted(tables.items())}
        for name, data in conformed.items():
            invariant(set(data.column("business_date").to_pylist()) <= {business_date},
                      f"{name}: rows of another date than {business_date} in the partition to publish")
        hashes = {name: rows_hash(sorted_rows(schema[name], data)) for name, data in conformed.items()}
        run_row = make_run_row(hashes)
        labels = self._labels(run_row["run_id"], business_date)
        staged: dict[str, str] = {}
        with _translated(self.target, f"publishing {business_date}"):
            try:
                for name, data in conformed.items():
                    staged[name] = self._stage(schema[name], data, labels)
                    self._check_staged(schema[name], staged[name], hashes[name])
                staged["runs"] = self._stage(schema["runs"], pa.Table.from_pylist(
                    [run_row], schema=schema["runs"].arrow_schema()), labels)
                pause_point("publish-transaction")
                try:
                    self._query(self._replace_script(staged), [], labels)
                except api_exceptions.GoogleAPIError as error:
                    if CHAIN_MOVED not in str(error):
                        raise
                    raise StaleRun(f"run {run_row['run_id']} of {business_date}: another run published, or the "
                                   f"attempt was recorded as ended, since it landed (checked inside the publish "
                                   f"transaction): nothing was published; run it again") from None
            finally:
                for table_id in staged.values():
                    self.client.delete_table(table_id, not_found_ok=True, retry=self._retry, timeout=self._timeout)
        return run_row

    def _check_staged(self, table: Table, table_id: str, expected_hash: str) -> None:
        """Assert in pairs: what BigQuery holds in staging hashes as the rows the run row records."""
        found = rows_hash(self._select(table, f"SELECT * FROM `{table_id}`", []))
        invariant(found == expected_hash, f"{table.name}: the staged rows hash {found} in BigQuery, the run "
                                          f"records {expected_hash}")

    def append_run(self, run_row: dict) -> None:
        """Append one row to ``runs`` on its own (a failed run, which publishes nothing else)."""
        runs = warehouse_tables()["runs"]
        labels = self._labels(run_row["run_id"], run_row["business_date"])
        with _translated(self.target, "appending a run"):
            self._load(pa.Table.from_pylist([run_row], schema=runs.arrow_schema()), self.table_id("runs"), labels,
                       bigquery.WriteDisposition.WRITE_APPEND, schema_fields(runs))

    def append(self, name: str, rows: list[dict]) -> None:
        """Append rows to an append-only table other than ``runs`` (people's decisions, filings), in one load."""
        table = warehouse_tables()[name]
        if not table.append_only or name == "runs":
            raise InvariantViolation(f"{name}: only the append-only record tables take appended rows")
        with _translated(self.target, f"appending to {name}"):
            self._load(pa.Table.from_pylist(rows, schema=table.arrow_schema()), self.table_id(name),
                       {"app": "fcm-recon", "appended_table": name}, bigquery.WriteDisposition.WRITE_APPEND,
                       schema_fields(table))

    def last_run(self) -> tuple[int, str] | None:
        """(sequence, manifest_hash) of the newest run in the chain, or None for an empty warehouse."""
        with _translated(self.target, "reading runs"):
            statuses = ", ".join(f"'{status}'" for status in COMPLETED_STATUSES)
            rows = list(self._query(f"SELECT sequence, manifest_hash FROM `{self.table_id('runs')}` "
                                    f"WHERE status IN ({statuses}) ORDER BY sequence DESC LIMIT 1", [])
                        .result(retry=self._retry))
        return (int(rows[0]["sequence"]), str(rows[0]["manifest_hash"])) if rows else None

    def read_partition(self, name: str, business_date: date, where: dict[str, str] | None = None) -> list[dict]:
        """A table's rows for one date (those whose columns equal ``where``'s values), in the DuckDB warehouse's
        total order and with its values."""
        table = warehouse_tables()[name]
        where = where or {}
        invariant(set(where) <= set(table.column_names), f"{name} has no column among {tuple(where)}")
        parameters = [bigquery.ScalarQueryParameter("business_date", "DATE", business_date)]
        parameters += [bigquery.ScalarQueryParameter(f"where_{n}", "STRING", value)
                       for n, value in enumerate(where.values())]
        filters = "".join(f" AND {column} = @where_{n}" for n, column in enumerate(where))
        return self._select(table, f"SELECT * FROM `{self.table_id(name)}` WHERE business_date = @business_date"
                                   f"{filters}", parameters)

    def read_until(self, name: str, business_date: date) -> list[dict]:
        """A table's rows of ``business_date`` and every earlier date, in the order of :meth:`read_partition`."""
        parameter = bigquery.ScalarQueryParameter("business_date", "DATE", business_date)
        return self._select(warehouse_tables()[name],
                            f"SELECT * FROM `{self.table_id(name)}` WHERE business_date <= @business_date", [parameter])

    def partition_hash(self, name: str, business_date: date) -> str:
        """SHA-256 of a table's partition exported in key order: equal to the DuckDB warehouse's for equal rows."""
        return rows_hash(self.read_partition(name, business_date))

    def runs(self, business_date: date | None = None) -> list[dict]:
        """The completed runs (the manifest chain) in chain order, optionally for one date."""
        return [run for run in self.attempts(business_date) if run["status"] in COMPLETED_STATUSES]

    def attempts(self, business_date: date | None = None) -> list[dict]:
        """Every row of ``runs`` (RUNNING, FAILED and completed), in the DuckDB warehouse's order."""
        sql, parameters = f"SELECT * FROM `{self.table_id('runs')}`", []
        if business_date:
            sql += " WHERE business_date = @business_date"
            parameters = [bigquery.ScalarQueryParameter("business_date", "DATE", business_date)]
        return self._select(warehouse_tables()["runs"], sql, parameters,
                            order=["sequence", "started_at", "run_id", "status <> 'RUNNING'", "status"])

    def partition_dates(self, name: str) -> list[date]:
        """The business dates a table holds rows of, in order."""
        with _translated(self.target, f"reading {name}"):
            rows = self._query(f"SELECT DISTINCT business_date FROM `{self.table_id(name)}`", []).result(
                retry=self._retry)
        return sorted(row["business_date"] for row in rows)


class BigQueryEngine(_Jobs):
    """The SQL models run inside BigQuery (:mod:`recon.engines`), in the scratch dataset ``<dataset>_scratch`` of
    the warehouse's project: the run's input tables are loaded from Parquet and each model is built by a query job
    ``CREATE OR REPLACE TABLE ... AS`` its transpiled select, every table named ``r<run_id>__<name>`` (a retried
    stage replaces its own tables, two runs never share one) and expiring after a day. Every job is labelled with
    the run id and date; a failure is a :class:`WarehouseError` naming the input or model."""

    def __init__(self, target: BigQueryTarget, run_id: str, business_date: date) -> None:
        super().__init__(target)
        self.dataset = f"{target.dataset}{SCRATCH_SUFFIX}"
        self.labels = {"run_id": run_id, "business_date": business_date.isoformat(), "app": "fcm-recon"}
        self._prefix = f"r{run_id}__"
        dataset = bigquery.Dataset(f"{target.project}.{self.dataset}")
        dataset.default_table_expiration_ms = int(SCRATCH_EXPIRATION.total_seconds() * 1000)
        with _translated(target, f"creating the scratch dataset {self.dataset}"):
            self.client.create_dataset(dataset, exists_ok=True, retry=self._retry, timeout=self._timeout)

    def table_id(self, name: str) -> str:
        """The fully qualified id of the run's table ``name`` (an input or a model) in the scratch dataset."""
        return f"{self.target.project}.{self.dataset}.{self._prefix}{name}"

    def load(self, tables: Mapping[str, pa.Table]) -> None:
        for name, data in sorted(tables.items()):
            with _translated(self.target, f"loading input table {name}"):
                self._load(data, self.table_id(name), self.labels, bigquery.WriteDisposition.WRITE_TRUNCATE,
                           arrow_fields(data.schema, name), bigquery.CreateDisposition.CREATE_IF_NEEDED)

    def run(self, targets: tuple[str, ...], rules: RuleSet) -> None:
        """Build the models in waves: a wave is every model whose inputs earlier waves built, its jobs run
        concurrently, and the next wave starts when they have all finished."""
        models = upstream(targets, rules)
        wave_of: dict[str, int] = {}
        for model in models:
            wave_of[model.name] = 1 + max((wave_of[d] for d in model.depends_on if d in wave_of), default=0)
        for wave in sorted(set(wave_of.values())):
            jobs = []
            for model in (m for m in models if wave_of[m.name] == wave):
                sql = f"CREATE OR REPLACE TABLE `{self.table_id(model.name)}` AS\n{bigquery_sql(model, self.table_id)}"
                with _translated(self.target, f"building sql model {model.name}"):
                    jobs.append((model, self._submit(sql, [], self.labels, f"fcm_recon_model_{model.name}_")))
            for model, job in jobs:
                with _translated(self.target, f"building sql model {model.name}"):
                    self._wait(job)

    def read(self, names: Iterable[str]) -> dict[str, pa.Table]:
        tables = {}
        for name in names:
            with _translated(self.target, f"reading sql model {name}"):
                rows = self.client.list_rows(self.table_id(name), retry=self._retry, timeout=self._timeout)
                tables[name] = rows.to_arrow(create_bqstorage_client=False)
        return tables
