"""The SQL models under ``sql/`` (staging -> intermediate -> marts), ordered by their dependencies and run on DuckDB.

Each model is one ``select`` in one file named after the table it builds. Dependencies are read from the SQL itself
with sqlglot, so the order never has to be kept by hand; a cycle or a reference to nothing is an error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from recon.errors import ConfigError
from recon.schema import SQL_DIR

LAYERS = ("staging", "intermediate", "marts")


@dataclass(frozen=True)
class Model:
    """A SQL model: its name (the file stem), layer, SQL text and the tables it reads."""

    name: str
    layer: str
    sql: str
    depends_on: frozenset[str]


def _references(sql: str, name: str) -> frozenset[str]:
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as error:
        raise ConfigError(f"sql model {name}: {error}") from None
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    return frozenset(t.name for t in tree.find_all(exp.Table) if t.name not in ctes)


@lru_cache(maxsize=1)
def load_models(sql_dir: Path = SQL_DIR) -> tuple[Model, ...]:
    """Every model, in an order where each comes after the models it reads (ties broken by name)."""
    models = {}
    for layer in LAYERS:
        for path in sorted((sql_dir / layer).glob("*.sql")):
            sql = path.read_text(encoding="utf-8")
            models[path.stem] = Model(path.stem, layer, sql, _references(sql, path.stem))
    graph = {name: {d for d in model.depends_on if d in models} for name, model in models.items()}
    for name, model in models.items():
        unknown = {d for d in model.depends_on if d not in models and not d.startswith("src_")}
        if unknown:
            raise ConfigError(f"sql model {name} reads unknown tables {sorted(unknown)}")
    sorter = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError as error:
        raise ConfigError(f"sql models depend on each other in a cycle: {error.args[1]}") from None
    ordered = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        ordered.extend(models[name] for name in ready)
        sorter.done(*ready)
    return tuple(ordered)


def upstream(targets: Iterable[str]) -> tuple[Model, ...]:
    """The models ``targets`` need: each target and every model it reads, directly or not, in run order."""
    models = load_models()
    by_name = {model.name: model for model in models}
    pending = list(targets)
    unknown = sorted(set(pending) - set(by_name))
    if unknown:
        raise ConfigError(f"no sql model named {unknown}")
    needed: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending.extend(d for d in by_name[name].depends_on if d in by_name)
    return tuple(model for model in models if model.name in needed)


def run_models(connection: duckdb.DuckDBPyConnection, targets: Iterable[str] | None = None) -> None:
    """Build the models on ``connection``, whose ``src_*`` tables the caller has registered: every model, or only
    ``targets`` and the models they read.

    Targets, and models that two or more models of the run read, are built as tables. A model exactly one other
    model reads is a view: its reader inlines it, so the engine plans the two as one query and keeps no copy of the
    rows in between (staging projections, routing) in memory.
    """
    models = load_models() if targets is None else upstream(targets)
    kept = set() if targets is None else set(targets)
    readers = Counter(name for model in models for name in model.depends_on)
    for model in models:
        kind = "view" if readers[model.name] == 1 and model.name not in kept else "table"
        connection.execute(f"create or replace {kind} {model.name} as {model.sql}")
