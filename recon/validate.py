"""The audit step of write-audit-publish: Great Expectations suites over the staged source tables.

One suite per staged dataset, stored as GX JSON in ``expectations/<source table>.json``. Every expectation carries
``meta.severity`` and ``meta.reason``:

* ``quarantine``: each failing row becomes a ROW :class:`Problem` (file, location, record id, field, found value);
* ``reject``: each source file with a failing row becomes a FILE :class:`Problem` (one per expectation and file);
  the file loads no row, so a rejected file's rows get no ROW problem of their own.

The suites are a second line behind the readers' contracts: they state the rules in a form auditors read, and they
catch a row the readers let through. They check values row by row; money totals are proved exactly elsewhere (never a
sum or mean expectation here: on decimals GX is slow and answers in floats).

GX is imported inside :func:`run_suites` (the import costs seconds); a day whose tables are all empty never imports
it. GX sees a pandas copy of each table with numpy dtypes: strings as objects, money cast to float64 (exact for the
sign and zero tests the suites make). Every value a Problem reports is read back from the Arrow table by row
position, so ``found`` is the exact decimal.

The context, its pandas data source and each suite's asset and suite are built once per process and reused for
every day (a backfill runs its days in one process). Each table is checked with BOOLEAN_ONLY results; only the
expectations that fail run again, with COMPLETE results, for their failing rows: the same outcomes, at half the cost
of computing every expectation's unexpected-row metrics on a clean day.

GX spends its time per expectation, not per row, so :func:`run_suites_of_days` checks several days' tables (a
backfill's) in one batch per table: the days' frames one after the other, each row's position global. Every
expectation but uniqueness looks at one row at a time; a uniqueness expectation is run on day-scoped copies of its
columns (each value paired with its day, a missing value left missing), so rows of different days never collide
and a day's rows are unique, or not, exactly as on their own. Problems are then made per day, from the day's table:
each day gets the problems it would get alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from recon.domain import Problem
from recon.errors import ConfigError, invariant

EXPECTATIONS_DIR = Path(__file__).resolve().parents[1] / "expectations"
SEVERITIES = ("quarantine", "reject")
ROW_POSITION = "_row"  # the pandas column holding each row's position in the Arrow table
ID_COLUMNS = ("source_file", "location", "record_id")
MONEY_SAFE_EXPECTATIONS = ("expect_column_values_to_not_be_null", "expect_column_values_to_be_between")
UNIQUENESS_EXPECTATIONS = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")
DAY_SCOPED = "__in_day"  # suffix of the day-scoped copy of a column a uniqueness expectation reads


@cache
def load_suites(directory: Path = EXPECTATIONS_DIR) -> dict[str, dict]:
    """The suites as GX JSON, by source table (the file's stem); each expectation's severity is checked."""
    suites = {}
    for path in sorted(directory.glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        invariant(suite.get("name") == path.stem, f"{path}: suite name {suite.get('name')!r} is not the file's stem")
        for expectation in suite["expectations"]:
            severity = expectation.get("meta", {}).get("severity")
            if severity not in SEVERITIES or not expectation["meta"].get("reason"):
                raise ConfigError(f"{path.name}: {expectation['type']} {expectation['kwargs']} needs meta.severity "
                                  f"({'|'.join(SEVERITIES)}) and meta.reason; found {expectation.get('meta')}")
        suites[path.stem] = suite
    return suites


def run_suites(tables: dict[str, pa.Table], *, directory: Path = EXPECTATIONS_DIR) -> list[Problem]:
    """Validate every table that has a suite; a sorted list of the problems its failing expectations give."""
    return run_suites_of_days([tables], directory=directory)[0]


def run_suites_of_days(days: Sequence[dict[str, pa.Table]], *,
                       directory: Path = EXPECTATIONS_DIR) -> list[list[Problem]]:
    """:func:`run_suites` of each day's tables, the days checked together (module docstring): each day's sorted
    problems, in the order of ``days``."""
    suites = load_suites(directory)
    found: list[list[Problem]] = [[] for _ in days]
    todo = sorted({name for tables in days for name, table in tables.items() if name in suites and table.num_rows})
    if not todo:
        return found
    import great_expectations as gx  # noqa: PLC0415 - costs seconds: only when a table has rows to check
    from great_expectations.validator.v1_validator import Validator  # noqa: PLC0415

    for name in todo:
        parts = {index: tables[name] for index, tables in enumerate(days) if name in tables and tables[name].num_rows}
        for table in parts.values():
            _check_money_is_sign_only(name, suites[name], table)
        for group in _same_schema(parts):
            for index, problems in _batch_problems(gx, Validator, name, suites[name], group).items():
                found[index].extend(problems)
    for problems in found:
        rejected = {p.source_file for p in problems if p.scope == "FILE"}
        # a rejected file loads no row, so its rows' own problems would count them twice: the rejection says it all
        problems[:] = sorted(p for p in problems if p.scope == "FILE" or p.source_file not in rejected)
    return found


def _same_schema(parts: dict[int, pa.Table]) -> list[dict[int, pa.Table]]:
    """The days' tables in groups of one Arrow schema (checked together), in day order."""
    groups: dict[pa.Schema, dict[int, pa.Table]] = {}
    for index, table in parts.items():
        groups.setdefault(table.schema, {})[index] = table
    return list(groups.values())


def _batch_problems(gx: Any, validator: Any, name: str, suite_json: dict,
                    tables: dict[int, pa.Table]) -> dict[int, list[Problem]]:
    """The problems of one suite on several days' tables of one schema, checked in one batch, by day index."""
    scoped = _day_scoped(suite_json)
    batch_definition, suite = _prepared(name, json.dumps(scoped, sort_keys=True))
    frame, offsets = _batch_frame(tables, _columns(suite_json), _scoped_columns(suite_json))
    # A Validator loads the batch once (Batch.validate loads, and fingerprints, the frame twice) and, unlike
    # ValidationDefinition.run, keeps no copy of the results in the context's store. Two passes: every
    # expectation with BOOLEAN_ONLY (a map expectation's success is its unexpected count, whatever the format;
    # the failing rows' metrics cost twice as much), then only the failed ones with COMPLETE for their rows.
    outcomes = _validate(validator, batch_definition, frame, suite, {"result_format": "BOOLEAN_ONLY"})
    failed = [outcome.expectation_config for outcome in outcomes if not outcome.success]
    problems: dict[int, list[Problem]] = {}
    if not failed:
        return problems
    detail = gx.ExpectationSuite(name=f"{suite.name}__failed", expectations=failed)
    for outcome in _validate(validator, batch_definition, frame, detail,
                             {"result_format": "COMPLETE", "unexpected_index_column_names": [ROW_POSITION]}):
        config = _unscoped(outcome.expectation_config.to_json_dict())
        invariant(not outcome.success, f"{name}: {config['type']} failed, then passed")
        invariant(not outcome.exception_info.get("raised_exception"),
                  f"{name}: {config['type']} {config['kwargs']} raised: "
                  f"{outcome.exception_info.get('exception_message')}")
        positions = sorted({int(row[ROW_POSITION]) for row in outcome.result.get("unexpected_index_list") or []})
        invariant(bool(positions), f"{name}: {config['type']} failed with no failing rows (only row-level "
                                   f"expectations are supported)")
        for index, table in tables.items():
            first = offsets[index]
            mine = [p - first for p in positions if first <= p < first + table.num_rows]
            if mine:
                problems.setdefault(index, []).extend(_problems(name, config, mine, table))
    return problems


def _scoped_columns(suite: dict) -> list[str]:
    """The columns the suite's uniqueness expectations read (each gets a day-scoped copy)."""
    names: list[str] = []
    for expectation in suite["expectations"]:
        if expectation["type"] in UNIQUENESS_EXPECTATIONS:
            kwargs = expectation["kwargs"]
            names += [kwargs["column"]] if "column" in kwargs else kwargs["column_list"]
    return list(dict.fromkeys(names))


def _day_scoped(suite: dict) -> dict:
    """The suite with its uniqueness expectations reading the day-scoped copies of their columns."""
    expectations = []
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        if expectation["type"] in UNIQUENESS_EXPECTATIONS:
            kwargs = dict(kwargs)
            if "column" in kwargs:
                kwargs["column"] += DAY_SCOPED
            else:
                kwargs["column_list"] = [column + DAY_SCOPED for column in kwargs["column_list"]]
        expectations.append(dict(expectation, kwargs=kwargs))
    return dict(suite, expectations=expectations)


def _unscoped(config: dict) -> dict:
    """An outcome's expectation as the suite wrote it: the original columns, not their day-scoped copies."""
    kwargs = dict(config["kwargs"])
    if "column" in kwargs:
        kwargs["column"] = kwargs["column"].removesuffix(DAY_SCOPED)
    if "column_list" in kwargs:
        kwargs["column_list"] = [column.removesuffix(DAY_SCOPED) for column in kwargs["column_list"]]
    return dict(config, kwargs=kwargs)


def _validate(validator: Any, batch_definition: Any, frame: Any, suite: Any, result_format: dict) -> list:
    """The outcome of each expectation of ``suite`` on ``frame`` (one batch, loaded once)."""
    return validator(batch_definition=batch_definition, batch_parameters={"dataframe": frame},
                     result_format=result_format).validate_expectation_suite(suite).results


@cache
def _context() -> Any:
    """One ephemeral GX context and pandas data source per process: a backfill validates every day through them."""
    import great_expectations as gx  # noqa: PLC0415 - costs seconds: only when a table has rows to check

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return context, context.data_sources.add_pandas("staged")


@cache
def _prepared(name: str, suite_json: str) -> tuple[Any, Any]:
    """The batch definition (a whole-dataframe asset) and the GX suite of one suite's JSON, built once per process:
    each day's frame comes in as a batch parameter."""
    import great_expectations as gx  # noqa: PLC0415

    context, source = _context()
    key = f"{name}__{_prepared.cache_info().currsize}"  # unique even when two suite texts share a table name
    batch_definition = source.add_dataframe_asset(key).add_batch_definition_whole_dataframe(key)
    suite = context.suites.add(gx.ExpectationSuite(**{**json.loads(suite_json), "name": key}))
    return batch_definition, suite


def _check_money_is_sign_only(name: str, suite: dict, table: pa.Table) -> None:
    """Money reaches GX as float64, exact only for null, sign and zero tests: refuse any other rule on a decimal."""
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        columns = [kwargs["column"]] if "column" in kwargs else kwargs.get("column_list", [])
        if not any(pa.types.is_decimal(table.schema.field(column).type) for column in columns):
            continue
        sign_only = expectation["type"] in MONEY_SAFE_EXPECTATIONS and all(
            kwargs.get(bound) in (None, 0) for bound in ("min_value", "max_value"))
        if not sign_only:
            raise ConfigError(f"{name}: {expectation['type']} {kwargs} tests money through a float; on a decimal "
                              f"column a suite may only test null, sign and zero (check amounts in DuckDB or Polars)")


def _columns(suite: dict) -> list[str]:
    """The columns a suite reads (row conditions included), in first-use order."""
    names: list[str] = []
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        names += [kwargs["column"]] if "column" in kwargs else []
        names += kwargs.get("column_list", [])
        names += _condition_columns(kwargs.get("row_condition"))
    return list(dict.fromkeys(names))


def _condition_columns(condition: Any) -> list[str]:
    if isinstance(condition, dict):
        if "column" in condition:
            return [condition["column"]["name"]]
        return [name for part in condition.get("conditions", []) for name in _condition_columns(part)]
    invariant(condition is None, f"row condition {condition!r}: write it with GX's Column conditions, not a string")
    return []


def _batch_frame(tables: dict[int, pa.Table], columns: list[str], scoped: list[str]) -> tuple[Any, dict[int, int]]:
    """One pandas frame of the days' tables one after the other (see :func:`_to_pandas`), and the global position
    of each day's first row."""
    import pandas as pd  # noqa: PLC0415 - pandas comes with GX, only when validating

    offsets, first = {}, 0
    for index, table in tables.items():
        offsets[index], first = first, first + table.num_rows
    frames = [_to_pandas(table, columns, scoped, index, offsets[index]) for index, table in tables.items()]
    return (frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)), offsets


def _to_pandas(table: pa.Table, columns: list[str], scoped: list[str], day: int, first_row: int) -> Any:
    """A pandas frame of ``columns`` with numpy dtypes: strings as objects, decimals as float64; each column of
    ``scoped`` also as its day-scoped copy (``(day, value)``, a missing value left missing); plus _row, the rows'
    positions counted from ``first_row``."""
    import numpy as np  # noqa: PLC0415 - pandas and numpy come with GX, only when validating
    import pandas as pd  # noqa: PLC0415

    data = {}
    for name in columns:
        column = table.column(name)
        if pa.types.is_decimal(column.type):
            column = pc.cast(column, pa.float64())  # sign and zero survive exactly; found values come from Arrow
        elif pa.types.is_date(column.type):
            column = pc.cast(column, pa.timestamp("ms"))  # pandas refuses datetime64[D]
        array = column.to_numpy(zero_copy_only=False)
        data[name] = pd.Series(array, dtype=object if array.dtype == object else array.dtype)
    for name in scoped:
        invariant(name + DAY_SCOPED not in table.column_names, f"column {name + DAY_SCOPED} would be shadowed")
        values = data[name]
        data[name + DAY_SCOPED] = pd.Series([None if missing else (day, value)
                                             for value, missing in zip(values, values.isna())], dtype=object)
    data[ROW_POSITION] = pd.Series(np.arange(first_row, first_row + table.num_rows, dtype=np.int64))
    return pd.DataFrame(data)


def _problems(suite: str, config: dict, positions: list[int], table: pa.Table) -> list[Problem]:
    """The Problems of one failed expectation on the rows at ``positions`` of ``table``: a ROW per failing row, or
    a FILE per source file with one."""
    kind, kwargs, meta = config["type"], config["kwargs"], config["meta"]
    fields = [kwargs["column"]] if "column" in kwargs else list(kwargs["column_list"])
    rows = table.select([*ID_COLUMNS, *fields]).take(positions).to_pylist()
    code, expected = "GX_" + kind.upper(), _rule(kind, kwargs)
    field = ",".join(fields)
    message = f"suite {suite}, {kind} on {field}: {meta['reason']}"
    if meta["severity"] == "quarantine":
        return [Problem("ROW", row["source_file"], row["location"], row["record_id"], field, code, expected,
                        _found(row, fields), message) for row in rows]
    by_file: dict[str, list[dict]] = {}
    for row in sorted(rows, key=lambda row: (_natural(row["location"]), row["record_id"])):  # not by row order
        by_file.setdefault(row["source_file"], []).append(row)
    return [
        Problem("FILE", source_file, failing[0]["location"], "", field, code, expected,
                _found(failing[0], fields) + (f" (and {len(failing) - 1} more rows)" if len(failing) > 1 else ""),
                f"{message}; {len(failing)} row(s) fail, so the file is rejected whole")
        for source_file, failing in sorted(by_file.items())
    ]


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that puts ``record 2`` before ``record 10``."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part)


def _found(row: dict, fields: Iterable[str]) -> str:
    values = [f"{name}={_text(row[name])}" for name in fields]
    return values[0].split("=", 1)[1] if len(values) == 1 else ", ".join(values)


def _text(value: object) -> str:
    """A value as a person reads it: decimals in plain notation with no padding zeros (-0.000000001, 1500)."""
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _rule(kind: str, kwargs: dict) -> str:
    """A short statement of what an expectation requires, for the Problem's ``expected``."""
    if kind == "expect_column_values_to_be_between":
        lower = ">" if kwargs.get("strict_min") else ">="
        bounds = [f"{lower} {_number(kwargs['min_value'])}" if kwargs.get("min_value") is not None else "",
                  f"<= {_number(kwargs['max_value'])}" if kwargs.get("max_value") is not None else ""]
        rule = " and ".join(bound for bound in bounds if bound)
    elif kind in ("expect_column_values_to_be_in_set", "expect_column_distinct_values_to_be_in_set"):
        rule = "one of " + "|".join(str(value) for value in kwargs["value_set"])
    elif kind == "expect_column_values_to_not_be_in_set":
        rule = "not blank" if kwargs["value_set"] == [""] else "none of " + "|".join(map(str, kwargs["value_set"]))
    elif kind == "expect_column_values_to_match_regex":
        rule = f"matches {kwargs['regex']}"
    elif kind == "expect_column_values_to_not_be_null":
        rule = "a value (not null)"
    elif kind in ("expect_compound_columns_to_be_unique", "expect_column_values_to_be_unique"):
        rule = "unique " + ("(" + ", ".join(kwargs["column_list"]) + ")" if "column_list" in kwargs else kwargs["column"])
    else:
        rule = kind.removeprefix("expect_").replace("_", " ")
    condition = kwargs.get("row_condition")
    if isinstance(condition, dict) and "column" in condition:
        rule += f" when {condition['column']['name']} {condition['operator']} {condition['parameter']}"
    return rule


def _number(value: float | int) -> str:
    """A bound of an expectation as written in the suite, without a float: 0 not 0.0."""
    return format(Decimal(str(value)).normalize(), "f")
