"""Where the SQL models of ``sql/`` run: an engine (1) loads the run's ``src_*`` input tables, (2) builds the models
the wanted tables need, in dependency order, and (3) hands those tables back as Arrow for the publish stage.

* ``duckdb`` (the default): in this process, in memory (held to the run's ``--memory-limit``), by
  :func:`recon.sqlmodels.run_models`.
* ``bigquery``: inside BigQuery, in the project of a ``bigquery://project/dataset`` warehouse, for days one machine
  cannot hold (:class:`recon.bigquery.BigQueryEngine`). Each model is its DuckDB SQL transpiled by sqlglot
  (:func:`bigquery_sql`); both engines give the same rows, to the cent.

A run picks its engine with :func:`engine_choice` (the command line's ``--engine``), as it picks its memory limit;
the match stage opens it with :func:`open_engine`. This module is core: it imports the BigQuery adapter only when
the bigquery engine is opened.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Protocol

import pyarrow as pa
import sqlglot
from sqlglot import exp, transforms
from sqlglot.dialects.bigquery import BigQuery

from recon.errors import ConfigError
from recon.rules import RuleSet
from recon.sqlmodels import Model, run_models
from recon.targets import BIGQUERY_ENGINE, DUCKDB_ENGINE, ENGINES, BigQueryTarget, WarehouseTarget
from recon.warehouse import connect

# the engine of the enclosing engine_choice block (DuckDB outside one)
_CHOICE: ContextVar[str] = ContextVar("engine", default=DUCKDB_ENGINE)


class Engine(Protocol):
    """Runs the SQL models over input tables it was given; use as a context manager."""

    def load(self, tables: Mapping[str, pa.Table]) -> None:
        """Make the ``src_*`` input tables readable by the models, by name."""

    def run(self, targets: tuple[str, ...], rules: RuleSet) -> None:
        """Build ``targets`` and every model they read, in order, their join keys compiled from ``rules``."""

    def read(self, names: Iterable[str]) -> dict[str, pa.Table]:
        """The rows of built models, by name."""

    def __enter__(self) -> Engine: ...

    def __exit__(self, *exc_info: object) -> None: ...


class DuckDBEngine:
    """The models on an in-memory DuckDB connection of this process (held to the run's memory limit)."""

    def __init__(self) -> None:
        self.connection = connect()
        self.connection.execute("set enable_progress_bar = false")  # it would print into the command's output

    def __enter__(self) -> DuckDBEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.connection.close()

    def load(self, tables: Mapping[str, pa.Table]) -> None:
        for name, table in tables.items():
            self.connection.register(name, table)

    def run(self, targets: tuple[str, ...], rules: RuleSet) -> None:
        run_models(self.connection, targets, rules)

    def read(self, names: Iterable[str]) -> dict[str, pa.Table]:
        return {name: self.connection.sql(f"select * from {name}").to_arrow_table() for name in names}


def _check_choice(name: str, warehouse: WarehouseTarget) -> None:
    if name not in ENGINES:
        raise ConfigError(f"--engine {name}: expected one of {', '.join(ENGINES)}")
    if name == BIGQUERY_ENGINE and not isinstance(warehouse, BigQueryTarget):
        raise ConfigError(f"--engine bigquery runs the models in the warehouse's BigQuery project: give --warehouse "
                          f"bigquery://PROJECT/DATASET, not {warehouse}")


@contextmanager
def engine_choice(name: str, warehouse: WarehouseTarget) -> Iterator[None]:
    """Inside the block, :func:`open_engine` opens the engine ``name`` (one of :data:`recon.targets.ENGINES`);
    ConfigError at once for an unknown name, or the bigquery engine with a warehouse that is not BigQuery."""
    _check_choice(name, warehouse)
    token = _CHOICE.set(name)
    try:
        yield
    finally:
        _CHOICE.reset(token)


def open_engine(warehouse: WarehouseTarget, run_id: str, business_date: date) -> Engine:
    """The engine of the enclosing :func:`engine_choice` block for a run of ``business_date`` into ``warehouse``;
    the bigquery engine works in the warehouse's project and labels its jobs with ``run_id`` and the date."""
    name = _CHOICE.get()
    _check_choice(name, warehouse)
    if name == DUCKDB_ENGINE:
        return DuckDBEngine()
    from recon.bigquery import BigQueryEngine

    return BigQueryEngine(warehouse, run_id, business_date)


def _exact_decimals(cast: exp.Expr) -> exp.Expr:
    """Every decimal type of a cast with DuckDB's precision and scale written out (a bare DECIMAL is DuckDB's
    DECIMAL(18, 3)), as BIGNUMERIC when NUMERIC cannot hold it (more than 29 integer or 9 fractional digits)."""
    for node in cast.find_all(exp.DataType):
        if node.is_type(exp.DType.DECIMAL):
            precision, scale = (int(param.name) for param in node.expressions) if node.expressions else (18, 3)
            node.set("expressions", [exp.DataTypeParam(this=exp.Literal.number(n)) for n in (precision, scale)])
            if precision - scale > 29 or scale > 9:
                node.set("this", exp.DType.BIGDECIMAL)
    return cast


_ELEMENT = "_element"  # the column of the UNNEST ExactBigQuery writes for a distinct array


def _decimal_literal(self: BigQuery.Generator, literal: exp.Literal) -> str:
    """A number with a decimal point as the exact decimal DuckDB reads it (``0.5`` is DECIMAL(2, 1)), never the
    FLOAT64 BigQuery reads: ``CAST('0.5' AS NUMERIC(2, 1))``. Other literals as BigQuery writes them."""
    text = literal.name
    if literal.is_string or not re.fullmatch(r"\d*\.\d+", text):
        return BigQuery.Generator.literal_sql(self, literal)
    whole, fraction = text.split(".")
    decimal = exp.DataType.build(f"DECIMAL({len(whole) + len(fraction)}, {len(fraction)})")
    return self.sql(exp.Cast(this=exp.Literal.string(text), to=decimal))


class ExactBigQuery(BigQuery):
    """BigQuery as sqlglot writes it, with what the models need to give DuckDB's rows in BigQuery and in its
    DuckDB-backed emulator alike:

    * casts keep the decimal's precision and scale: sqlglot writes ``CAST(x AS NUMERIC)``, which BigQuery reads as
      NUMERIC(38, 9) but the emulator as DECIMAL(18, 3); ``NUMERIC(38, 9)`` means the same in both;
    * decimal literals are exact decimals (:func:`_decimal_literal`), not FLOAT64;
    * ``count(*) filter (where c)`` is ``COUNT(IF(c, 1, NULL))``, an INT64 in both (the emulator's ``COUNTIF`` is
      a 128-bit sum it reports as NUMERIC).
    """

    class Generator(BigQuery.Generator):
        TRANSFORMS = {
            **BigQuery.Generator.TRANSFORMS,
            exp.Cast: transforms.preprocess([_exact_decimals]),
            exp.CountIf: lambda self, e: self.func("COUNT", exp.If(this=e.this, true=exp.Literal.number(1),
                                                                   false=exp.null())),
        }

        literal_sql = _decimal_literal

        def ignorenulls_sql(self, expression: exp.IgnoreNulls) -> str:
            """``ARRAY_AGG(DISTINCT x IGNORE NULLS ORDER BY x)`` (a DuckDB ``list_sort(list_distinct(...))``) as
            ``ARRAY(SELECT DISTINCT e FROM UNNEST(ARRAY_AGG(x IGNORE NULLS)) AS e ORDER BY e)``: the same array in
            BigQuery, and one the emulator's translator does not break (it writes ``NOT DISTINCT x IS NULL``)."""
            aggregate = expression.this
            ordered = aggregate.this if isinstance(aggregate, exp.ArrayAgg) else None
            value = ordered.this if isinstance(ordered, exp.Order) else ordered
            if not isinstance(value, exp.Distinct) or (isinstance(ordered, exp.Order) and any(
                    key.this != value.expressions[0] for key in ordered.expressions)):
                return super().ignorenulls_sql(expression)
            element = exp.to_identifier(_ELEMENT)
            query = exp.select(exp.column(element)).distinct().from_(exp.Unnest(
                expressions=[exp.IgnoreNulls(this=exp.ArrayAgg(this=value.expressions[0].copy()))],
                alias=exp.TableAlias(columns=[element])))
            if isinstance(ordered, exp.Order):
                query = query.order_by(*(exp.Ordered(this=exp.column(element), desc=key.args.get("desc"),
                                                     nulls_first=key.args.get("nulls_first"))
                                         for key in ordered.expressions))
            return self.sql(exp.Array(expressions=[query]))


def bigquery_sql(model: Model, table_id: Callable[[str], str]) -> str:
    """The model's select in BigQuery's dialect, every table it reads named ``table_id(name)``
    (``project.dataset.table``, quoted).

    sqlglot raises on any construct it cannot express in BigQuery; the models avoid the ones BigQuery or its
    emulator would read differently (see README, "Scale-out on BigQuery").
    """
    try:
        tree = sqlglot.parse_one(model.sql, read="duckdb")
        ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        for table in list(tree.find_all(exp.Table)):
            if isinstance(table.this, exp.Identifier) and not table.args.get("db") and table.name not in ctes:
                project, dataset, name = table_id(table.name).split(".")
                table.set("this", exp.to_identifier(name, quoted=True))
                table.set("db", exp.to_identifier(dataset, quoted=True))
                table.set("catalog", exp.to_identifier(project, quoted=True))
        # without comments: the emulator finds string literals by their quotes, and a comment's apostrophe misleads it
        return tree.sql(dialect=ExactBigQuery, unsupported_level=sqlglot.ErrorLevel.RAISE, comments=False)
    except sqlglot.errors.SqlglotError as error:
        raise ConfigError(f"sql model {model.name}: cannot be written in BigQuery's dialect: {error}") from None
