"""The parse stage: every landed file read by its contract into canonical Arrow tables, problems collected.

A file a reader rejects contributes no row and one FILE problem; a row a contract rejects is quarantined (its money,
where readable, is kept for conservation). Each file ends with a :class:`FileReport` saying what became of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import chain, groupby, repeat
from operator import mul

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from recon.contracts import bai2, camt, fixml
from recon.contracts.ledger import DAY_CONTRACTS
from recon.contracts.reference import REFERENCE_CONTRACTS, in_force
from recon.contracts.tabular import TableRead, read_table
from recon.domain import (
    BankBalance, BankEntries, BankEntry, BankStatement, LineLocations, PositionReport, Problem, ScaledDecimals,
    TradeReport,
)
from recon.errors import FileRejected, invariant
from recon.landing import InputFile
from recon.money import MONEY_PRECISION, MONEY_SCALE

_MONEY = pa.decimal128(MONEY_PRECISION, MONEY_SCALE)
_STATEMENT_COLUMNS = [("statement_id", pa.string()), ("fmt", pa.string()), ("report_kind", pa.string())]
_ENTRY_TYPES = {"as_of_date": pa.date32(), "value_date": pa.date32(), "amount": _MONEY, "reversal": pa.bool_()}
_BALANCE_TYPES = {"as_of_date": pa.date32(), "amount": _MONEY}
TABULAR_KINDS = ("REFERENCE", "LEDGER", "COLLATERAL", "FX_RATES")
# a quarantined row's money where readable (conservation) and, for a cash journal entry, its bank account (proof of
# cash, int_bank_balance_explained)
QUARANTINED_ROWS_SCHEMA = pa.schema(
    [("source_file", pa.string()), ("record_id", pa.string()), ("currency", pa.string()), ("amount", _MONEY),
     ("bank_account_id", pa.string())]
)


def _record_schema(record: type, types: dict[str, pa.DataType]) -> pa.Schema:
    return pa.schema(
        [pa.field(name, types.get(name, pa.string())) for name in record._fields] + _STATEMENT_COLUMNS
    )


BANK_ENTRY_SCHEMA = _record_schema(BankEntry, _ENTRY_TYPES)
BANK_BALANCE_SCHEMA = _record_schema(BankBalance, _BALANCE_TYPES)
_REPORT_TYPES = {
    "biz_date": pa.date32(), "trade_date": pa.date32(), "settlement_price": _MONEY, "strike": _MONEY,
    "multiplier": _MONEY, "quantity": _MONEY, "price": _MONEY,
}
_QUANTITY_COLUMNS = [(f"{typ}_{side}", _MONEY) for typ in ("sod", "fin") for side in ("long", "short")]
POSITION_REPORT_SCHEMA = pa.schema(
    [pa.field(n, _REPORT_TYPES.get(n, pa.string())) for n in PositionReport._fields[:-2]] + _QUANTITY_COLUMNS
)
POSITION_AMOUNT_SCHEMA = pa.schema(
    [("source_file", pa.string()), ("record_id", pa.string()), ("location", pa.string()), ("amt_type", pa.string()),
     ("amount", _MONEY), ("currency", pa.string())]
)
TRADE_REPORT_SCHEMA = pa.schema([pa.field(n, _REPORT_TYPES.get(n, pa.string())) for n in TradeReport._fields])


@dataclass(frozen=True)
class FileReport:
    """What became of one landed file. status: ACCEPTED, REJECTED, DUPLICATE, IGNORED, UNKNOWN or MISSING."""

    rel_path: str
    kind: str
    sha256: str
    size_bytes: int
    status: str
    rows_read: int
    rows_quarantined: int
    detail: str = ""


@dataclass
class Ingested:
    """The parse stage's result: canonical tables by name, problems, per-file reports, bank statements read."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    reports: list[FileReport] = field(default_factory=list)
    statements: list[BankStatement] = field(default_factory=list)
    quarantined_rows: list[pl.DataFrame] = field(default_factory=list)


def _rows_to_table(rows: Sequence[tuple], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows)) if rows else [[] for _ in schema]
    return pa.table([pa.array(column, type=f.type) for column, f in zip(columns, schema)], schema=schema)


def _balance_rows(statements: Iterable[BankStatement]) -> list[tuple]:
    return [(*row, s.statement_id, s.fmt, s.report_kind) for s in statements for row in s.balances]


def _bank_entries_table(statements: Sequence[BankStatement]) -> pa.Table:
    """src_bank__entries: every statement's entries with its id, format and kind, built column by column.

    A reader's columns (:class:`BankEntries`) are taken whole: line numbers become ``line N`` and amounts held as
    scaled integers become decimals inside Arrow, with no Python object per entry; a tuple of entries (camt) is
    turned into columns first."""
    held = [s for s in statements if len(s.entries)]
    parts = [s.entries.columns if isinstance(s.entries, BankEntries) else dict(zip(BankEntry._fields, zip(*s.entries)))
             for s in held]
    arrays = []
    for spec in BANK_ENTRY_SCHEMA:
        if spec.name in BankEntry._fields:
            columns = [part[spec.name] for part in parts]
        else:  # a statement column: the statement's value for each of its entries
            columns = [[getattr(s, spec.name)] * len(s.entries) for s in held]
        if spec.name == "amount":
            arrays.append(_money_array(columns))
        elif columns and all(isinstance(column, LineLocations) for column in columns):
            numbers = pa.array(list(chain.from_iterable(column.numbers for column in columns)), pa.int64())
            arrays.append(pc.binary_join_element_wise("line ", numbers.cast(pa.string()), ""))
        else:
            arrays.append(pa.array(list(chain.from_iterable(columns)), spec.type))
    return pa.Table.from_arrays(arrays, schema=BANK_ENTRY_SCHEMA)


def _money_array(columns: Sequence[Sequence[Decimal]]) -> pa.Array:
    """One DECIMAL(38, 9) array of the columns' amounts, in order; runs of :class:`ScaledDecimals` are converted as
    integers (scaled to nine places, then read as decimals of scale 9 without a Decimal per amount)."""
    pieces = []
    for scaled, run in groupby(columns, key=lambda column: isinstance(column, ScaledDecimals)):
        if not scaled:
            pieces.append(pa.array(list(chain.from_iterable(run)), _MONEY))
            continue
        run = list(run)
        invariant(all(column.exponent >= -MONEY_SCALE for column in run), "a bank amount has more than nine places")
        nanos = list(chain.from_iterable(map(mul, column.units, repeat(10 ** (MONEY_SCALE + column.exponent)))
                                         for column in run))
        try:
            integers = pa.array(nanos, pa.int64()).cast(pa.decimal128(MONEY_PRECISION, 0))
        except OverflowError:  # beyond 64 bits (amounts over 9.2 billion): read as decimals directly, more slowly
            integers = pa.array(nanos, pa.decimal128(MONEY_PRECISION, 0))
        pieces.append(pa.Array.from_buffers(_MONEY, len(integers), integers.buffers(), null_count=0))
    return pa.concat_arrays(pieces) if pieces else pa.array([], _MONEY)


def _read_bank(file: InputFile, strict: bool) -> list[BankStatement]:
    if file.kind == "BAI2":
        return list(bai2.read_bai2(file.path, file.rel_path, strict=strict).statements)
    return list(camt.read_camt(file.path, file.rel_path, strict=strict).statements)


def _position_rows(report: PositionReport) -> tuple:
    quantities = {typ: (long, short) for typ, long, short in report.quantities}
    zero = (Decimal(0), Decimal(0))
    return (*report[:-2], *quantities.get("SOD", zero), *quantities.get("FIN", zero))


def _check_business_date(file: InputFile, reports: list, folder_date: date) -> None:
    wrong = next((r for r in reports if r.biz_date != folder_date), None)
    if wrong is not None:
        raise FileRejected(Problem("FILE", file.rel_path, wrong.location, "", "BizDt", "WRONG_BUSINESS_DATE",
                                   folder_date.isoformat(), wrong.biz_date.isoformat(),
                                   "a clearing file in a date's folder must report that business date"))


def _read_fixml_file(file: InputFile, folder_date: date) -> tuple[list[TradeReport], list[PositionReport], tuple]:
    trades, positions, summary = fixml.read_fixml(file.path, file.rel_path)
    _check_business_date(file, [*trades, *positions], folder_date)
    return trades, positions, summary.problems


# the FIXML files the last ingest of this process read, by (path, SHA-256, folder date): a day's clearing files are
# read again as the next business day's T-1 files, and days run in order (a backfill), so each is parsed once
_FIXML_READ: dict[tuple[str, str, date], tuple] = {}


def _read_fixml_files(files: list[InputFile], dates: dict[str, date]) -> tuple[dict[str, tuple], dict[str, Problem]]:
    """Each FIXML file read (by relative path), or the problem that rejected it; a file the previous ingest read
    (the same path, bytes and folder date) is taken from it, not parsed again."""
    read: dict[str, tuple] = {}
    rejected: dict[str, Problem] = {}
    keys = {file.rel_path: (file.rel_path, file.sha256, dates[file.rel_path]) for file in files}
    for file in files:
        try:
            read[file.rel_path] = _FIXML_READ.get(keys[file.rel_path]) or _read_fixml_file(file, dates[file.rel_path])
        except FileRejected as error:
            rejected[file.rel_path] = error.problem
    _FIXML_READ.clear()
    _FIXML_READ.update((keys[path], result) for path, result in read.items())
    return read, rejected


def _trade_claims(read: dict[str, tuple], dates: dict[str, date]) -> dict[tuple, list[tuple[str, object]]]:
    claims: dict[tuple, list[tuple[str, object]]] = {}
    for path, (trades, _, _) in read.items():
        for trade in {(t.trd_id, t.rpt_id, t.leg) for t in trades}:
            claims.setdefault((dates[path], *trade), []).append((path, trade))
    return claims


def _ingest_fixml(ingested: Ingested, files: list[InputFile], dates: dict[str, date]) -> None:
    read, unreadable = _read_fixml_files(files, dates)
    for file in files:
        if file.rel_path in unreadable:
            _reject(ingested, file, unreadable[file.rel_path])
    rejected, _ = _claims_resolved(_trade_claims(read, dates), "TrdID",
                                   lambda key: f"trade {key[1]} (report {key[2]}) of {key[0]}", lambda _: False)
    trades, positions, amounts = [], [], []
    for file in files:
        if file.rel_path in rejected:
            _reject(ingested, file, rejected[file.rel_path])
            continue
        if file.rel_path not in read:
            continue
        file_trades, file_positions, problems = read[file.rel_path]
        ingested.problems.extend(problems)
        trades.extend(file_trades)
        positions.extend(_position_rows(r) for r in file_positions)
        amounts.extend((r.source_file, r.record_id, r.location, *a) for r in file_positions for a in r.amounts)
        ingested.reports.append(FileReport(file.rel_path, file.kind, file.sha256, file.size_bytes, "ACCEPTED",
                                           len(file_trades) + len(file_positions), len(problems)))
    ingested.tables["src_clearing__trade_reports"] = _rows_to_table(trades, TRADE_REPORT_SCHEMA)
    ingested.tables["src_clearing__position_reports"] = _rows_to_table(positions, POSITION_REPORT_SCHEMA)
    ingested.tables["src_clearing__position_amounts"] = _rows_to_table(amounts, POSITION_AMOUNT_SCHEMA)


def _reject(ingested: Ingested, file: InputFile, problem: Problem) -> None:
    ingested.problems.append(problem._replace(scope="FILE", source_file=file.rel_path))
    ingested.reports.append(FileReport(file.rel_path, file.kind, file.sha256, file.size_bytes, "REJECTED", 0, 0,
                                       problem.describe()))


def _conflict(rel_path: str, others: list[str], field: str, subject: str) -> Problem:
    return Problem("FILE", rel_path, "", "", field, "CONFLICTING_FILE", f"one file claiming {subject}",
                   f"also claimed by {', '.join(others)}",
                   f"{subject} is claimed by more than one file (also {', '.join(others)}); neither is used")


def _claims_resolved(claims: dict[tuple, list[tuple[str, object]]], field: str, describe: Callable[[tuple], str],
                     supersedes: Callable[[object], bool]) -> tuple[dict[str, Problem], set[tuple[str, object]]]:
    """Files that claim the same thing: one marked as superseding wins (the others are superseded); otherwise
    every claiming file is rejected, naming the others."""
    rejected: dict[str, Problem] = {}
    superseded: set[tuple[str, object]] = set()
    contested = [(key, claimants) for key, claimants in claims.items() if len(claimants) > 1]
    for key, claimants in sorted(contested, key=lambda item: str(item[0])):
        files = sorted({path for path, _ in claimants})
        winners = [c for c in claimants if supersedes(c[1])]
        if len(winners) == 1:
            superseded |= {c for c in claimants if c is not winners[0]}
            continue
        for path in files:
            rejected.setdefault(path, _conflict(path, [f for f in files if f != path] or [path], field, describe(key)))
    return rejected, superseded


def _statement_claims(read: dict[str, list[BankStatement]]) -> dict[tuple, list[tuple[str, object]]]:
    claims: dict[tuple, list[tuple[str, object]]] = {}
    for path, statements in read.items():
        for statement in statements:
            if statement.is_statement_of_record:
                key = (statement.bank_account_id, statement.currency, statement.as_of_date)
                claims.setdefault(key, []).append((path, statement))
    return claims


def _check_as_of_date(file: InputFile, statements: list[BankStatement], folder_date: date) -> None:
    """A bank file in a date's folder whose statements of record (final reports: BAI2 as-of modifier 2 or none,
    camt.053) are all for other as-of dates claims another business date: the file is rejected whole (inputs.md,
    "What bad input gets"), as a clearing file is. A multi-day file that holds the folder date's statement of record
    is split by as-of date: its reports of other dates are kept, never reconciled (int_bank_entries_routed,
    OTHER_AS_OF_DATE), as intraday views are."""
    finals = [s for s in statements if s.is_statement_of_record]
    if not finals or any(s.as_of_date == folder_date for s in finals):
        return
    wrong = finals[0]
    records = wrong.balances or wrong.entries
    field = "02 as-of date" if wrong.fmt == "BAI2" else "Stmt/Bal[CLBD]/Dt"
    raise FileRejected(Problem(
        "FILE", file.rel_path, records[0].location if records else "", wrong.statement_id, field,
        "WRONG_BUSINESS_DATE", folder_date.isoformat(), wrong.as_of_date.isoformat(),
        f"the statement of record {wrong.statement_id} of bank account {wrong.bank_account_id} is for "
        f"{wrong.as_of_date}, but the file is in the folder of business date {folder_date}: a bank file in a date's "
        "folder must report that date"))


def _ingest_bank(ingested: Ingested, files: list[InputFile], strict: bool, folder_date: date) -> None:
    read: dict[str, list[BankStatement]] = {}
    for file in files:
        try:
            statements = _read_bank(file, strict)
            _check_as_of_date(file, statements, folder_date)
            read[file.rel_path] = statements
        except FileRejected as rejected:
            _reject(ingested, file, rejected.problem)
    rejected, superseded = _claims_resolved(
        _statement_claims(read), "statement",
        lambda key: f"the statement of record of bank account {key[0]} {key[1]} for {key[2]}",
        lambda statement: statement.fmt == "BAI2" and statement.group_status == "3")
    superseded_statements = {id(statement) for _, statement in superseded}  # by identity: hashing reads every entry
    for file in files:
        if file.rel_path in rejected:
            _reject(ingested, file, rejected[file.rel_path])
        elif file.rel_path in read:
            statements = [s._replace(report_kind="SUPERSEDED") if id(s) in superseded_statements else s
                          for s in read[file.rel_path]]
            ingested.statements.extend(statements)
            rows = sum(len(s.entries) for s in statements)  # balances are facts, not rows to account for
            ingested.reports.append(FileReport(file.rel_path, file.kind, file.sha256, file.size_bytes, "ACCEPTED", rows, 0))
    ingested.tables["src_bank__entries"] = _bank_entries_table(ingested.statements)
    ingested.tables["src_bank__balances"] = _rows_to_table(_balance_rows(ingested.statements), BANK_BALANCE_SCHEMA)


def _ingest_tabular(ingested: Ingested, file: InputFile, reader: Callable[[], TableRead]) -> TableRead | None:
    try:
        read = reader()
    except FileRejected as rejected:
        _reject(ingested, file, rejected.problem)
        return None
    ingested.problems.extend(read.problems)
    ingested.quarantined_rows.append(read.quarantined.select(pl.lit(file.rel_path).alias("source_file"), pl.all()))
    ingested.reports.append(FileReport(file.rel_path, file.kind, file.sha256, file.size_bytes, "ACCEPTED",
                                       read.rows_read, len(read.problems)))
    return read


def _source_table(file: InputFile) -> str:
    """The source table a tabular file loads: ``src_<folder>__<name>`` (the date's fx_rates is reference)."""
    folder = {"LEDGER": "ledger", "COLLATERAL": "clearing"}.get(file.kind, "reference")
    return f"src_{folder}__{file.name}"


def _ingest_tables(ingested: Ingested, files: list[InputFile], business_date: date) -> None:
    for file in files:
        table = _source_table(file)
        if file.kind == "REFERENCE" and file.name in REFERENCE_CONTRACTS:
            contract = REFERENCE_CONTRACTS[file.name][0]
        elif table in DAY_CONTRACTS:
            contract = DAY_CONTRACTS[table][1]
        else:
            ingested.reports.append(FileReport(file.rel_path, file.kind, file.sha256, file.size_bytes, "IGNORED", 0, 0,
                                               "no contract in this version reads this file"))
            continue
        if table in ingested.tables:
            _reject(ingested, file, Problem("FILE", file.rel_path, "", "", "", "CONFLICTING_FILE", "one file of each kind",
                                            "a second one", f"another file already loaded {table}"))
            continue
        read = _ingest_tabular(ingested, file, lambda: read_table(file.path, file.rel_path, contract))
        if read is None:
            continue
        frame = read.frame
        if file.kind == "REFERENCE":
            frame, problems = in_force(read, file.name, business_date)
            ingested.problems.extend(problems)
        ingested.tables[table] = frame.to_arrow()


def _fill_missing(ingested: Ingested) -> None:
    """Empty typed tables for the tabular sources that did not arrive (or were rejected)."""
    for name, (contract, _) in REFERENCE_CONTRACTS.items():
        ingested.tables.setdefault(f"src_reference__{name}", contract.empty_frame().to_arrow())
    for table, (_, contract) in DAY_CONTRACTS.items():
        ingested.tables.setdefault(table, contract.empty_frame().to_arrow())


def ingest(files: list[InputFile], business_date: date, previous_clearing: list[InputFile], *,
           strict: bool = True) -> Ingested:
    """Read every landed file of the day by its contract, and the previous business day's FIXML clearing files."""
    ingested = Ingested()
    live = []
    for file in [*files, *previous_clearing]:
        if file.duplicate_of:
            ingested.reports.append(FileReport(file.rel_path, file.kind, file.sha256, file.size_bytes, "DUPLICATE", 0, 0,
                                               f"same bytes as {file.duplicate_of}: loaded once"))
        elif file.kind == "UNKNOWN" or file in previous_clearing and file.kind != "FIXML":
            ingested.reports.append(FileReport(file.rel_path, file.kind, file.sha256, file.size_bytes,
                                               "UNKNOWN" if file.kind == "UNKNOWN" else "IGNORED", 0, 0,
                                               "not read by this version"))
        else:
            live.append(file)
    _ingest_tables(ingested, [f for f in live if f.kind in TABULAR_KINDS], business_date)
    _ingest_bank(ingested, [f for f in live if f.kind in ("BAI2", "CAMT")], strict, business_date)
    previous_date = {f.rel_path: date.fromisoformat(f.rel_path.split("/", 1)[0]) for f in previous_clearing}
    _ingest_fixml(ingested, [f for f in live if f.kind == "FIXML"],
                  {f.rel_path: previous_date.get(f.rel_path, business_date) for f in live})
    _fill_missing(ingested)
    quarantined = pl.concat(ingested.quarantined_rows) if ingested.quarantined_rows else None
    ingested.tables["src_quarantined_rows"] = (
        quarantined.select(QUARANTINED_ROWS_SCHEMA.names).to_arrow().cast(QUARANTINED_ROWS_SCHEMA)
        if quarantined is not None
        else QUARANTINED_ROWS_SCHEMA.empty_table()
    )
    return ingested
