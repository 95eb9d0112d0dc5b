"""A generated day whose BAI2 file is rejected: the balances of its segregated accounts were never read, so no line is
computed from them and no deficiency is stated; the statement is NOT_FILEABLE and names the missing account and file."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from recon.cli import main
from recon.generate import GenerateOptions, generate
from recon.pipeline import run_day
from recon.statement_docs import render, render_html, render_text, statement_document
from recon.warehouse import DuckDBWarehouse

OPTIONS = GenerateOptions(start=date(2026, 3, 2), days=2, accounts=12, trades_per_day=20, seed=1)
DAY = date(2026, 3, 3)
BAI2 = f"{DAY.isoformat()}/bank/fcb.bai2"
SEG_BAI2_ACCOUNTS = {"410000101", "410000102"}  # the SEG accounts reported in fcb.bai2 (bank_accounts.csv)
FIGURE_CODES = {"DEFICIENCY", "BELOW_TARGET", "RESIDUAL_INTEREST_SHORTFALL"}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[dict]]]:
    root = tmp_path_factory.mktemp("rejected_bank_file")
    landing, warehouse = root / "landing", root / "wh.duckdb"
    generate(landing, OPTIONS)
    bai2 = landing / BAI2
    bai2.write_bytes(bai2.read_bytes()[:700])  # cut before its trailers: the file is rejected
    assert run_day(date(2026, 3, 2), landing, warehouse).exit_code == 0
    assert run_day(DAY, landing, warehouse).exit_code == 2
    with DuckDBWarehouse(warehouse) as target:
        return warehouse, {name: target.read_partition(name, DAY)
                           for name in ("seg_statement_lines", "seg_alerts", "seg_line_sources")}


def test_no_deficiency_or_other_figure_alert_from_a_balance_never_read(published) -> None:
    _, marts = published
    raised = {(a["seg_class"], a["code"]) for a in marts["seg_alerts"]}
    assert not {code for _, code in raised} & FIGURE_CODES, sorted(raised)
    assert not [a for a in marts["seg_alerts"] if a["code"] == "CURRENCY_SHORTFALL" and a["currency"] == "USD"]
    assert not [a for a in marts["seg_alerts"] if "Reg 1.12" in a["message"]]


def test_the_statement_is_not_fileable_and_names_the_missing_account_and_file(published) -> None:
    _, marts = published
    seg = [r for r in marts["seg_statement_lines"] if r["seg_class"] == "SEG"]
    assert {r["statement_status"] for r in seg} == {"NOT_FILEABLE"}
    named = {a["subject"]: a for a in marts["seg_alerts"]
             if a["seg_class"] == "SEG" and a["code"] == "INCOMPLETE_INPUTS" and a["currency"] == "USD"}
    assert set(named) == SEG_BAI2_ACCOUNTS
    for account, alert in named.items():
        assert alert["severity"] == "CRITICAL" and alert["amount_usd"] is None
        assert account in alert["message"] and BAI2 in alert["message"]
        assert "Lines 7A, 13, 14, 16 of the SEG statement are unknown" in alert["message"]


def test_no_line_is_computed_from_the_missing_balance(published) -> None:
    """7A, 13, 14 and 16 in USD are not published (nor their drill-down); the EUR account's 7A, read from its camt
    file, and the lines that do not depend on the bank balance still are."""
    warehouse, marts = published
    seg = {(r["line"], r["currency"]): r["amount_usd"] for r in marts["seg_statement_lines"] if r["seg_class"] == "SEG"}
    for line in ("7A", "13", "14", "16"):
        assert (line, "ALL") not in seg
    for line in ("7A", "13", "14"):
        assert (line, "USD") not in seg
    assert ("7A", "EUR") in seg and ("6", "ALL") in seg and ("15", "ALL") in seg
    assert not [s for s in marts["seg_line_sources"]
                if s["seg_class"] == "SEG" and s["line"] == "7A" and s["currency"] == "USD"]
    # the generator books a withdrawal of 12,345,678,901,234,567.89 with no bank debit at a SEG account: never shown
    text = render_text(statement_document(warehouse, DAY, "SEG"))
    assert "12,345,678,901" not in text.split("Open breaks:")[0]
    assert "status NOT_FILEABLE" in text
    assert [line for line in text.splitlines() if line.strip().startswith("14 ")][0].endswith("unknown")


def test_a_withdrawal_is_refused_when_the_excess_is_unknown(published, capsys: pytest.CaptureFixture[str]) -> None:
    """The withdrawal check has no excess to test against: the command says so in one line (exit 1), naming the
    accounts and the rejected file, and gives no answer."""
    warehouse, _ = published
    landing = warehouse.parent / "landing"
    code = main(["statement", "--warehouse", str(warehouse), "--date", DAY.isoformat(), "--class", "SEG",
                 "--withdraw", "1000", "--landing", str(landing)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.startswith("fcm-recon: error: ") and err.count("\n") == 1, err
    assert "line 14 is unknown" in err and "no withdrawal can be approved" in err
    assert all(account in err for account in SEG_BAI2_ACCOUNTS) and BAI2 in err
    for decision in ("ALLOWED", "NEEDS_APPROVAL", "BLOCKED"):
        assert decision not in err


def test_the_open_breaks_on_an_unknown_line_have_no_impact_figure(published) -> None:
    """The missing account's booked withdrawals with no bank debit are open breaks on 7A; 7A is unknown, so their
    impact on it is unknown too, never a figure (the generator's 12,345,678,901,234,567.89 withdrawal) in any format."""
    warehouse, _ = published
    doc = statement_document(warehouse, DAY, "SEG")
    brk = doc["breaks"]
    assert brk["impact_by_line_usd"]["7A"] is None
    assert brk["breaks_on_unknown_lines"] > 0 and brk["breaks_with_impact"] >= brk["breaks_on_unknown_lines"]
    assert brk["excess_usd"] is None and brk["excess_with_open_breaks_resolved_usd"] is None
    text, page = render_text(doc), render_html(doc)
    assert [line for line in text.splitlines() if "impact on line 7A" in line][0].endswith(" unknown")
    assert "impact on line 7A</td><td class=\"amt\">unknown</td>" in page
    assert "on lines that are unknown: impact not computed" in text and "on lines that are unknown" in page
    pdf = warehouse.parent / "seg.pdf"
    pdf.write_bytes(render(doc, "pdf"))
    pdf_text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                              text=True).stdout
    assert "on lines that are unknown: impact not computed" in pdf_text
    for rendering in (text, page, render(doc, "json").decode(), pdf_text):
        assert "12,345,678,901" not in rendering and "12345678901" not in rendering
        assert "n/a" not in rendering


def test_the_usd_section_shows_the_unknown_lines_as_unknown(published) -> None:
    """Per currency as in USD total: 7A, 13 and 14 in USD are rows shown unknown, not left out; EUR is computed."""
    warehouse, _ = published
    doc = statement_document(warehouse, DAY, "SEG")
    usd = {r["line"]: r["amount"] for r in doc["currencies"]["USD"]}
    eur = {r["line"]: r["amount"] for r in doc["currencies"]["EUR"]}
    assert set(usd) == set(eur)
    assert [line for line, amount in usd.items() if amount is None] == ["7A", "13", "14"]
    assert None not in eur.values()
    section = render_text(doc).split("Currency USD")[1].split("Alerts")[0]
    for line in ("7A", "13", "14"):
        assert [row for row in section.splitlines() if row.strip().startswith(f"{line} ")][0].endswith(" unknown")
    page = render_html(doc).split("<h2>Currency USD</h2>")[1]
    assert page.count('<td class="amt">unknown</td>') == 3
