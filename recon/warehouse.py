"""The embedded warehouse: a DuckDB file with the tables of ``sql/warehouse_schema.yaml``.

Publishing a business date replaces that date's partition of every non-append-only table and appends the run's row
to ``runs``, all in one transaction: a crash leaves the warehouse as before or as after, never in between.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from recon.errors import ConfigError, InvariantViolation, WarehouseError, invariant
from recon.faults import pause_point
from recon.schema import Table, replaced_tables, warehouse_tables

# the statuses of a run that published: the manifest chain is made of these rows; RUNNING and FAILED rows record
# attempts (a RUNNING row when an attempt starts, then its COMPLETED* row, or FAILED when it did not publish)
COMPLETED_STATUSES = ("COMPLETED", "COMPLETED_WITH_REJECTIONS")

# the DuckDB settings of the enclosing duckdb_limits and duckdb_threads blocks (none outside one)
_LIMITS: ContextVar[tuple[tuple[str, str], ...]] = ContextVar("duckdb_limits", default=())


@contextmanager
def duckdb_threads(threads: int) -> Iterator[None]:
    """Inside the block, every connection :func:`connect` opens runs its queries on at most ``threads`` threads (a
    backfill leaves the machine's other cores to its worker process)."""
    token = _LIMITS.set((*_LIMITS.get(), ("threads", str(threads))))
    try:
        yield
    finally:
        _LIMITS.reset(token)


@contextmanager
def duckdb_limits(memory_limit: str | None, temp_directory: Path) -> Iterator[None]:
    """Inside the block, every connection :func:`connect` opens keeps to ``memory_limit`` (DuckDB's syntax: "2GB",
    "500MiB") and spills what does not fit to files under ``temp_directory``; with no limit, DuckDB's defaults
    apply. Running out of memory within the limit is a :class:`ConfigError` naming it."""
    if memory_limit is None:
        yield
        return
    settings = (("memory_limit", memory_limit), ("temp_directory", str(temp_directory)))
    try:
        duckdb.connect(config=dict(settings)).close()
    except (duckdb.ParserException, duckdb.InvalidInputException) as error:
        raise ConfigError(f"--memory-limit {memory_limit}: {error}") from None
    temp_directory.mkdir(parents=True, exist_ok=True)
    token = _LIMITS.set((*_LIMITS.get(), *settings))
    try:
        yield
    except duckdb.OutOfMemoryException as error:
        raise ConfigError(f"DuckDB ran out of memory within --memory-limit {memory_limit} "
                          f"(spilling to {temp_directory}): {str(error).splitlines()[0]}") from None
    finally:
        _LIMITS.reset(token)


def connect(database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to ``database`` (in memory by default) with the settings of the enclosing
    :func:`duckdb_limits` and :func:`duckdb_threads` blocks."""
    return duckdb.connect(database, config=dict(_LIMITS.get()))


def _conform(table: Table, data: pa.Table, business_date: date) -> pa.Table:
    """``data`` with the business_date column added and every column cast to the schema's type and order."""
    if "business_date" not in data.column_names:
        data = data.append_column("business_date", pa.array([business_date] * data.num_rows, pa.date32()))
    missing = set(table.column_names) - set(data.column_names)
    extra = set(data.column_names) - set(table.column_names)
    if missing or extra:
        raise InvariantViolation(f"{table.name}: columns missing {sorted(missing)}, unexpected {sorted(extra)}")
    return data.select(table.column_names).cast(table.arrow_schema())


# a partition's rows as hashed: compact JSON, keys sorted, non-JSON values (decimals, dates) as their str()
# a row as the partition hashes read it (one encoder for every row of every warehouse)
row_text = json.JSONEncoder(default=str, sort_keys=True, separators=(",", ":")).encode


def _rows_sql(name: str, compare: str, where: tuple[str, ...] = ()) -> str:
    """The query of a table's rows whose business_date ``compare`` (=, <=) the parameter (and each column of
    ``where`` equals its parameter), in a total order: the key first, then every column."""
    table = warehouse_tables()[name]
    invariant(set(where) <= set(table.column_names), f"{name} has no column among {where}")
    order = ", ".join([*table.key, *table.column_names])
    filters = "".join(f" and {column} = ?" for column in where)
    return f"select * from {name} where business_date {compare} ?{filters} order by {order}"


def rows_text(rows: pa.Table) -> str:
    """The lines :data:`row_text` gives for the rows (each row a dict of its columns; a newline after each), built a
    column at a time by Arrow: the columns in row_text's key order, each distinct value of a column encoded once (a
    partition's rows repeat dates, codes and amounts), plain strings, integers and decimals without Python."""
    if not rows.num_rows:
        return ""
    columns = [_column_texts(name, rows.column(name)) for name in sorted(rows.column_names)]
    lines = pc.binary_join_element_wise(_text("{"), pc.binary_join_element_wise(*columns, _text(",")),
                                        _text("}\n"), _text(""))
    return "".join(lines.to_pylist())


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


# a string JSON writes between quotes as it is: printable ASCII but the quote and the backslash
_PLAIN_STRING = r"^[ !#-\[\]-~]*$"


def _value_texts(values: pa.Array) -> pa.Array:
    """row_text of each value (of distinct values: each is encoded once), by Arrow where it writes the same text:
    integers, decimals (Arrow and Python's ``str`` write a decimal alike, exponent included: ``0E-9``, ``1.00E-7``)
    within quotes (``default=str``) and strings JSON needs not escape; the rest by row_text."""
    kind = values.type
    if pa.types.is_integer(kind):
        return values.cast(pa.large_string())
    if pa.types.is_decimal(kind):
        return _quoted(values)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        plain = pc.match_substring_regex(values, _PLAIN_STRING)
        quoted = _quoted(values)
        if pc.all(plain).as_py() is not False:
            return quoted
        escaped = pa.array([row_text(value) for value in values.to_pylist()], pa.large_string())
        return pc.if_else(plain, quoted, escaped)
    return pa.array([row_text(value) for value in values.to_pylist()], pa.large_string())


def _quoted(values: pa.Array) -> pa.Array:
    """Each value's text between double quotes."""
    return pc.binary_join_element_wise(_text('"'), values.cast(pa.large_string()), _text('"'), _text(""))


def _texts(values: pa.Array, prefix: str) -> pa.Array:
    """``prefix`` and row_text of each value, ``null`` for a null, each distinct value encoded once."""
    encoded = values.dictionary_encode()
    texts = pa.concat_arrays([_value_texts(encoded.dictionary), pa.array(["null"], pa.large_string())])
    texts = pc.binary_join_element_wise(_text(prefix), texts, _text(""))
    return texts.take(encoded.indices.fill_null(len(encoded.dictionary)))


def _column_texts(name: str, column: pa.ChunkedArray) -> pa.Array:
    """``"name":value`` for each row, as :data:`row_text` writes the column within a row."""
    prefix = row_text(name) + ":"
    column = column.combine_chunks()
    if not pa.types.is_list(column.type):
        return _texts(column, prefix)
    # each list from its items' texts, joined with "," as row_text joins them
    items = pa.ListArray.from_arrays(column.offsets, _texts(column.values, ""), mask=column.is_null())
    joined = pc.binary_join_element_wise(_text(prefix + "["), pc.binary_join(items, _text(",")), _text("]"),
                                         _text(""))
    return joined.fill_null(prefix + "null")


def open_file(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file ``path`` (:class:`WarehouseError` when DuckDB cannot open it)."""
    try:
        connection = connect(str(path))
    except duckdb.IOException as error:
        raise WarehouseError(f"cannot open warehouse {path}: {error}") from None
    # no progress bar: it would print into the command's output (``--json`` included)
    connection.execute("set enable_progress_bar = false")
    return connection


class DuckDBWarehouse:
    """A warehouse in one DuckDB file. Use as a context manager; the file is locked while it is open."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = open_file(path)
        self._ensure_tables()

    def __enter__(self) -> DuckDBWarehouse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.connection.close()

    def _ensure_tables(self) -> None:
        """Create the missing tables; a table that exists with other columns (a warehouse another schema wrote)
        is a WarehouseError naming them: nothing would publish into it, and adding the columns to it would change
        the hashes its published partitions were recorded with."""
        existing: dict[str, list[tuple[str, str]]] = {}
        for name, column, kind in self.connection.execute(
                "select table_name, column_name, data_type from duckdb_columns() "
                "where database_name = current_database() order by table_name, column_index").fetchall():
            existing.setdefault(name, []).append((column, kind))
        differing = []
        for table in warehouse_tables().values():
            expected = [(c.name, c.duckdb_type.replace(" ", "")) for c in table.columns]  # DuckDB: DECIMAL(38,9)
            if table.name in existing and existing[table.name] != expected:
                found = existing[table.name]
                missing = [f"{n} {t}" for n, t in expected if (n, t) not in found]
                unexpected = [f"{n} {t}" for n, t in found if (n, t) not in expected]
                differing.append(f"table {table.name} (expected {', '.join(missing) or 'no other column'}, found "
                                 f"{', '.join(unexpected) or 'no other column'})")
        if differing:
            self.connection.close()
            raise WarehouseError(
                f"{self.path}: another version of fcm-recon wrote it, its columns are not this version's "
                f"schema (sql/warehouse_schema.yaml): {'; '.join(differing)}. Backfill its dates into a new "
                f"warehouse (fcm-recon backfill --warehouse NEW)")
        for table in warehouse_tables().values():
            if table.name not in existing:  # one query, not a DDL statement per table, on every open
                self.connection.execute(table.duckdb_ddl())

    def last_run(self) -> tuple[int, str] | None:
        """(sequence, manifest_hash) of the newest run in the chain, or None for an empty warehouse."""
        row = self.connection.execute(
            "select sequence, manifest_hash from runs where list_contains(?, status) order by sequence desc limit 1",
            [list(COMPLETED_STATUSES)],
        ).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def publish(
        self, business_date: date, tables: dict[str, pa.Table], make_run_row: Callable[[dict[str, str]], dict]
    ) -> dict:
        """Replace ``business_date``'s partition of every replaced table and append the run's row, atomically.

        ``make_run_row`` receives the SHA-256 of every published partition (read back inside the transaction) and
        returns the ``runs`` row that records them; that row is returned.
        """
        expected = {t.name for t in replaced_tables()}
        if set(tables) != expected:
            raise InvariantViolation(f"publish needs exactly {sorted(expected)}, got {sorted(tables)}")
        schema = warehouse_tables()
        conformed = {name: _conform(schema[name], data, business_date) for name, data in tables.items()}
        connection = self.connection
        connection.execute("begin transaction")
        try:
            for name, data in sorted(conformed.items()):
                connection.execute(f"delete from {name} where business_date = ?", [business_date])
                connection.register("publish_rows", data)
                connection.execute(f"insert into {name} by name select * from publish_rows")
                connection.unregister("publish_rows")
            pause_point("publish-transaction")
            run_row = make_run_row({name: self.partition_hash(name, business_date) for name in sorted(conformed)})
            self._append_run(run_row)
            connection.execute("commit")
        except BaseException:
            connection.execute("rollback")
            raise
        return run_row

    def append_run(self, run_row: dict) -> None:
        """Append one row to ``runs`` on its own (a failed run, which publishes nothing else)."""
        self._append_run(run_row)

    def append(self, name: str, rows: list[dict]) -> None:
        """Append rows to an append-only table other than ``runs`` (people's decisions, filings)."""
        table = warehouse_tables()[name]
        if not table.append_only or name == "runs":
            raise InvariantViolation(f"{name}: only the append-only record tables take appended rows")
        self.connection.register("append_rows", pa.Table.from_pylist(rows, schema=table.arrow_schema()))
        self.connection.execute(f"insert into {name} by name select * from append_rows")
        self.connection.unregister("append_rows")

    def _append_run(self, run_row: dict) -> None:
        runs = warehouse_tables()["runs"]
        data = pa.Table.from_pylist([run_row], schema=runs.arrow_schema())
        self.connection.register("run_row", data)
        self.connection.execute("insert into runs by name select * from run_row")
        self.connection.unregister("run_row")

    def read_partition(self, name: str, business_date: date, where: dict[str, str] | None = None) -> list[dict]:
        """A table's rows for one date (those whose columns equal ``where``'s values), in a total order: the key
        first, then every column."""
        where = where or {}
        cursor = self.connection.execute(_rows_sql(name, "=", tuple(where)), [business_date, *where.values()])
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]

    def read_until(self, name: str, business_date: date) -> list[dict]:
        """A table's rows of ``business_date`` and every earlier date, in the key order of :meth:`read_partition`."""
        cursor = self.connection.execute(_rows_sql(name, "<="), [business_date])
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]

    def partition_hash(self, name: str, business_date: date) -> str:
        """SHA-256 of a table's partition exported in key order (a line of :data:`row_text` for each row of
        :meth:`read_partition`): equal hashes mean equal contents."""
        rows = self.connection.sql(_rows_sql(name, "="), params=[business_date]).to_arrow_table()
        return hashlib.sha256(rows_text(rows).encode()).hexdigest()

    def runs(self, business_date: date | None = None) -> list[dict]:
        """The completed runs (the manifest chain) in chain order, optionally for one date."""
        return [run for run in self.attempts(business_date) if run["status"] in COMPLETED_STATUSES]

    def attempts(self, business_date: date | None = None) -> list[dict]:
        """Every row of ``runs`` (RUNNING, FAILED and completed), by sequence, then start, then status."""
        where = "where business_date = ?" if business_date else ""
        cursor = self.connection.execute(
            f"select * from runs {where} order by sequence, started_at, run_id, status <> 'RUNNING', status",
            [business_date] if business_date else [],
        )
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]

    def partition_dates(self, name: str) -> list[date]:
        """The business dates a table holds rows of, in order."""
        rows = self.connection.execute(f"select distinct business_date from {name} order by 1").fetchall()
        return [row[0] for row in rows]
