"""The warehouse schema: reads ``sql/warehouse_schema.yaml`` (the one source of truth) and renders it per engine."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import yaml

from recon.errors import ConfigError
from recon.money import MONEY_PRECISION, MONEY_SCALE

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
SCHEMA_FILE = SQL_DIR / "warehouse_schema.yaml"

_DUCKDB_TYPES = {
    "STRING": "VARCHAR",
    "DATE": "DATE",
    "INT64": "BIGINT",
    "BOOL": "BOOLEAN",
    "TIMESTAMP": "TIMESTAMP",
    "NUMERIC": f"DECIMAL({MONEY_PRECISION}, {MONEY_SCALE})",
}
_ARROW_TYPES = {
    "STRING": pa.string(),
    "DATE": pa.date32(),
    "INT64": pa.int64(),
    "BOOL": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us"),
    "NUMERIC": pa.decimal128(MONEY_PRECISION, MONEY_SCALE),
}


@dataclass(frozen=True)
class Column:
    """A warehouse column: name, logical type (STRING, DATE, INT64, BOOL, TIMESTAMP, NUMERIC) and mode."""

    name: str
    type: str
    mode: str
    description: str

    @property
    def duckdb_type(self) -> str:
        base = _DUCKDB_TYPES[self.type]
        return f"{base}[]" if self.mode == "REPEATED" else base

    @property
    def arrow_type(self) -> pa.DataType:
        base = _ARROW_TYPES[self.type]
        return pa.list_(base) if self.mode == "REPEATED" else base


@dataclass(frozen=True)
class Table:
    """A warehouse table: columns, partition column, clustering, row key and whether it is append-only."""

    name: str
    description: str
    columns: tuple[Column, ...]
    partition_by: str
    cluster_by: tuple[str, ...]
    key: tuple[str, ...]
    append_only: bool

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.arrow_type, nullable=c.mode != "REQUIRED") for c in self.columns]
        )

    def duckdb_ddl(self, qualified_name: str | None = None) -> str:
        columns = ",\n  ".join(
            f"{c.name} {c.duckdb_type}{' NOT NULL' if c.mode == 'REQUIRED' else ''}" for c in self.columns
        )
        return f"CREATE TABLE IF NOT EXISTS {qualified_name or self.name} (\n  {columns}\n)"


def _column(raw: dict, table: str) -> Column:
    kind = raw.get("type")
    mode = raw.get("mode", "NULLABLE")
    if kind not in _DUCKDB_TYPES or mode not in ("REQUIRED", "NULLABLE", "REPEATED"):
        raise ConfigError(f"{SCHEMA_FILE.name}: {table}.{raw.get('name')}: unknown type {kind!r} or mode {mode!r}")
    return Column(raw["name"], kind, mode, raw.get("description", ""))


@lru_cache(maxsize=1)
def warehouse_tables() -> dict[str, Table]:
    """Every warehouse table, by name, as the schema file declares them."""
    document = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    tables = {}
    for name, raw in document["tables"].items():
        columns = tuple(_column(column, name) for column in raw["columns"])
        table = Table(
            name=name,
            description=raw.get("description", ""),
            columns=columns,
            partition_by=raw["partition_by"],
            cluster_by=tuple(raw.get("cluster_by", ())),
            key=tuple(raw["key"]),
            append_only=bool(raw.get("append_only", False)),
        )
        unknown = {table.partition_by, *table.cluster_by, *table.key} - set(table.column_names)
        if unknown:
            raise ConfigError(f"{SCHEMA_FILE.name}: {name}: partition/cluster/key names unknown columns {sorted(unknown)}")
        tables[name] = table
    return tables


def replaced_tables() -> list[Table]:
    """The tables whose business-date partition a run replaces (all but the append-only ones), in name order."""
    return sorted((t for t in warehouse_tables().values() if not t.append_only), key=lambda t: t.name)
