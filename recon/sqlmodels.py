"""The SQL models under ``sql/`` (staging -> intermediate -> marts), ordered by their dependencies and run on DuckDB.

Each model is one ``select`` in one file named after the table it builds. Dependencies are read from the SQL itself
with sqlglot, so the order never has to be kept by hand; a cycle or a reference to nothing is an error.

A model's join condition may be compiled from the rules in force (rules as data): before parsing, the placeholder
``{{ keys('RULE-ID', 'left', 'right') }}`` becomes ``right.k1 = left.k1 and right.k2 = left.k2 ...`` for the rule's
equality keys, and ``{{ key_columns('RULE-ID') }}`` the comma-separated key columns (for a ``partition by`` on one
input). The columns were checked against the model's inputs when the rules loaded (recon.rules.KEYED_PASSES).
"""

from __future__ import annotations

import re
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
from recon.rules import KEYED_PASSES, RULES_DIR, Key, RuleSet, load_rules
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


_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\((.*?)\)\s*\}\}")
_ARGUMENT = re.compile(r"\s*'([A-Za-z0-9_-]+)'\s*(?:,|$)")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def _arguments(text: str, where: str) -> list[str]:
    found, position = [], 0
    while position < len(text):
        match = _ARGUMENT.match(text, position)
        if not match:
            raise ConfigError(f"{where}: placeholder arguments must be quoted names, found ({text})")
        found.append(match.group(1))
        position = match.end()
    return found


def render(sql: str, name: str, keys: dict[str, tuple[Key, ...]]) -> str:
    """The model's SQL with its placeholders replaced by the rules' equality keys."""

    def replace(match: re.Match) -> str:
        function, arguments = match.group(1), _arguments(match.group(2), f"sql model {name}")
        rule_id = arguments[0] if arguments else ""
        if rule_id not in keys:
            raise ConfigError(f"sql model {name}: no equality keys for rule {rule_id!r} in the rules in force")
        if KEYED_PASSES.get(rule_id, ("",))[0] != name:
            raise ConfigError(f"sql model {name}: rule {rule_id} compiles its keys into "
                              f"{KEYED_PASSES.get(rule_id, ('nothing',))[0]}, not {name}")
        rule_keys = keys[rule_id]
        for key in rule_keys:  # checked at load time already; never splice anything but a plain identifier
            if not (_IDENTIFIER.fullmatch(key.left) and _IDENTIFIER.fullmatch(key.right)):
                raise ConfigError(f"sql model {name}: rule {rule_id}: invalid key column {key}")
        if function == "keys" and len(arguments) == 3:
            left, right = arguments[1], arguments[2]
            line = match.string[match.string.rfind("\n", 0, match.start()) + 1:match.start()]
            indent = line[:len(line) - len(line.lstrip())]
            return f"\n{indent}and ".join(
                f"{right}.{k.right} {'is not distinct from' if k.nulls_equal else '='} {left}.{k.left}"
                for k in rule_keys)
        if function == "key_columns" and len(arguments) == 1:
            if any(k.left != k.right for k in rule_keys):
                raise ConfigError(f"sql model {name}: rule {rule_id}: key_columns needs the same column names on "
                                  f"both sides")
            return ", ".join(k.left for k in rule_keys)
        raise ConfigError(f"sql model {name}: unknown placeholder {match.group(0)}")

    return _PLACEHOLDER.sub(replace, sql)


def load_models(sql_dir: Path = SQL_DIR, rules: RuleSet | None = None) -> tuple[Model, ...]:
    """Every model, rendered with the equality keys of ``rules`` (by default the shipped rules), in an order where
    each comes after the models it reads (ties broken by name)."""
    rules = rules if rules is not None else load_rules(RULES_DIR)
    return _load_models(sql_dir, rules.keys)


@lru_cache(maxsize=4)
def _load_models(sql_dir: Path, keys: tuple[tuple[str, tuple[Key, ...]], ...]) -> tuple[Model, ...]:
    by_rule = dict(keys)
    models = {}
    for layer in LAYERS:
        for path in sorted((sql_dir / layer).glob("*.sql")):
            sql = render(path.read_text(encoding="utf-8"), path.stem, by_rule)
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


def upstream(targets: Iterable[str], rules: RuleSet | None = None) -> tuple[Model, ...]:
    """The models ``targets`` need: each target and every model it reads, directly or not, in run order."""
    models = load_models(rules=rules)
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


def run_models(connection: duckdb.DuckDBPyConnection, targets: Iterable[str] | None = None,
               rules: RuleSet | None = None) -> None:
    """Build the models on ``connection``, whose ``src_*`` tables the caller has registered: every model, or only
    ``targets`` and the models they read, their join keys compiled from ``rules`` (by default the shipped rules:
    pass the rules whose tables were registered).

    Targets, and models that two or more models of the run read, are built as tables. A model exactly one other
    model reads is a view: its reader inlines it, so the engine plans the two as one query and keeps no copy of the
    rows in between (staging projections, routing) in memory.
    """
    models = load_models(rules=rules) if targets is None else upstream(targets, rules)
    kept = set() if targets is None else set(targets)
    readers = Counter(name for model in models for name in model.depends_on)
    for model in models:
        kind = "view" if readers[model.name] == 1 and model.name not in kept else "table"
        connection.execute(f"create or replace {kind} {model.name} as {model.sql}")
