"""Files for people, written for every day: the break report and the statements (text).

The break report is the day's ``recon_breaks`` partition, every row and every column, worst first (the tier's rank
in ``recon/rules/tiers.yaml``, then the absolute difference in USD, then the absolute difference, then the break
id), rendered as a terminal table, CSV, JSON, an XLSX workbook (Summary, Detail and Aging sheets) and a
self-contained HTML page with SVG charts. Each format is a function of the partition and the business date only: the
same data gives the same bytes.

Units: a difference is in the break's currency, except for POSITION and TRADE, whose amounts are quantities or
prices (see their SQL models). So differences are added up only within one (recon, break_type, tier, currency) row
of the summary, never across rows; ``difference_usd`` (money recons) and ``seg_impact_usd`` are in USD everywhere,
and seg_impact_usd has a grand total. Aging counts the outstanding breaks (NEW and OPEN): a PENDING item is not a
break yet and a RESOLVED or CLOSED one no longer is.

Money in the workbook: xlsxwriter writes a number as text in the sheet XML (16 significant digits) and Excel reads
it into a double. Each amount goes in twice: a number cell written from its Decimal (never through a float) with a
``#,##0.00`` format, for sums and filters, and its exact decimal text in an ``<column>_exact`` column, the value of
record whatever its number of digits. CSV, JSON and the HTML page carry exact decimal text only.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, localcontext
from pathlib import Path

import xlsxwriter

from recon import run_scope
from recon.errors import ConfigError, InvariantViolation, NoReconciliation, RunNotFound, WarehouseError, invariant
from recon.money import MONEY_CONTEXT
from recon.rules import load_rules
from recon.schema import warehouse_tables
from recon.trust import stale_days, tampered_tables
from recon.trust import warnings as trust_warnings
from recon.statement_docs import write_statement_documents
from recon.targets import WarehouseTarget, open_warehouse, warehouse_exists

# the columns of recon_breaks in the order a person reads them; any other column of the schema follows
READING_ORDER = [
    "tier", "recon", "break_type", "status", "seg_class", "bank_account_id", "account", "currency", "reference",
    "clearing_amount", "bank_amount", "ledger_amount", "difference", "difference_usd", "seg_impact_usd", "seg_line",
    "first_seen_date", "age_business_days", "expected_date", "break_id", "clearing_records", "bank_records",
    "ledger_records", "source_files", "business_date",
]
STATUSES = ("NEW", "OPEN", "PENDING", "RESOLVED", "CLOSED")
OUTSTANDING = ("NEW", "OPEN")
# (label, first age, last age or None): CME business days since the break was first seen
AGE_BUCKETS = (("0", 0, 0), ("1", 1, 1), ("2-5", 2, 5), ("6-10", 6, 10), ("11+", 11, None))
COMPLETED_RUNS = ("COMPLETED", "COMPLETED_WITH_REJECTIONS")
DAY_FILES = (("breaks.csv", "csv"), ("breaks.json", "json"), ("breaks.xlsx", "xlsx"), ("breaks.html", "html"))

XLSX_ROWS_MAX = 1_048_576
XLSX_CELL_UNITS_MAX = 32_767  # UTF-16 code units in one cell; xlsxwriter would cut a longer text silently
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class BreakReport:
    """One business day's break report.

    ``columns``: every column of ``recon_breaks``, in reading order; ``money_columns``: its NUMERIC ones, in the
    same order. ``breaks``: every row of the partition, worst first. ``summary``: one row per recon, break_type,
    tier and currency with the item count, the count per status and the totals of difference, absolute difference
    and seg_impact_usd. ``totals``: the counts and the seg_impact_usd total of the whole day. ``aging``: outstanding
    breaks per recon and tier counted by age bucket, with their ``total``; ``aging_totals``: the same counts over every
    outstanding break.
    """

    business_date: date
    columns: list[str]
    money_columns: list[str]
    breaks: list[dict]
    summary: list[dict]
    totals: dict
    aging: list[dict]
    aging_totals: dict
    stale_since: date | None = None  # the first stale day when this day is stale (recon.trust)
    tampered: tuple[str, ...] = ()  # "recon_breaks" when its partition no longer hashes to the run's record


# ---------------------------------------------------------------------------------------------------------- building


def _columns() -> tuple[list[str], list[str]]:
    """The columns of ``recon_breaks`` in reading order, and the NUMERIC ones among them."""
    table = warehouse_tables()["recon_breaks"]
    columns = [c for c in READING_ORDER if c in table.column_names]
    columns += [c for c in table.column_names if c not in READING_ORDER]
    numeric = {c.name for c in table.columns if c.type == "NUMERIC"}
    return columns, [c for c in columns if c in numeric]


def _tier_ranks() -> dict[str, int]:
    return {row["tier"]: row["tier_rank"] for row in load_rules().tiers.to_pylist()}


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    """The exact sum of the values present, None when none is (50 significant digits hold any DECIMAL(38, 9) sum)."""
    present = [value for value in values if value is not None]
    with localcontext(MONEY_CONTEXT):
        return sum(present, Decimal(0)) if present else None


def age_bucket(age_business_days: int) -> str:
    """The label of the aging bucket that holds ``age_business_days``."""
    invariant(age_business_days >= 0, f"a break cannot be {age_business_days} business days old")
    return next(label for label, first, last in AGE_BUCKETS
                if age_business_days >= first and (last is None or age_business_days <= last))


def _counts(rows: list[dict]) -> dict:
    statuses = Counter(row["status"] for row in rows)
    invariant(set(statuses) <= set(STATUSES), f"unknown break status in {sorted(statuses)}")
    return {"items": len(rows), **{status: statuses[status] for status in STATUSES}}


def _summary(rows: list[dict], rank: Callable[[str], int]) -> list[dict]:
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["recon"], row["break_type"], row["tier"], row["currency"]), []).append(row)
    return [
        {"recon": recon, "break_type": break_type, "tier": tier, "currency": currency, **_counts(members),
         "difference": _sum(r["difference"] for r in members),
         "abs_difference": _sum(r["difference"].copy_abs() for r in members),
         "seg_impact_usd": _sum(r["seg_impact_usd"] for r in members)}
        for (recon, break_type, tier, currency), members in sorted(
            groups.items(), key=lambda item: (item[0][0], item[0][1], rank(item[0][2]), item[0][2], item[0][3]))
    ]


def _aging_counts(rows: list[dict]) -> dict:
    buckets = Counter(age_bucket(row["age_business_days"]) for row in rows)
    return {**{label: buckets[label] for label, _, _ in AGE_BUCKETS}, "total": len(rows)}


def _aging(rows: list[dict], rank: Callable[[str], int]) -> list[dict]:
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        if row["status"] in OUTSTANDING:
            groups.setdefault((row["recon"], row["tier"]), []).append(row)
    return [{"recon": recon, "tier": tier, **_aging_counts(members)}
            for (recon, tier), members in sorted(groups.items(), key=lambda i: (i[0][0], rank(i[0][1]), i[0][1]))]


def build_report(business_date: date, rows: list[dict]) -> BreakReport:
    """The report of ``rows`` (a day's ``recon_breaks`` partition, in any order)."""
    ranks = _tier_ranks()

    def rank(tier: str) -> int:
        return ranks.get(tier, len(ranks) + 1)

    # worst first: by tier, then by the difference in USD (a break with none, contracts or prices, after those with
    # one), then by the difference itself; copy_abs and copy_negate are exact whatever the context's precision
    def worst_first(row: dict) -> tuple:
        usd = row["difference_usd"]
        return (rank(row["tier"]), usd is None, (usd or Decimal(0)).copy_abs().copy_negate(),
                row["difference"].copy_abs().copy_negate(), row["break_id"])

    breaks = sorted(rows, key=worst_first)
    outstanding = [row for row in rows if row["status"] in OUTSTANDING]
    totals = {**_counts(rows), "seg_impact_usd": _sum(r["seg_impact_usd"] for r in rows)}
    return BreakReport(business_date, *_columns(), breaks, _summary(rows, rank), totals, _aging(rows, rank),
                       _aging_counts(outstanding))


def read_report(warehouse: WarehouseTarget, business_date: date) -> BreakReport:
    """The break report of ``business_date`` from the warehouse (a DuckDB file or BigQuery); RunNotFound when it
    has no completed run of the date."""
    if not warehouse_exists(warehouse):
        raise WarehouseError(f"no warehouse at {warehouse}")
    with open_warehouse(warehouse) as target:
        runs = target.runs(business_date)
        if not any(run["status"] in COMPLETED_RUNS for run in runs):
            raise RunNotFound(f"the warehouse {warehouse} holds no completed run for {business_date}")
        if run_scope.is_secured_only(run_scope.day_classes(runs)):
            raise NoReconciliation(run_scope.no_reconciliation(business_date))
        report = build_report(business_date, target.read_partition("recon_breaks", business_date))
        return replace(report, stale_since=stale_days(target).get(business_date),
                       tampered=tuple(tampered_tables(target, business_date, ("recon_breaks",))))


# ------------------------------------------------------------------------------------------------------- value text


def exact_text(value: Decimal | None) -> str:
    """A Decimal as plain decimal text with every digit it has ('' for None): never an exponent."""
    return "" if value is None else f"{value:f}"


def _display_amount(value: Decimal | None) -> str:
    """For people: thousands separators and at least two decimals, more when the value has them (nothing rounds)."""
    if value is None:
        return ""
    places = min(value.normalize(MONEY_CONTEXT).as_tuple().exponent, -2)
    return f"{value.quantize(Decimal(1).scaleb(places), context=MONEY_CONTEXT):,f}"


def _text(value: object) -> str:
    """A cell's text in CSV and HTML: exact decimals, ISO dates, lists joined by ';'."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return exact_text(value)
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return value.isoformat() if isinstance(value, date) else str(value)


def _json_value(value: object) -> str:
    if isinstance(value, Decimal):
        return exact_text(value)
    if isinstance(value, date):
        return value.isoformat()
    raise InvariantViolation(f"the break report cannot write {type(value).__name__} {value!r} as JSON")


# ------------------------------------------------------------------------------------------------- csv, json, table


def csv_text(report: BreakReport) -> str:
    """Every break, every column, worst first; record lists joined by ';'."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(report.columns)
    writer.writerows([[_text(row[c]) for c in report.columns] for row in report.breaks])
    return buffer.getvalue()


def json_text(report: BreakReport) -> str:
    """The whole report as one JSON object; money as exact decimal strings."""
    document = {
        "business_date": report.business_date, "stale_since": report.stale_since, "tampered": report.tampered,
        "totals": report.totals, "summary": report.summary,
        "aging": report.aging, "aging_totals": report.aging_totals,
        "breaks": [{c: row[c] for c in report.columns} for row in report.breaks],
    }
    return json.dumps(document, default=_json_value, indent=1) + "\n"


SUMMARY_HEADERS = ["recon", "break_type", "tier", "currency", "items", *STATUSES, "difference", "abs_difference",
                   "seg_impact_usd"]
AGING_HEADERS = ["recon", "tier", *(label for label, _, _ in AGE_BUCKETS), "total"]
TABLE_COLUMNS = ["tier", "recon", "break_type", "status", "account", "currency", "difference", "age_business_days",
                 "first_seen_date", "reference", "break_id"]
TABLE_TEXT_MAX = 40


def _totals_sentence(report: BreakReport) -> str:
    totals = report.totals
    statuses = ", ".join(f"{status} {totals[status]}" for status in STATUSES)
    impact = "" if totals["seg_impact_usd"] is None else f"; seg impact {_display_amount(totals['seg_impact_usd'])} USD"
    return f"{totals['items']} items ({statuses}){impact}"


def _summary_cells(row: dict) -> list[str]:
    return [_display_amount(row[h]) if isinstance(row[h], Decimal) else _text(row[h]) for h in SUMMARY_HEADERS]


def _summary_total_cells(report: BreakReport) -> list[str]:
    totals = report.totals
    return ["ALL", "", "", "", *(str(totals[k]) for k in ("items", *STATUSES)), "", "",
            _display_amount(totals["seg_impact_usd"])]


def _aging_total_cells(report: BreakReport) -> list[str]:
    return ["ALL", "", *(str(report.aging_totals[h]) for h in AGING_HEADERS[2:])]


def _table_cell(row: dict, column: str) -> str:
    if column == "difference":
        return _display_amount(row["difference"])
    if column == "account":
        return row["account"] or row["bank_account_id"] or ""
    text = _text(row[column])
    return text if len(text) <= TABLE_TEXT_MAX else text[: TABLE_TEXT_MAX - 1] + "…"


def _aligned(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    """A text table: the columns whose index is in ``right`` right-aligned, the others left-aligned."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return [line(headers), *(line(cells) for cells in rows)]


def table_text(report: BreakReport) -> str:
    """A readable terminal table: the breaks worst first, then the summary and the aging with their totals."""
    headers = ["tier", "recon", "break_type", "status", "account", "ccy", "difference", "age", "first_seen",
               "reference", "break_id"]
    detail = [[_table_cell(row, c) for c in TABLE_COLUMNS] for row in report.breaks]
    summary = [*map(_summary_cells, report.summary), _summary_total_cells(report)]
    aging = [*([str(row[h]) for h in AGING_HEADERS] for row in report.aging), _aging_total_cells(report)]
    warnings = trust_warnings(report.business_date, report.stale_since, report.tampered)
    lines = [*warnings, *([""] if warnings else []),
             f"Break report {report.business_date}: {_totals_sentence(report)}", "",
             *_aligned(headers, detail, {6, 7}), "",
             "Summary by recon, break type, tier and currency (differences add up within a row only)",
             *_aligned(SUMMARY_HEADERS, summary, set(range(4, len(SUMMARY_HEADERS)))), "",
             "Outstanding breaks (NEW, OPEN) by age in CME business days",
             *_aligned(AGING_HEADERS, aging, set(range(2, len(AGING_HEADERS))))]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------------------- xlsx

UNITS_NOTE = ("Differences add up within a row only: they are in the row's currency, or quantities and prices for "
              "POSITION and TRADE. seg_impact_usd is in USD.")
SUMMARY_MONEY = ["difference", "abs_difference", "seg_impact_usd"]


def _number_value(value: Decimal) -> Decimal:
    """``value`` with no trailing zeros and no exponent, so xlsxwriter writes plain digits (``0E-9`` becomes ``0``).

    xlsxwriter formats a Decimal with ``{:.16G}`` itself: no float is involved and at most 16 significant digits are
    written (a double holds 15 to 17); the exact value is in the ``_exact`` column.
    """
    exponent = min(value.normalize(MONEY_CONTEXT).as_tuple().exponent, 0)
    return value.quantize(Decimal(1).scaleb(exponent), context=MONEY_CONTEXT)


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _list_cell(items: list[str]) -> str:
    """``items`` joined by ';', cut to fit one cell with a note of how many were left out."""
    text = LIST_SEPARATOR.join(items)
    if _utf16_units(text) <= XLSX_CELL_UNITS_MAX:
        return text
    room, kept = XLSX_CELL_UNITS_MAX - 100, []  # 100 units for the note
    for item in items:
        room -= _utf16_units(item) + 1
        if room < 0:
            break
        kept.append(item)
    return LIST_SEPARATOR.join([*kept, f"… and {len(items) - len(kept)} more (every one is in the CSV and JSON)"])


def _write_row(sheet: xlsxwriter.worksheet.Worksheet, row: int, values: list, formats: dict) -> None:
    """One typed value per cell: Decimal and int as numbers, dates as dates, lists and the rest as text."""
    for col, value in enumerate(values):
        if value is None or value == []:
            continue
        if isinstance(value, Decimal):
            sheet.write_number(row, col, _number_value(value), formats["money"])
        elif isinstance(value, int):
            sheet.write_number(row, col, value)
        elif isinstance(value, date):
            sheet.write_datetime(row, col, value, formats["date"])
        elif isinstance(value, list):
            sheet.write_string(row, col, _list_cell(value))
        else:
            sheet.write_string(row, col, str(value))


def _exact_cells(row: dict, columns: list[str]) -> list[str | None]:
    return [None if row.get(c) is None else exact_text(row[c]) for c in columns]


def _headers(sheet: xlsxwriter.worksheet.Worksheet, row: int, headers: list[str], formats: dict) -> None:
    for col, header in enumerate(headers):
        sheet.write_string(row, col, header, formats["header"])
    sheet.set_column(0, len(headers) - 1, 16)
    sheet.freeze_panes(row + 1, 0)


def _summary_sheet(sheet: xlsxwriter.worksheet.Worksheet, report: BreakReport, formats: dict) -> None:
    sheet.write_string(0, 0, f"Break report {report.business_date}: summary", formats["title"])
    sheet.write_string(1, 0, f"{UNITS_NOTE} Number cells hold 16 significant digits; the *_exact columns hold "
                              "the exact values.")
    _headers(sheet, 3, [*SUMMARY_HEADERS, *(f"{c}_exact" for c in SUMMARY_MONEY)], formats)
    rows = [*report.summary, {"recon": "ALL", **report.totals}]
    for index, row in enumerate(rows, start=4):
        _write_row(sheet, index, [row.get(h) for h in SUMMARY_HEADERS] + _exact_cells(row, SUMMARY_MONEY), formats)


def _detail_sheet(sheet: xlsxwriter.worksheet.Worksheet, report: BreakReport, formats: dict) -> None:
    headers = [*report.columns, *(f"{c}_exact" for c in report.money_columns)]
    _headers(sheet, 0, headers, formats)
    for index, row in enumerate(report.breaks, start=1):
        _write_row(sheet, index, [row[c] for c in report.columns] + _exact_cells(row, report.money_columns), formats)
    sheet.autofilter(0, 0, len(report.breaks), len(headers) - 1)


def _aging_sheet(sheet: xlsxwriter.worksheet.Worksheet, report: BreakReport, formats: dict) -> None:
    sheet.write_string(0, 0, f"Break report {report.business_date}: outstanding breaks (NEW, OPEN) by age in CME "
                              "business days", formats["title"])
    _headers(sheet, 2, AGING_HEADERS, formats)
    for index, row in enumerate([*report.aging, {"recon": "ALL", **report.aging_totals}], start=3):
        _write_row(sheet, index, [row.get(h) for h in AGING_HEADERS], formats)


def xlsx_bytes(report: BreakReport) -> bytes:
    """The workbook: Summary, Detail (every break, every column) and Aging sheets.

    Same report, same bytes: in-memory packaging stamps every zip member 1980-01-01 00:00 and the document's
    created date is the business date (xlsxwriter would take the wall clock otherwise).
    """
    if len(report.breaks) >= XLSX_ROWS_MAX:
        raise ConfigError(f"a worksheet holds {XLSX_ROWS_MAX - 1:,} breaks and {report.business_date} has "
                          f"{len(report.breaks):,}: use the CSV or JSON format")
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    day = report.business_date
    workbook.set_properties({"title": f"Break report {day}", "created": datetime(day.year, day.month, day.day)})
    formats = {"title": workbook.add_format({"bold": True, "font_size": 14}),
               "header": workbook.add_format({"bold": True, "bottom": 1}),
               "money": workbook.add_format({"num_format": "#,##0.00"}),
               "date": workbook.add_format({"num_format": "yyyy-mm-dd"})}
    _summary_sheet(workbook.add_worksheet("Summary"), report, formats)
    _detail_sheet(workbook.add_worksheet("Detail"), report, formats)
    _aging_sheet(workbook.add_worksheet("Aging"), report, formats)
    workbook.close()
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------------------- html

_CSS = (
    "body{font-family:sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse;margin-bottom:1.5em}"
    "th,td{border:1px solid #ccc;padding:2px 6px;font-size:13px;vertical-align:top;text-align:left}"
    "th{background:#eee}td.n{text-align:right;white-space:nowrap}tr.total td{font-weight:bold}"
    "svg text{font:12px sans-serif;fill:#222}"
)
SVG_LABEL_WIDTH, SVG_BAR_WIDTH_MAX, SVG_ROW_HEIGHT = 170, 420, 24


def _svg_bars(title: str, bars: list[tuple[str, int]]) -> str:
    """A horizontal bar chart as inline SVG; bar widths are whole pixels proportional to the counts."""
    top = max((count for _, count in bars), default=0)
    width, height = SVG_LABEL_WIDTH + SVG_BAR_WIDTH_MAX + 60, SVG_ROW_HEIGHT * len(bars) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
             f"<title>{html.escape(title)}</title>"]
    for index, (label, count) in enumerate(bars):
        y = 4 + index * SVG_ROW_HEIGHT
        bar = count * SVG_BAR_WIDTH_MAX // top if top else 0
        parts += [f'<text x="{SVG_LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end">{html.escape(label)}</text>',
                  f'<rect x="{SVG_LABEL_WIDTH}" y="{y + 4}" width="{bar}" height="{SVG_ROW_HEIGHT - 8}" '
                  'fill="#3b6ea8"/>',
                  f'<text x="{SVG_LABEL_WIDTH + bar + 6}" y="{y + 16}">{count}</text>']
    return "\n".join([*parts, "</svg>"])


def _html_table(headers: list[str], rows: list[list[str]], right: set[int], total: list[str] | None = None) -> str:
    """A table whose cells are HTML already escaped by the caller; ``total`` is a bold last row."""
    def cells(row: list[str]) -> str:
        return "".join(f'<td class="n">{c}</td>' if i in right else f"<td>{c}</td>" for i, c in enumerate(row))

    body = [f"<tr>{cells(row)}</tr>" for row in rows]
    if total is not None:
        body.append(f'<tr class="total">{cells(total)}</tr>')
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    return "\n".join([f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>", *body, "</tbody>\n</table>"])


def _escaped(cells: list[str]) -> list[str]:
    return [html.escape(cell) for cell in cells]


def _html_detail_cell(row: dict, column: str) -> str:
    value = row[column]
    if isinstance(value, list) and len(value) > 3:
        items = "<br>".join(html.escape(item) for item in value)
        return f"<details><summary>{len(value)}</summary>{items}</details>"
    if isinstance(value, list):
        return "<br>".join(html.escape(item) for item in value)
    return html.escape(_display_amount(value) if isinstance(value, Decimal) else _text(value))


def _outstanding_by_recon(report: BreakReport) -> list[tuple[str, int]]:
    outstanding = Counter(row["recon"] for row in report.breaks if row["status"] in OUTSTANDING)
    return [(recon, outstanding[recon]) for recon in sorted({row["recon"] for row in report.breaks})]


def html_text(report: BreakReport) -> str:
    """One self-contained page (no script, no external resource): charts by age and by recon, then the tables."""
    day = report.business_date
    numbers = {report.columns.index(c) for c in (*report.money_columns, "age_business_days")}
    summary = [_escaped(_summary_cells(row)) for row in report.summary]
    aging = [_escaped([str(row[h]) for h in AGING_HEADERS]) for row in report.aging]
    detail = [[_html_detail_cell(row, c) for c in report.columns] for row in report.breaks]
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', '<head><meta charset="utf-8">', f"<title>Break report {day}</title>",
        f"<style>{_CSS}</style>", "</head>", "<body>", f"<h1>Break report {day}</h1>",
        *(f"<p><strong>{html.escape(warning)}</strong></p>"
          for warning in trust_warnings(day, report.stale_since, report.tampered)),
        f"<p>{html.escape(_totals_sentence(report))}</p>",
        "<h2>Outstanding breaks (NEW, OPEN) by age in CME business days</h2>",
        _svg_bars("Outstanding breaks by age", [(label, report.aging_totals[label]) for label, _, _ in AGE_BUCKETS]),
        "<h2>Outstanding breaks by recon</h2>", _svg_bars("Outstanding breaks by recon", _outstanding_by_recon(report)),
        "<h2>Summary by recon, break type, tier and currency</h2>", f"<p>{html.escape(UNITS_NOTE)}</p>",
        _html_table(SUMMARY_HEADERS, summary, set(range(4, len(SUMMARY_HEADERS))),
                    _escaped(_summary_total_cells(report))),
        "<h2>Aging of outstanding breaks by recon and tier</h2>",
        _html_table(AGING_HEADERS, aging, set(range(2, len(AGING_HEADERS))), _escaped(_aging_total_cells(report))),
        "<h2>Breaks, worst first</h2>", _html_table(report.columns, detail, numbers),
        "</body>", "</html>",
    ]
    return "\n".join(parts) + "\n"


# ------------------------------------------------------------------------------------------------- files of the day

RENDERERS: dict[str, Callable[[BreakReport], str | bytes]] = {
    "table": table_text, "csv": csv_text, "json": json_text, "xlsx": xlsx_bytes, "html": html_text,
}


def render(report: BreakReport, report_format: str) -> bytes:
    """The report in one of the formats of RENDERERS, as the bytes of its file (UTF-8 for the text formats)."""
    if report_format not in RENDERERS:
        raise ConfigError(f"unknown break report format {report_format!r}: expected one of {', '.join(RENDERERS)}")
    content = RENDERERS[report_format](report)
    return content if isinstance(content, bytes) else content.encode("utf-8")


def write_day_reports(warehouse: WarehouseTarget, day: date, folder: Path) -> list[Path]:
    """Write the break report (breaks.csv, .json, .xlsx, .html) and every class's statement (statement_<CLASS>.txt,
    .json, .html, .pdf) for ``day`` into ``folder``; returns the paths. A SECURED-only date has no break report:
    only its statement is written."""
    with open_warehouse(warehouse) as target:
        if run_scope.is_secured_only(run_scope.day_classes(target.runs(day))):
            return write_statement_documents(warehouse, day, folder)
    report = read_report(warehouse, day)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, report_format in DAY_FILES:
        path = folder / name
        path.write_bytes(render(report, report_format))
        paths.append(path)
    return [*paths, *write_statement_documents(warehouse, day, folder)]
