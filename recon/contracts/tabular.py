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

import numpy as np
import polars as pl

from recon.domain import Problem
from recon.errors import FileRejected
from recon.money import MONEY_PRECISION, MONEY_SCALE, iso_currencies

DECIMAL_PATTERN = r"^[+-]?[0-9]{1,29}(\.[0-9]{1,9})?$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MONEY_DTYPE = pl.Decimal(MONEY_PRECISION, MONEY_SCALE)
_PARSED = "_parsed_"  # prefix of the parsed decimal and date columns kept beside their text while checking


@dataclass(frozen=True)
class Field:
    """A column of a contract. kind: ``string``, ``decimal``, ``date``, ``currency`` or ``code`` (one of choices)."""

    name: str
    kind: str = "string"
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contract:
    """A file contract: its fields, the natural key that identifies a row, and the money column for conservation.

    bank_account_field: the column naming the FCM bank account a row moves money in (the cash journal's), kept for a
    quarantined row so proof of cash can count the books' entry it could not reconcile.
    """

    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    amount_field: str | None = None
    currency_field: str | None = None
    bank_account_field: str | None = None

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
    quarantined: pl.DataFrame  # record_id, location, currency, amount, bank_account_id (null where unreadable or
    # the contract has none) of quarantined rows


def _file_problem(source_file: str, code: str, field: str, expected: str, found: str, message: str) -> FileRejected:
    return FileRejected(Problem("FILE", source_file, "", "", field, code, expected, found, message))


def _read_raw(path: Path, source_file: str) -> pl.DataFrame:
    """All columns as text as written (not stripped), with a row number; decoding or empty-file trouble rejects the
    file."""
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
    return frame.with_row_index("_row")


def _check_header(frame: pl.DataFrame, contract: Contract, source_file: str) -> None:
    missing = [f.name for f in contract.fields if f.required and f.name not in frame.columns]
    if missing:
        raise _file_problem(source_file, "MISSING_COLUMN", ",".join(missing), ",".join(f.name for f in contract.fields),
                            ",".join(c for c in frame.columns if c != "_row"),
                            f"the {contract.name} file lacks required column(s) {', '.join(missing)}")


def _field_checks(field: Field) -> tuple[pl.Expr, str, str] | None:
    """(an expression true where the value is bad, the reason code, what was expected) for one field, or None for an
    optional text field, which has nothing to check.

    A decimal is bad when its text breaks the pattern or its parse is null, a date when its parse (which holds the
    pattern, see :func:`_parsed`) is null. A blank (null or '') breaks every pattern and list of choices, so only a
    required text field tests for one.
    """
    value = pl.col(field.name)
    filled = value.str.len_bytes().fill_null(0) > 0
    if field.kind == "string":
        return (~filled, "MISSING_VALUE", "a value") if field.required else None
    if field.kind == "decimal":
        bad = ~value.str.contains(DECIMAL_PATTERN) | pl.col(_PARSED + field.name).is_null()
        code, expected = "BAD_DECIMAL", "a decimal like -1234.56 (at most 9 places)"
    elif field.kind == "date":
        bad = pl.col(_PARSED + field.name).is_null()
        code, expected = "BAD_DATE", "a date YYYY-MM-DD"
    elif field.kind == "currency":
        bad, code, expected = ~value.is_in(sorted(iso_currencies())), "BAD_CURRENCY", "an ISO 4217 code"
    else:
        bad, code, expected = ~value.is_in(list(field.choices)), "BAD_CODE", "one of " + "|".join(field.choices)
    return (bad.fill_null(True) if field.required else filled & bad.fill_null(True)), code, expected


def _parsed(frame: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """``frame`` with each decimal and date column parsed once, beside its text as ``_parsed_<name>``.

    Null where the text does not parse (a blank being null). A decimal's parse is lenient: the checks decide what is
    bad from its text and its parse together, and a good row's typed value is its parse, exact (``Decimal(38, 9)``).
    A date's parse is null unless the text is written YYYY-MM-DD, and each distinct text is parsed once: a file's
    dates repeat (a journal's value dates, a reference file's effective dates).
    """
    parses = []
    for field in contract.fields:
        value = pl.col(field.name)
        if field.kind == "decimal":
            parses.append(value.cast(MONEY_DTYPE, strict=False).alias(_PARSED + field.name))
        elif field.kind == "date":
            written = frame.get_column(field.name).unique()
            dates = pl.select(pl.when(written.str.contains(DATE_PATTERN))
                              .then(written.str.to_date("%Y-%m-%d", strict=False))).to_series()
            parses.append(value.replace_strict(written, dates, default=None, return_dtype=pl.Date)  # every text is
                          .alias(_PARSED + field.name))  # in ``written``: the default types an empty column as Date
    return frame.with_columns(parses)


def _typed(field: Field) -> pl.Expr:
    """The typed column of the rows that met the contract (a blank decimal or date is null, a blank text '')."""
    if field.kind in ("decimal", "date"):
        return pl.col(_PARSED + field.name).alias(field.name)
    return pl.col(field.name).fill_null("")


def _row_problems(frame: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """One row per bad (row, field): _row, field, code, expected, found."""
    parts = []
    for field in contract.fields:
        checks = _field_checks(field)
        if checks is None:
            continue
        bad, code, expected = checks
        blank = pl.col(field.name).is_null() | (pl.col(field.name) == "")
        code_expr = pl.when(blank).then(pl.lit("MISSING_VALUE")).otherwise(pl.lit(code))
        parts.append(
            frame.filter(bad).select(
                "_row", pl.lit(field.name).alias("field"), code_expr.alias("code"),
                pl.lit(expected).alias("expected"), pl.col(field.name).fill_null("").alias("found"),
            )
        )
    return pl.concat(parts) if parts else pl.DataFrame()


def _record_ids(contract: Contract) -> pl.Expr:
    """The contract name and the row's natural key: ``cash_journal:J1``, ``accounts:A1|2026-01-01``."""
    parts: list[pl.Expr] = [pl.lit(contract.name + ":")]
    for number, key in enumerate(contract.key):
        parts += [pl.lit("|"), pl.col(key).fill_null("")] if number else [pl.col(key).fill_null("")]
    return pl.concat_str(parts)  # one flat concatenation: a nested one builds every row's string twice


def read_table(path: Path, source_file: str, contract: Contract) -> TableRead:
    """Read ``path`` against ``contract``: typed good rows plus one Problem per quarantined row."""
    raw = _read_raw(path, source_file)
    _check_header(raw, contract, source_file)
    frame, flags = _checked(raw, contract)
    frame = frame.with_columns(_record_ids(contract).alias("record_id"))
    flags = _flag_repeated_keys(frame.get_column("record_id"), flags)
    good, quarantined, problems = frame, frame.clear(), ()  # no row flagged: every row met the contract
    if flags.any():
        bad = _bad_rows(frame.filter(flags), contract)
        is_bad = pl.col("_row").is_in(bad.get_column("_row").implode())
        good, quarantined = frame.filter(~is_bad), frame.filter(is_bad)
        problems = _problems(quarantined, bad, contract, source_file)
    typed = good.select(
        pl.lit(source_file).alias("source_file"), pl.col("record_id"),
        pl.format("line {}", pl.col("_row") + 2).alias("location"),
        *[_typed(f) for f in contract.fields],
    )
    return TableRead(source_file, typed, problems, frame.height, _quarantined(quarantined, contract))


def _flag_repeated_keys(record_ids: pl.Series, flags: pl.Series) -> pl.Series:
    """``flags`` with every row whose record id (its key) is not unique in the file flagged as well.

    Ids that are strictly increasing (a file written in key order) are all distinct: one comparison of neighbours
    proves it. Otherwise keys are flagged by a 64-bit hash of the record id: every row of a duplicate key is flagged,
    so the exact is_duplicated within the flagged rows is the one within the file, and a hash collision only flags a
    row that the exact checks then find good. When the hashes are all distinct (counting them is cheaper than marking
    the repeats), no key is repeated and no row is flagged for its key.
    """
    rows = record_ids.len()
    if rows < 2 or (record_ids.slice(1) > record_ids.slice(0, rows - 1)).all():
        return flags
    key_hashes = record_ids.hash(seed=0)
    if key_hashes.n_unique() < rows:
        return flags | key_hashes.is_duplicated()
    return flags


def _checked(raw: pl.DataFrame, contract: Contract) -> tuple[pl.DataFrame, pl.Series]:
    """The contract's columns without surrounding blanks, parsed, and a flag per row that may break a check.

    One vectorised pass flags the rows; the per-field detail is worked out on those rows only. A missing optional
    column is all nulls. A plain text column is stripped when some value of it may be padded (see
    :func:`_may_be_padded`). A checked column (decimal, date, currency, code) is
    stripped only when some row is flagged: a value that matches a strict pattern or a list of choices has no blank
    around it, so a file that meets its contract strips nothing there and is checked and parsed once.
    """
    missing = [pl.lit(None, dtype=pl.String).alias(f.name) for f in contract.fields if f.name not in raw.columns]
    padded = [f.name for f in contract.fields
              if f.kind == "string" and f.name in raw.columns and _may_be_padded(raw.get_column(f.name))]
    frame = _parsed(raw.with_columns(*missing, *(pl.col(name).str.strip_chars() for name in padded)), contract)
    checks = pl.any_horizontal(checks[0] for checks in map(_field_checks, contract.fields) if checks is not None)
    flags = frame.select(checks).to_series()
    checked = [f.name for f in contract.fields if f.kind != "string"]
    if checked and flags.any():
        frame = _parsed(frame.with_columns(pl.col(checked).str.strip_chars()), contract)
        flags = frame.select(checks).to_series()
    return frame, flags


def _may_be_padded(column: pl.Series) -> bool:
    """Whether some value of a text column may start or end with whitespace: its first or last byte is a blank or
    control character (ASCII 0x20 or below, or 0x7F) or not ASCII (a Unicode space is bytes of 0x80 and above).

    Looks at two bytes of each value in the column's Arrow buffers, which is cheaper than stripping every value; a
    column that may be padded is stripped whole.
    """
    array = column.rechunk().to_arrow()  # large_string: validity, int64 offsets, data
    if array.null_count == len(array):
        return False
    _, offsets_buffer, data_buffer = array.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[array.offset:array.offset + len(array) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts  # an empty value (or a null) has no edge to look at
    edges = np.concatenate([data[starts[filled]], data[ends[filled] - 1]])
    return bool(((edges <= 0x20) | (edges >= 0x7F)).any())


def _bad_rows(suspects: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """The first problem (by field name) of every suspect row that breaks the contract: _row, field, code, ..."""
    bad = _row_problems(suspects, contract)
    duplicate_rows = suspects.filter(pl.col("record_id").is_duplicated()).select(
        "_row", pl.lit(",".join(contract.key)).alias("field"), pl.lit("DUPLICATE_KEY").alias("code"),
        pl.lit("a key no other row of the file has").alias("expected"), pl.col("record_id").alias("found"),
    )
    return pl.concat([bad, duplicate_rows]).sort("_row", "field").unique("_row", keep="first", maintain_order=True)


def _quarantined(rows: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """The quarantined rows' money, where it can be read, so conservation can account for it (and proof of cash, by
    the bank account it moves in, a blank one null)."""
    amount = pl.col(contract.amount_field) if contract.amount_field else pl.lit(None, dtype=pl.String)
    currency = pl.col(contract.currency_field) if contract.currency_field else pl.lit("")
    bank_account = pl.col(contract.bank_account_field) if contract.bank_account_field else pl.lit(None, pl.String)
    return rows.select(
        "record_id", pl.format("line {}", pl.col("_row") + 2).alias("location"),
        currency.fill_null("").alias("currency"),
        pl.when(amount.str.contains(DECIMAL_PATTERN)).then(amount).otherwise(None).cast(MONEY_DTYPE).alias("amount"),
        pl.when(bank_account != "").then(bank_account).otherwise(None).alias("bank_account_id"),
    )


def _problems(rows: pl.DataFrame, bad: pl.DataFrame, contract: Contract, source_file: str) -> tuple[Problem, ...]:
    """One ROW Problem per quarantined row (``rows``), in file order."""
    detail = bad.join(rows.select("_row", "record_id"), on="_row").sort("_row")
    return tuple(
        Problem("ROW", source_file, f"line {row + 2}", record_id, field, code, expected, found,
                f"{contract.name} row breaks its contract: {field} is {found!r}")
        for row, field, code, expected, found, record_id in detail.select(
            "_row", "field", "code", "expected", "found", "record_id").iter_rows()
    )
