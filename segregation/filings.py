"""Filed versus current: marking a date's statements filed, and the filed lines a re-run is compared with.

:func:`mark_filed` appends to ``seg_filings`` (append-only) one row per class: the statement's every line and
currency as published by the date's latest run, that run's id and manifest hash, who and when. A statement that is
NOT_FILEABLE cannot be marked filed.

:func:`filed_lines_table` gives the latest filing of each class of a date as flat rows
(``src_warehouse__seg_filed_lines``): the match stage registers it, and the SQL models compare the re-run's lines
with it (``int_seg_filed_differences``), raising ``REFILING_MAY_BE_NEEDED`` when a filed figure changed.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa

from recon import run_scope
from recon.errors import FcmReconError
from recon.trust import stale_days, tampered_tables, warnings
from recon.targets import WarehouseTarget, open_warehouse
from segregation.lines import CUSTOMER_CLASSES

FILED_LINE_COLUMNS = ("line_order", "line", "label", "role", "currency", "amount", "amount_usd")
FILED_LINES_SCHEMA = pa.schema([
    pa.field("seg_class", pa.string(), nullable=False),
    pa.field("line", pa.string(), nullable=False),
    pa.field("currency", pa.string(), nullable=False),
    pa.field("amount", pa.decimal128(38, 9), nullable=False),
    pa.field("amount_usd", pa.decimal128(38, 9), nullable=False),
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("filed_by", pa.string(), nullable=False),
    pa.field("filed_at", pa.timestamp("us"), nullable=False),
])


class FilingError(FcmReconError):
    """A statement cannot be marked filed (no run for the date, or the statement is NOT_FILEABLE)."""


def _lines_json(rows: list[dict]) -> str:
    ordered = sorted(rows, key=lambda r: (r["line_order"], r["currency"]))
    return json.dumps([{c: str(r[c]) if isinstance(r[c], Decimal) else r[c] for c in FILED_LINE_COLUMNS}
                       for r in ordered], sort_keys=True)


def mark_filed(warehouse: WarehouseTarget, business_date: date, classes: tuple[str, ...] | None, filed_by: str,
               filed_at: datetime) -> list[dict]:
    """Append a filing of each class's published statement of ``business_date`` to the warehouse (DuckDB or
    BigQuery); returns the rows appended. ``classes`` None: every class the date's run computed (the SECURED
    statement alone on a SECURED-only date, recon.run_scope)."""
    with open_warehouse(warehouse) as target:
        runs = target.runs(business_date)
        if not runs:
            raise FilingError(f"no run of {business_date} in {warehouse}: run the day before marking it filed")
        stale_since = stale_days(target).get(business_date)
        if stale_since is not None:
            raise FilingError(warnings(business_date, stale_since, [])[0]
                              + "; a stale statement cannot be marked filed")
        tampered = tampered_tables(target, business_date, ("seg_statement_lines",))
        if tampered:
            raise FilingError(warnings(business_date, None, tampered)[0] + "; it cannot be marked filed")
        run = runs[-1]
        classes = classes or run_scope.day_classes(runs) or CUSTOMER_CLASSES
        lines = target.read_partition("seg_statement_lines", business_date)
        filed = latest_filings(target, business_date)
        filings = []
        for seg_class in classes:
            if seg_class in filed and filed[seg_class]["run_id"] == run["run_id"]:
                earlier = filed[seg_class]
                raise FilingError(f"the {seg_class} statement of {business_date} from run {run['run_id']} was already "
                                  f"marked filed by {earlier['filed_by']} at {earlier['filed_at']}; a re-run that "
                                  "changes it can be filed again")
            rows = [r for r in lines if r["seg_class"] == seg_class]
            statuses = {r["statement_status"] for r in rows}
            if statuses != {"FILEABLE"}:
                raise FilingError(f"the {seg_class} statement of {business_date} is "
                                  f"{', '.join(sorted(statuses)) or 'missing'}: "
                                  "only a FILEABLE statement can be marked filed")
            filings.append({"business_date": business_date, "seg_class": seg_class, "run_id": run["run_id"],
                            "manifest_hash": run["manifest_hash"], "filed_by": filed_by, "filed_at": filed_at,
                            "lines": _lines_json(rows)})
        target.append("seg_filings", filings)
    return filings


def latest_filings(target: object, business_date: date) -> dict[str, dict]:
    """seg_class -> the latest seg_filings row of ``business_date`` in the open warehouse ``target`` (filed_at, then
    run_id, breaks ties)."""
    latest: dict[str, dict] = {}
    for row in target.read_partition("seg_filings", business_date):
        if row["seg_class"] not in latest or (row["filed_at"], row["run_id"]) >= (
                latest[row["seg_class"]]["filed_at"], latest[row["seg_class"]]["run_id"]):
            latest[row["seg_class"]] = row
    return latest


def filed_lines(filing: dict) -> list[dict]:
    """The lines of one filing with their amounts as Decimals."""
    return [dict(line, amount=Decimal(line["amount"]), amount_usd=Decimal(line["amount_usd"]))
            for line in json.loads(filing["lines"])]


def filed_lines_table(target: object, business_date: date) -> pa.Table:
    """The latest filing of each class of ``business_date`` in the open warehouse ``target`` as flat rows."""
    filings = latest_filings(target, business_date)
    rows = [{"seg_class": seg_class, "line": line["line"], "currency": line["currency"], "amount": line["amount"],
             "amount_usd": line["amount_usd"], "run_id": filing["run_id"], "filed_by": filing["filed_by"],
             "filed_at": filing["filed_at"]}
            for seg_class, filing in sorted(filings.items()) for line in filed_lines(filing)]
    return pa.Table.from_pylist(rows, schema=FILED_LINES_SCHEMA)
