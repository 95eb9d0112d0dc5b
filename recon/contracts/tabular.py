"""Typed contracts for the ledger and reference files (CSV or Parquet), checked column by column in Polars.

A contract names every column, its kind and whether it is required. Reading a file:

* a file that cannot be decoded, is empty, or lacks a required column is rejected whole (:class:`FileRejected`);
* a row that breaks the contract (missing value, bad number, bad date, unknown code, duplicate key) is quarantined
  with a :class:`Problem` naming the line, field, expected and found; every other row is returned typed;
* decimals are exact (``Decimal(38, 9)``): no exponent, no thousands separator, at most 9 places, never a float.

Every returned row carries ``source_file``, ``location`` (``line N``) and a ``record_id`` made of the contract name
and the row's natural key, so ids do not depend on row order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from recon.domain import Problem
from recon.errors import FileRejected
from recon.money import MONEY_PRECISION, MONEY_SCALE, iso_currencies

DECIMAL_PATTERN = r"^[+-]?[0-9]{1,29}(\.[0-9]{1,9})?$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MONEY_DTYPE = pl.Decimal(MONEY_PRECISION, MONEY_SCALE)


@dataclass(frozen=True)
class Field:
    """A column of a contract. kind: ``string``, ``decimal``, ``date``, ``currency`` or ``code`` (one of choices)."""

    name: str
    kind: str = "string"
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contract:
    """A file contract: its fields, the natural key that identifies a row, and the money column for conservation."""

    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    amount_field: str | None = None
    currency_field: str | None = None

    def empty_frame(self) -> pl.DataFrame:
        """The typed frame of a file with no rows: what a missing or rejected file contributes."""
        kinds = {"decimal": MONEY_DTYPE, "date": pl.Date}
        schema = {"source_file": pl.String, "record_id": pl.String, "location": pl.String}
        schema.update({f.name: kinds.get(f.kind, pl.String) for f in self.fields})
        return pl.DataFrame(schema=schema)


@dataclass(frozen=True)
class TableRead:
    """The typed rows of one file that met the contract, and the problems of the rows that did not."""

    source_file: str
    frame: pl.DataFrame
    problems: tuple[Problem, ...]
    rows_read: int
    quarantined: pl.DataFrame  # record_id, location, currency, amount (null where unreadable) of quarantined rows


def _file_problem(source_file: str, code: str, field: str, expected: str, found: str, message: str) -> FileRejected:
    return FileRejected(Problem("FILE", source_file, "", "", field, code, expected, found, message))


def _read_raw(path: Path, source_file: str) -> pl.DataFrame:
    """All columns as text, with a row number; decoding or empty-file trouble rejects the file."""
    try:
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            frame = frame.with_columns(pl.all().cast(pl.String))
        else:
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8", raise_if_empty=True)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, OSError, UnicodeDecodeError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise _file_problem(source_file, "UNREADABLE_FILE", "", "UTF-8 CSV with a header row", first_line,
                            "the file cannot be read as the contract's format") from None
    return frame.with_columns(pl.col(pl.String).str.strip_chars()).with_row_index("_row")


def _check_header(frame: pl.DataFrame, contract: Contract, source_file: str) -> None:
    missing = [f.name for f in contract.fields if f.required and f.name not in frame.columns]
    if missing:
        raise _file_problem(source_file, "MISSING_COLUMN", ",".join(missing), ",".join(f.name for f in contract.fields),
                            ",".join(c for c in frame.columns if c != "_row"),
                            f"the {contract.name} file lacks required column(s) {', '.join(missing)}")


def _field_checks(field: Field) -> tuple[pl.Expr, str, str]:
    """(an expression true where the value is bad, the reason code, what was expected) for one field."""
    value = pl.col(field.name)
    blank = value.is_null() | (value == "")
    if field.kind == "decimal":
        bad, code, expected = ~value.str.contains(DECIMAL_PATTERN), "BAD_DECIMAL", "a decimal like -1234.56 (at most 9 places)"
    elif field.kind == "date":
        parsed = value.str.to_date("%Y-%m-%d", strict=False)
        bad, code, expected = ~value.str.contains(DATE_PATTERN) | parsed.is_null(), "BAD_DATE", "a date YYYY-MM-DD"
    elif field.kind == "currency":
        bad, code, expected = ~value.is_in(sorted(iso_currencies())), "BAD_CURRENCY", "an ISO 4217 code"
    elif field.kind == "code":
        bad, code, expected = ~value.is_in(list(field.choices)), "BAD_CODE", "one of " + "|".join(field.choices)
    else:
        bad, code, expected = pl.lit(False), "", ""
    if field.required:
        return (blank | bad.fill_null(True)), code or "MISSING_VALUE", expected or "a value"
    return (~blank & bad.fill_null(True)), code, expected


def _typed(field: Field) -> pl.Expr:
    value = pl.when(pl.col(field.name) == "").then(None).otherwise(pl.col(field.name))
    if field.kind == "decimal":
        return value.cast(MONEY_DTYPE).alias(field.name)
    if field.kind == "date":
        return value.str.to_date("%Y-%m-%d").alias(field.name)
    return value.fill_null("").alias(field.name)


def _row_problems(frame: pl.DataFrame, contract: Contract, source_file: str) -> pl.DataFrame:
    """One row per bad (row, field): _row, field, code, expected, found."""
    parts = []
    for field in contract.fields:
        bad, code, expected = _field_checks(field)
        blank_code = "MISSING_VALUE"
        code_expr = pl.when(pl.col(field.name).is_null() | (pl.col(field.name) == "")).then(pl.lit(blank_code)).otherwise(pl.lit(code))
        parts.append(
            frame.filter(bad).select(
                "_row", pl.lit(field.name).alias("field"), code_expr.alias("code"),
                pl.lit(expected).alias("expected"), pl.col(field.name).fill_null("").alias("found"),
            )
        )
    return pl.concat(parts) if parts else pl.DataFrame()


def _record_ids(frame: pl.DataFrame, contract: Contract) -> pl.Expr:
    return pl.concat_str([pl.lit(contract.name + ":"), pl.concat_str([pl.col(k).fill_null("") for k in contract.key], separator="|")])


def read_table(path: Path, source_file: str, contract: Contract) -> TableRead:
    """Read ``path`` against ``contract``: typed good rows plus one Problem per quarantined row."""
    raw = _read_raw(path, source_file)
    _check_header(raw, contract, source_file)
    for field in contract.fields:
        if field.name not in raw.columns:
            raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(field.name))
    raw = raw.with_columns(_record_ids(raw, contract).alias("record_id"))
    # One vectorised pass flags every row that may break a check; the per-field detail is worked out on those rows
    # only. Keys are flagged by a 64-bit hash of the record id (twice as fast as comparing the texts): every row of a
    # duplicate key is flagged, so the exact is_duplicated within the flagged rows is the one within the file, and a
    # hash collision only flags a row that the exact checks then find good.
    flagged = pl.any_horizontal([_field_checks(field)[0] for field in contract.fields]
                                + [pl.col("record_id").hash(seed=0).is_duplicated()])
    suspects = raw.filter(flagged)
    bad = _row_problems(suspects, contract, source_file)
    duplicate_rows = suspects.filter(pl.col("record_id").is_duplicated()).select(
        "_row", pl.lit(",".join(contract.key)).alias("field"), pl.lit("DUPLICATE_KEY").alias("code"),
        pl.lit("a key no other row of the file has").alias("expected"), pl.col("record_id").alias("found"),
    )
    bad = pl.concat([bad, duplicate_rows]).sort("_row", "field").unique("_row", keep="first", maintain_order=True)
    good = raw.join(bad.select("_row"), on="_row", how="anti") if bad.height else raw
    typed = good.select(
        pl.lit(source_file).alias("source_file"), pl.col("record_id"),
        pl.format("line {}", pl.col("_row") + 2).alias("location"),
        *[_typed(f) for f in contract.fields],
    )
    problems = _problems(raw, bad, contract, source_file)
    return TableRead(source_file, typed, problems, raw.height, _quarantined(raw, bad, contract))


def _quarantined(raw: pl.DataFrame, bad: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """The quarantined rows' money, where it can be read, so conservation can account for it."""
    rows = raw.join(bad.select("_row"), on="_row", how="semi")
    amount = pl.col(contract.amount_field) if contract.amount_field else pl.lit(None, dtype=pl.String)
    currency = pl.col(contract.currency_field) if contract.currency_field else pl.lit("")
    return rows.select(
        "record_id", pl.format("line {}", pl.col("_row") + 2).alias("location"),
        currency.fill_null("").alias("currency"),
        pl.when(amount.str.contains(DECIMAL_PATTERN)).then(amount).otherwise(None).cast(MONEY_DTYPE).alias("amount"),
    )


def _problems(raw: pl.DataFrame, bad: pl.DataFrame, contract: Contract, source_file: str) -> tuple[Problem, ...]:
    detail = bad.join(raw.select("_row", "record_id"), on="_row").sort("_row")
    return tuple(
        Problem("ROW", source_file, f"line {row + 2}", record_id, field, code, expected, found,
                f"{contract.name} row breaks its contract: {field} is {found!r}")
        for row, field, code, expected, found, record_id in detail.select(
            "_row", "field", "code", "expected", "found", "record_id").iter_rows()
    )
