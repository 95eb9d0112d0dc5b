"""The statement documents: text, JSON, HTML and PDF in the statement's layout, reproducible byte for byte."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from recon.cli import main
from recon.reports import write_day_reports
from tests.segregation.factory import DAY, write_worked_example

# (label as printed, amount as printed) of lines on the first page of the worked example's SEG statement
FIRST_PAGE = [
    ("Net ledger balance - Cash", "1,790,000.00"),
    ("Net unrealized profit (loss) in open futures contracts traded on a contract market", "(128,000.00)"),
    ("Amount required to be segregated (add lines 4 and 5)", "2,168,500.00"),
    ("Net settlement from (to) derivatives clearing organizations of contract markets", "(35,000.00)"),
    ("Total amount in segregation (add lines 7 through 12)", "2,475,000.00"),
    ("Excess (deficiency) funds in segregation (subtract line 6 from line 13)", "306,500.00"),
]


def _run(root: Path) -> Path:
    landing = write_worked_example(root / "landing")
    warehouse = root / "wh.duckdb"
    assert main(["run", "--date", DAY.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse)]) == 0
    return warehouse


def _statement(warehouse: Path, fmt: str, out: Path) -> bytes:
    assert main(["statement", "--date", DAY.isoformat(), "--class", "SEG", "--warehouse", str(warehouse),
                 "--format", fmt, "--out", str(out)]) == 0
    return out.read_bytes()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("docs"))


def test_the_pdf_first_page_shows_the_lines_labels_and_amounts(warehouse: Path, tmp_path: Path) -> None:
    """The PDF's first page, rendered to PNG (pdftoppm), is a real picture; pdftotext finds on it the title, the run
    id, line numbers with their labels and amounts, negatives in parentheses; the PDF is dated by the business date."""
    assert shutil.which("pdftoppm") and shutil.which("pdftotext"), "poppler-utils is a system prerequisite"
    pdf = tmp_path / "seg.pdf"
    _statement(warehouse, "pdf", pdf)
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "80", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    png = tmp_path / "page-1.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    assert "Statement of Segregation Requirements" in flat and "status FILEABLE" in flat
    doc = json.loads(_statement(warehouse, "json", tmp_path / "seg.json"))
    assert doc["run"]["run_id"] in flat
    for label, amount in FIRST_PAGE:
        assert label in flat, label
        assert amount in flat, amount
    info = subprocess.run(["pdfinfo", "-isodates", str(pdf)], check=True, capture_output=True, text=True).stdout
    dates = {line.split()[0]: line.split()[1] for line in info.splitlines() if "Date:" in line}
    assert dates == {"CreationDate:": "2026-11-24T00:00:00Z", "ModDate:": "2026-11-24T00:00:00Z"}


def test_every_format_carries_the_layout(warehouse: Path, tmp_path: Path) -> None:
    """Text and HTML show line numbers, labels, parenthesised negatives, the per-currency section, the alerts, the run
    and manifest and the sign-off block; JSON keeps the exact figures."""
    text = _statement(warehouse, "text", tmp_path / "seg.txt").decode()
    page = _statement(warehouse, "html", tmp_path / "seg.html").decode()
    doc = json.loads(_statement(warehouse, "json", tmp_path / "seg.json"))
    for rendered in (text, page):
        assert "(128,000.00)" in rendered and "Currency EUR" in rendered and "RESIDUAL_INTEREST_SHORTFALL" in rendered
        assert doc["run"]["manifest_hash"] in rendered and "Approved by (CFO / CCO)" in rendered
    assert "        14  Excess (deficiency) funds in segregation" in text
    assert {r["line"]: r["amount_usd"] for r in doc["lines"]}["14"] == "306500.000000000"
    assert doc["residual_interest"]["um_total_usd"] == "563500.000000000"
    assert doc["residual_interest"]["projected_shortfall_usd"] == "257000.000000000"


def test_a_rerun_reproduces_every_document_byte_for_byte(warehouse: Path, tmp_path: Path) -> None:
    """The same day run into a fresh warehouse gives identical documents in every format (the business date, never
    the clock, dates them), and the day's reports folder holds each class's statement in every format."""
    again = _run(tmp_path / "again")
    first = write_day_reports(warehouse, DAY, tmp_path / "first")
    second = write_day_reports(again, DAY, tmp_path / "second")
    statements = sorted(p.name for p in first if p.name.startswith("statement_"))
    assert statements == sorted(f"statement_{c}.{e}" for c in ("CLEARED_SWAPS", "SECURED", "SEG")
                                for e in ("html", "json", "pdf", "txt"))
    for name in statements:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name
    assert len(second) == len(first)
