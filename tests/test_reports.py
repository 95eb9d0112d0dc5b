"""The break report: read from a warehouse a generated day was run into, every format written for the day, totals
that add up exactly, aging that accounts for every outstanding break, escaped HTML, exit codes, same bytes twice."""

from __future__ import annotations

import json
import re
import zipfile
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal
from io import BytesIO
from pathlib import Path

import pytest
from lxml import etree

from recon import calendar
from recon.cli import main
from recon.generate import GenerateOptions, generate
from recon.pipeline import run_day
from recon.reports import (
    AGE_BUCKETS, STATUSES, XLSX_CELL_UNITS_MAX, age_bucket, build_report, html_text, read_report, render,
    write_day_reports, xlsx_bytes,
)
from recon.schema import warehouse_tables

OPTIONS = GenerateOptions(start=date(2026, 11, 20), days=1, accounts=12, trades_per_day=30, seed=7)
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
SHEETS = ("Summary", "Detail", "Aging")


@pytest.fixture(scope="module")
def day_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    """One generated business day (every recon, planted breaks) run into a fresh warehouse."""
    root = tmp_path_factory.mktemp("reports")
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    (day,) = generate(landing, OPTIONS).business_days
    assert run_day(day, landing, warehouse).exit_code == 0
    return warehouse, day


# ------------------------------------------------------------------------------------------- reading the workbook


def _column_index(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference).group()
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _sheets(workbook: bytes) -> dict[str, list[list[object]]]:
    """Every sheet as rows of cells: text as str, numbers as the Decimal of the text stored in the XML, else None."""
    archive = zipfile.ZipFile(BytesIO(workbook))
    shared = [("".join(si.itertext())) for si in
              etree.fromstring(archive.read("xl/sharedStrings.xml")).findall("m:si", NS)]
    names = [s.get("name") for s in etree.fromstring(archive.read("xl/workbook.xml")).iterfind(".//m:sheet", NS)]
    assert names == list(SHEETS)
    sheets = {}
    for number, name in enumerate(names, start=1):
        rows: dict[int, dict[int, object]] = defaultdict(dict)
        root = etree.fromstring(archive.read(f"xl/worksheets/sheet{number}.xml"))
        for cell in root.iterfind(".//m:c", NS):
            value = cell.findtext("m:v", namespaces=NS)
            row = int(re.search(r"\d+", cell.get("r")).group()) - 1
            rows[row][_column_index(cell.get("r"))] = shared[int(value)] if cell.get("t") == "s" else Decimal(value)
        width = max((max(cells) + 1 for cells in rows.values()), default=0)
        sheets[name] = [[rows[r].get(c) for c in range(width)] for r in range(max(rows, default=-1) + 1)]
    return sheets


def _table(rows: list[list[object]], first_header: str) -> list[dict]:
    """The rows under the header row that starts with ``first_header``, as dicts by header."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == first_header)
    headers = rows[start]
    return [dict(zip(headers, row)) for row in rows[start + 1:]]


def _exact(value: object) -> Decimal:
    return Decimal(value) if value is not None else Decimal(0)


def _double_digits(exact: str) -> Decimal:
    """What a number cell holds for an exact value: its 16 leading significant digits (xlsxwriter's ``{:.16G}``)."""
    return Context(prec=16, rounding=ROUND_HALF_EVEN).plus(Decimal(exact))


# -------------------------------------------------------------------------------------------------- on a real day


def test_summary_totals_equal_the_sum_of_the_detail_rows_exactly(day_run: tuple[Path, date]) -> None:
    """Each summary row's count, status counts and totals (exact text and number cells) equal its detail rows'."""
    sheets = _sheets(xlsx_bytes(read_report(*day_run)))
    detail, summary = _table(sheets["Detail"], "tier"), _table(sheets["Summary"], "recon")
    assert len(detail) > 10 and summary[-1]["recon"] == "ALL"
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in detail:
        groups[(row["recon"], row["break_type"], row["tier"], row["currency"])].append(row)
    ranks = {"CRITICAL": 1, "HIGH": 2, "MEDIUM": 3, "LOW": 4}
    order = [(r["recon"], r["break_type"], ranks[r["tier"]], r["currency"]) for r in summary[:-1]]
    assert order == sorted(order)
    assert {(r["recon"], r["break_type"], r["tier"], r["currency"]) for r in summary[:-1]} == set(groups)
    for row in summary[:-1]:
        members = groups[(row["recon"], row["break_type"], row["tier"], row["currency"])]
        assert row["items"] == len(members)
        assert [row[s] for s in STATUSES] == [sum(1 for m in members if m["status"] == s) for s in STATUSES]
        assert Decimal(row["difference_exact"]) == sum(Decimal(m["difference_exact"]) for m in members)
        assert Decimal(row["abs_difference_exact"]) == sum(abs(Decimal(m["difference_exact"])) for m in members)
        assert row["difference"] == _double_digits(row["difference_exact"])
        assert _exact(row["seg_impact_usd_exact"]) == sum(_exact(m["seg_impact_usd_exact"]) for m in members)
    total = summary[-1]
    assert total["items"] == len(detail) == sum(r["items"] for r in summary[:-1])
    assert [total[s] for s in STATUSES] == [sum(1 for m in detail if m["status"] == s) for s in STATUSES]


def test_detail_has_every_mart_row_and_column_worst_first(day_run: tuple[Path, date]) -> None:
    """The Detail sheet holds every row and column of the partition, worst first; each number cell is its exact
    value to 16 significant digits (the generator's float-breaker decoys need more, which the exact column keeps)."""
    report = read_report(*day_run)
    detail = _table(_sheets(xlsx_bytes(report))["Detail"], "tier")
    assert set(warehouse_tables()["recon_breaks"].column_names) <= set(detail[0])
    assert sorted(r["break_id"] for r in detail) == sorted(r["break_id"] for r in report.breaks)
    for row in detail:
        for column in report.money_columns:
            exact = row[f"{column}_exact"]
            assert row[column] == (None if exact is None else _double_digits(exact))
    ranks = {"CRITICAL": 1, "HIGH": 2, "MEDIUM": 3, "LOW": 4}
    # within a tier: by the USD difference (breaks without one, contracts or prices, last), then the difference
    order = [(ranks[r["tier"]], r["difference_usd_exact"] is None, -abs(Decimal(r["difference_usd_exact"] or 0)),
              -abs(Decimal(r["difference_exact"]))) for r in detail]
    assert order == sorted(order)
    assert any(r["difference_usd_exact"] is None for r in detail) and any(
        r["currency"] != "USD" and r["difference_usd_exact"] is not None for r in detail)
    assert {r["status"] for r in detail} >= {"NEW", "PENDING"}
    assert any(len(Decimal(r[f"{c}_exact"]).normalize().as_tuple().digits) > 16
               for r in detail for c in report.money_columns if r[f"{c}_exact"] is not None)


def test_aging_buckets_add_up_to_the_outstanding_break_count(day_run: tuple[Path, date]) -> None:
    """Every aging row's buckets add up to its total, and the totals to the day's NEW and OPEN breaks."""
    report = read_report(*day_run)
    aging = _table(_sheets(xlsx_bytes(report))["Aging"], "recon")
    labels = [label for label, _, _ in AGE_BUCKETS]
    outstanding = [b for b in report.breaks if b["status"] in ("NEW", "OPEN")]
    for row in aging:
        assert sum(row[label] for label in labels) == row["total"]
    assert aging[-1]["recon"] == "ALL" and aging[-1]["total"] == len(outstanding) > 0
    assert sum(row["total"] for row in aging[:-1]) == len(outstanding)
    assert [aging[-1][label] for label in labels] == [sum(r[label] for r in aging[:-1]) for label in labels]


def test_html_is_one_page_with_each_recon_and_the_charts(day_run: tuple[Path, date]) -> None:
    """The HTML names each recon of the day, draws two SVG charts and loads nothing from elsewhere."""
    report = read_report(*day_run)
    page = html_text(report)
    assert {b["recon"] for b in report.breaks} >= {"CASH", "DCO_SETTLEMENT", "POSITION", "TRADE"}
    for recon in {b["recon"] for b in report.breaks}:
        assert f">{recon}</text>" in page and f"<td>{recon}</td>" in page
    assert page.count("<svg") == 2
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


def test_every_format_is_written_for_the_day_and_is_the_same_bytes_twice(day_run: tuple[Path, date],
                                                                         tmp_path: Path) -> None:
    """write_day_reports writes the four break files; again gives identical bytes; the workbook carries the date."""
    warehouse, day = day_run
    first = write_day_reports(warehouse, day, tmp_path / "one")[:4]
    second = write_day_reports(warehouse, day, tmp_path / "two")[:4]
    assert [p.name for p in first] == ["breaks.csv", "breaks.json", "breaks.xlsx", "breaks.html"]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    core = zipfile.ZipFile(first[2]).read("docProps/core.xml").decode()
    assert f">{day}T00:00:00Z</dcterms:created>" in core and f">{day}T00:00:00Z</dcterms:modified>" in core
    assert {info.date_time for info in zipfile.ZipFile(first[2]).infolist()} == {(1980, 1, 1, 0, 0, 0)}
    document = json.loads(first[1].read_text())
    assert document["business_date"] == day.isoformat() and len(document["breaks"]) == document["totals"]["items"]


def test_cli_prints_and_writes_every_format(day_run: tuple[Path, date], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """breaks prints the table by default and JSON with --json, writes --out files, and exits 0."""
    warehouse, day = day_run
    report = read_report(warehouse, day)
    args = ["breaks", "--date", day.isoformat(), "--warehouse", str(warehouse)]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert table.startswith(f"Break report {day}: {len(report.breaks)} items") and "\nALL " in table
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(render(report, "json"))
    for report_format in ("csv", "xlsx", "html"):
        out = tmp_path / f"report.{report_format}"
        assert main([*args, "--format", report_format, "--out", str(out)]) == 0
        assert out.read_bytes() == render(report, report_format)


@pytest.mark.parametrize(("extra", "message"), [
    (["--format", "xlsx"], "give its path with --out"),
    (["--format", "csv", "--json"], "give one of them"),
])
def test_cli_refuses_contradictory_options(day_run: tuple[Path, date], extra: list[str], message: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A workbook with no file to write, or two formats at once: exit 1 with the reason."""
    warehouse, day = day_run
    assert main(["breaks", "--date", day.isoformat(), "--warehouse", str(warehouse), *extra]) == 1
    assert message in capsys.readouterr().err


def test_cli_exits_1_for_a_date_with_no_run_or_no_warehouse(day_run: tuple[Path, date], tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A date the warehouse never ran, or a warehouse that does not exist (and is not created): exit 1."""
    warehouse, day = day_run
    later = calendar.next_business_day(day)
    assert main(["breaks", "--date", later.isoformat(), "--warehouse", str(warehouse)]) == 1
    assert f"holds no completed run for {later}" in capsys.readouterr().err
    missing = tmp_path / "nowhere.duckdb"
    assert main(["breaks", "--date", day.isoformat(), "--warehouse", str(missing)]) == 1
    assert "no warehouse at" in capsys.readouterr().err and not missing.exists()


# -------------------------------------------------------------------------------------------------- inline rows


def _row(**values: object) -> dict:
    """A recon_breaks row: every column of the schema, empty unless given."""
    table = warehouse_tables()["recon_breaks"]
    row = {c.name: [] if c.mode == "REPEATED" else None for c in table.columns}
    row.update(business_date=DAY, recon="CASH", break_type="AMOUNT_MISMATCH", currency="USD", status="NEW",
               tier="LOW", first_seen_date=DAY, age_business_days=0, difference=Decimal("1.000000000"))
    row.update(values)
    return row


DAY = date(2026, 11, 24)


@pytest.mark.parametrize(("age", "bucket"), [(0, "0"), (1, "1"), (2, "2-5"), (5, "2-5"), (6, "6-10"), (10, "6-10"),
                                             (11, "11+"), (400, "11+")])
def test_age_buckets(age: int, bucket: str) -> None:
    """Ages in business days fall in 0, 1, 2-5, 6-10 and 11+."""
    assert age_bucket(age) == bucket


def test_aging_counts_outstanding_breaks_only() -> None:
    """PENDING and RESOLVED rows are in the detail and summary but not in the aging."""
    rows = [_row(break_id=f"b{i}", age_business_days=age, status=status)
            for i, (age, status) in enumerate([(0, "NEW"), (3, "OPEN"), (12, "OPEN"), (4, "RESOLVED"), (0, "PENDING")])]
    report = build_report(DAY, rows)
    assert report.aging_totals == {"0": 1, "1": 0, "2-5": 1, "6-10": 0, "11+": 1, "total": 3}
    assert report.totals["items"] == 5 and report.summary[0]["items"] == 5


def test_money_keeps_every_digit_where_a_double_cannot() -> None:
    """A 26-digit difference: the number cell has 16 significant digits, the exact column and CSV keep all 26."""
    big = Decimal("12345678901234567.123456789")
    report = build_report(DAY, [_row(break_id="b1", difference=big, bank_amount=big)])
    detail = _table(_sheets(xlsx_bytes(report))["Detail"], "tier")
    assert detail[0]["difference_exact"] == "12345678901234567.123456789"
    assert detail[0]["difference"] == Decimal("1.234567890123457E+16")
    summary = _table(_sheets(xlsx_bytes(report))["Summary"], "recon")
    assert summary[0]["difference_exact"] == "12345678901234567.123456789"
    assert "12345678901234567.123456789" in render(report, "csv").decode()
    assert '"difference": "12345678901234567.123456789"' in render(report, "json").decode()


def test_a_record_list_too_long_for_a_cell_is_cut_with_a_note() -> None:
    """5,000 record ids do not fit one Excel cell: the cell says how many were left out; CSV keeps them all."""
    records = [f"{i:016x}" for i in range(5000)]
    report = build_report(DAY, [_row(break_id="b1", clearing_records=records)])
    cell = _table(_sheets(xlsx_bytes(report))["Detail"], "tier")[0]["clearing_records"]
    assert len(cell) <= XLSX_CELL_UNITS_MAX and re.search(r"… and \d+ more", cell)
    kept = cell.split(";")[:-1]
    assert kept == records[: len(kept)]
    assert cell.endswith(f"and {5000 - len(kept)} more (every one is in the CSV and JSON)")
    assert ";".join(records) in render(report, "csv").decode()


def test_html_escapes_what_the_files_say() -> None:
    """A reference or account holding markup is shown as text, never as markup."""
    report = build_report(DAY, [_row(break_id="b1", reference="<script>alert(1)</script>", account="A&B\"'",
                                     recon="CASH<b>")])
    page = html_text(report)
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "A&amp;B&quot;&#x27;" in page
    assert "CASH&lt;b&gt;" in page
