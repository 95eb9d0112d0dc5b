"""Run the segregation SQL models alone on DuckDB, over tables a test states as rows, and compute.py beside them.

The models read the canonical sources (``src_*``), the lead's recon models (``int_bank_closing_balances``,
``int_dco_cycles``, ``int_position_reports_classified``, ``int_breaks_aged``) and ``src_file_problems``. Here every
one of them is a table registered from rows, so a test controls exactly what the segregation models see.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

from recon import stages
from recon.contracts.ledger import DAY_CONTRACTS
from recon.contracts.reference import REFERENCE_CONTRACTS
from recon.ingest import QUARANTINED_ROWS_SCHEMA
from recon.schema import SQL_DIR
from segregation.compute import INPUT_TABLES, SegInputs, Statements, compute_statements
from segregation.filings import FILED_LINES_SCHEMA
from segregation.invariants import check_marts, cross_check
from segregation.lines import Settings, source_tables

SEG_MODELS = (
    "stg_ledger__balances", "stg_ledger__custody", "stg_clearing__collateral", "stg_ledger__other_fcm_equities",
    "stg_ledger__foreign_depository_equities", "stg_ledger__foreign_requirements", "stg_reference__accounts",
    "stg_reference__products", "stg_reference__targets", "stg_reference__fx_rates", "stg_segregation__lines",
    "stg_warehouse__seg_filed_lines", "stg_segregation__break_impact_rules",
)
SUPPORT_MODELS = ("stg_reference__bank_accounts", "stg_calendar__business_days", "stg_run__parameters",
                  "int_ledger_balances_routed")
MARTS = ("seg_statement_lines", "seg_alerts", "seg_line_sources", "seg_account_figures")
_MONEY = pa.decimal128(38, 9)
_S = pa.string()
STAND_IN_SCHEMAS = {
    "int_bank_closing_balances": pa.schema([("bank_account_id", _S), ("currency", _S), ("amount", _MONEY),
                                            ("record_id", _S), ("source_file", _S), ("source_table", _S),
                                            ("carried_from_date", pa.date32())]),
    "int_dco_cycles": pa.schema([
        ("dco", _S), ("settlement_bank_account_id", _S), ("seg_class", _S), ("currency", _S), ("cycle", _S),
        ("cycle_date", pa.date32()), ("amount", _MONEY), ("clearing_records", pa.list_(_S)),
        ("source_files", pa.list_(_S)), ("reference", _S), ("payment_date", pa.date32()), ("status", _S)]),
    "int_position_reports_classified": pa.schema([
        ("record_id", _S), ("source_file", _S), ("location", _S), ("rpt_id", _S), ("biz_date", pa.date32()),
        ("settl_session", _S), ("position_account", _S), ("origin_code", _S), ("dco", _S), ("currency", _S),
        ("settlement_price", _MONEY), ("exchange", _S), ("product_code", _S), ("security_type", _S),
        ("contract_month", _S), ("put_call", _S), ("strike", _MONEY), ("sod_long", _MONEY), ("sod_short", _MONEY),
        ("fin_long", _MONEY), ("fin_short", _MONEY), ("seg_class", _S), ("settlement_bank_account_id", _S),
        ("expected_origin_code", _S), ("business_date", pa.date32()), ("route_reason", _S), ("route", _S)]),
    "int_breaks_aged": pa.schema([
        ("break_id", _S), ("recon", _S), ("break_type", _S), ("status", _S), ("seg_class", _S), ("bank_account_id", _S),
        ("account", _S), ("currency", _S), ("reference", _S), ("clearing_amount", _MONEY), ("bank_amount", _MONEY),
        ("ledger_amount", _MONEY), ("difference", _MONEY), ("expected_date", pa.date32()),
        ("clearing_records", pa.list_(_S)), ("bank_records", pa.list_(_S)), ("ledger_records", pa.list_(_S)),
        ("source_files", pa.list_(_S)), ("grain_key", _S), ("carried_break_id", _S),
        ("first_seen_date", pa.date32()), ("age_business_days", pa.int64())]),
    "src_file_problems": pa.schema([("source_file", _S), ("code", _S), ("message", _S)]),
    "src_quarantined_rows": QUARANTINED_ROWS_SCHEMA,
    "src_warehouse__seg_filed_lines": FILED_LINES_SCHEMA,
}


def _contract_schemas() -> dict[str, pa.Schema]:
    schemas = {f"src_reference__{name}": contract.empty_frame().to_arrow().schema
               for name, (contract, _) in REFERENCE_CONTRACTS.items()}
    schemas.update({table: contract.empty_frame().to_arrow().schema
                    for table, (_, contract) in DAY_CONTRACTS.items()})
    return {name: pa.schema([pa.field(f.name, _S if pa.types.is_large_string(f.type) or pa.types.is_string_view(f.type)
                                      else f.type) for f in schema]) for name, schema in schemas.items()}


def input_schemas() -> dict[str, pa.Schema]:
    """The schema of every table the segregation models read from outside their own layer."""
    return {**_contract_schemas(), **STAND_IN_SCHEMAS}


# columns a test need not state, with the value they have on an ordinary day
_DEFAULTS = {"source_table": "src_bank__balances"}


def _complete(row: Mapping[str, object], schema: pa.Schema) -> dict:
    """The row with every column of the schema: absent strings '' (or their ordinary value, _DEFAULTS), absent
    others None."""
    return {f.name: row.get(f.name, _DEFAULTS.get(f.name, "") if f.type == _S else None) for f in schema}


def input_tables(rows: Mapping[str, list[dict]]) -> dict[str, pa.Table]:
    """Arrow tables for every input table (empty where ``rows`` has none), typed by the contracts."""
    tables = {}
    for name, schema in input_schemas().items():
        tables[name] = pa.Table.from_pylist([_complete(r, schema) for r in rows.get(name, [])], schema=schema)
    return tables


def calendar_table(business_date: date) -> pa.Table:
    """src_business_days as the pipeline builds it."""
    return stages._calendar_table(business_date)


def _model_files() -> dict[str, Path]:
    """The file of every segregation model and of the few lead's staging models they read."""
    files = {path.stem: path for path in sorted(SQL_DIR.glob("*/*.sql"))}
    return {name: path for name, path in files.items()
            if name in SEG_MODELS + SUPPORT_MODELS or name.startswith("int_seg_")
            or name in MARTS}


@lru_cache(maxsize=1)
def _ordered_models() -> list[tuple[str, str]]:
    files = _model_files()
    sql = {name: path.read_text(encoding="utf-8") for name, path in files.items()}
    graph = {}
    for name, text in sql.items():
        tree = sqlglot.parse_one(text, read="duckdb")
        ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        graph[name] = {t.name for t in tree.find_all(exp.Table) if t.name not in ctes and t.name in sql}
    return [(name, sql[name]) for name in TopologicalSorter(graph).static_order()]


def read_rows(connection: duckdb.DuckDBPyConnection, table: str) -> list[dict]:
    """A table's rows as dicts."""
    return connection.sql(f"select * from {table}").to_arrow_table().to_pylist()


def _build(connection: duckdb.DuckDBPyConnection, tables: Mapping[str, pa.Table], business_date: date,
           settings: Settings | None) -> None:
    """Register the input tables, the segregation sources and the day's parameters, and build every model."""
    registered = dict(tables)
    registered.update(source_tables(settings))
    registered["src_business_days"] = calendar_table(business_date)
    registered["src_run_parameters"] = pa.table({"business_date": pa.array([business_date], pa.date32())})
    for name, table in registered.items():
        connection.register(name, table)
    for name, text in _ordered_models():
        connection.execute(f"create or replace table {name} as {text}")


def run_sql_tables(tables: Mapping[str, pa.Table], business_date: date,
                   settings: Settings | None = None) -> dict[str, pa.Table]:
    """Run the segregation models over Arrow input tables (as :func:`input_tables` types them); returns the marts
    as Arrow tables, unchecked (the bench times this)."""
    connection = duckdb.connect()
    try:
        _build(connection, tables, business_date, settings)
        return {name: connection.sql(f"select * from {name}").to_arrow_table() for name in MARTS}
    finally:
        connection.close()


def run_sql(rows: Mapping[str, list[dict]], business_date: date, settings: Settings | None = None,
            extra: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    """Run the segregation models over ``rows``; returns the marts (and ``extra`` models) as lists of dicts.

    Every run also checks the marts' invariants and cross-checks them against compute.py, as the pipeline should."""
    connection = duckdb.connect()
    try:
        _build(connection, input_tables(rows), business_date, settings)
        marts = {name: read_rows(connection, name) for name in MARTS + extra}
        check_marts(marts["seg_statement_lines"], marts["seg_alerts"], marts["seg_line_sources"])
        cross_check(lambda table: read_rows(connection, table), business_date, settings or Settings(), marts)
        return marts
    finally:
        connection.close()


def run_python(rows: Mapping[str, list[dict]], business_date: date, settings: Settings | None = None) -> Statements:
    """compute.py over the same rows, read back through the typed tables so both sides see identical values."""
    tables = input_tables(rows)
    plain = {name: tables[name].to_pylist() for name in INPUT_TABLES.values()}
    inputs = SegInputs.from_tables(plain, business_date)
    return compute_statements(inputs, settings)
