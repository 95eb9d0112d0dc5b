"""``recon.inspect``: format detection, header facts, counts, control totals and problems of every public sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recon.inspect import inspect_file, render_text
from tests.conftest import SAMPLES_DIR

_FOLDER_FORMATS = {"bai2": "BAI2", "camt": "CAMT", "fixml": "FIXML"}
_SAMPLE_FILES = sorted(p.relative_to(SAMPLES_DIR).as_posix() for p in SAMPLES_DIR.rglob("*") if p.is_file()) \
    if SAMPLES_DIR.is_dir() else []
CSV_TEXT = ("bank_account_id,currency,book_balance\n"
            "BANK1,USD,1000.00\n"
            "BANK2,EUR,12x.50\n")


def _expected_format(name: str) -> str:
    """The format a sample's folder and suffix say it is (the .expected.json files and SOURCES.md are UNKNOWN)."""
    if not name.endswith((".bai2", ".xml")):
        return "UNKNOWN"
    return _FOLDER_FORMATS[name.split("/")[0]]


def _codes(report: dict) -> list[str]:
    """The codes of the report's problems, in order."""
    return [problem["code"] for problem in report["problems"]]


@pytest.mark.parametrize("name", _SAMPLE_FILES)
def test_every_sample_is_detected_and_reported_as_json(name: str, samples_dir: Path) -> None:
    """Every sample's format is detected from content; the report is JSON-able and renders without a traceback."""
    report = inspect_file(samples_dir / name)
    assert report["format"] == _expected_format(name)
    assert json.loads(json.dumps(report)) == report
    text = render_text(report)
    assert report["format"] in text and "Traceback" not in text
    if report["format"] == "UNKNOWN":
        assert _codes(report) == ["UNKNOWN_FORMAT"] and report["verdict"] == "REJECTED"


@pytest.mark.parametrize(("name", "total", "groups", "records"), [
    ("bai_spec_appendixD_sample.bai2", "345450000", "4", "31"),
    ("moov_sample3_packed_wrapped_messy.bai2", "2508440", "1", "74"),
    ("moj_svb_us_example.bai2", "282030196", "2", "20"),
    ("moj_natwest_gbp_example.bai2", "143764", "1", "18"),
    ("moj_account_trailer_amount_blank.bai2", "0", "1", "8"),
    ("vh_eod_wire_88tags_crlf.bai2", "8325982", "1", "17"),
    ("vh_eod_slash_in_text.bai2", "8325982", "1", "18"),
])
def test_bai2_99_trailer_read_and_computed_agree(name: str, total: str, groups: str, records: str,
                                                 samples_dir: Path) -> None:
    """The 99 totals SOURCES.md lists are in the report, read and computed, and the file is accepted."""
    report = inspect_file(samples_dir / "bai2" / name)
    control = report["control_totals"]
    assert control["99 file control total"] == {"read": total, "computed": total}
    assert control["99 number of groups"] == {"read": groups, "computed": groups}
    assert control["99 record count"] == {"read": records, "computed": records}
    assert report["verdict"] == "ACCEPTED" and report["problems"] == []
    assert report["version"] == "2" and report["counts"]["groups"] == int(groups)


def test_bai2_header_facts_and_variants(samples_dir: Path) -> None:
    """01 sender/receiver/file id/creation date and the variants the file used are shown."""
    report = inspect_file(samples_dir / "bai2" / "vh_eod_wire_88tags_crlf.bai2")
    assert report["header"] == {"sender": "121140399", "receiver": "3333333333", "file_id": "000001",
                                "creation_date": "2010-08-31", "variants": ["CRLF", "NO_SLASH_16", "TAGGED_88"]}


def test_bai2_bad_trailers_listed_all_in_strict_mode(samples_dir: Path) -> None:
    """The bad-trailer sample is REJECTED in strict mode and every 49/98/99 mismatch is listed with its line."""
    report = inspect_file(samples_dir / "bai2" / "moov_sample4_gs_88tags_bad_trailers.bai2")
    assert report["verdict"] == "REJECTED" and report["header"]["sender"] == "GSBI"
    locations = {(p["location"], p["field"]) for p in report["problems"]}
    assert ("line 22 (49)", "49 record count") in locations
    assert ("line 115 (98)", "98 number of accounts") in locations
    accounts = next(p for p in report["problems"] if p["field"] == "98 number of accounts")
    assert (accounts["expected"], accounts["found"]) == ("5", "4")
    assert set(_codes(report)) == {"TRAILER_TOTAL_MISMATCH", "TRAILER_COUNT_MISMATCH"}
    assert len(report["problems"]) == len(locations) >= 5
    assert report["control_totals"]["all trailers agree"] is False


def test_bai2_lenient_mode_lists_the_same_problems_without_rejecting(samples_dir: Path) -> None:
    """Lenient mode reports the same trailer problems; the file is accepted with them, as a lenient run takes it."""
    path = samples_dir / "bai2" / "moov_sample4_gs_88tags_bad_trailers.bai2"
    strict, lenient = inspect_file(path), inspect_file(path, strict=False)
    assert lenient["problems"] == strict["problems"] and lenient["strict"] is False
    assert (strict["verdict"], lenient["verdict"]) == ("REJECTED", "ACCEPTED_WITH_PROBLEMS")


@pytest.mark.parametrize(("name", "code"), [
    ("camt/iso20022js_goldman_us_camt053_v02.xml", "CAMT_FOOTING_MISMATCH"),
    ("camt/genkgo_camt053.v8.xml", "CAMT_FOOTING_MISMATCH"),
    ("bai2/moov_sample4_gs_88tags_bad_trailers.bai2", "TRAILER_COUNT_MISMATCH"),
])
def test_cli_lenient_accepts_with_problems_what_strict_rejects(name: str, code: str, samples_dir: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """SOURCES.md: lenient mode parses these files; ``inspect --lenient`` lists their trailer/footing problems and
    says ACCEPTED_WITH_PROBLEMS with exit 0, while strict ``inspect`` says REJECTED with exit 2 (README)."""
    from recon.cli import EXIT_REJECTED, main

    path = str(samples_dir / name)
    assert main(["inspect", path]) == EXIT_REJECTED
    assert "(REJECTED, strict)" in capsys.readouterr().out
    assert main(["inspect", "--lenient", path]) == 0
    out = capsys.readouterr().out
    assert "(ACCEPTED_WITH_PROBLEMS, lenient)" in out and code in out
    report = inspect_file(samples_dir / name, strict=False)
    assert report["verdict"] == "ACCEPTED_WITH_PROBLEMS" and code in _codes(report)
    assert report["counts"]["entries"] > 0


def test_cli_lenient_help_says_what_it_does(capsys: pytest.CaptureFixture[str]) -> None:
    """--lenient's help says it reads as a lenient run does, not that it reads 'in lenient mode first'."""
    from recon.cli import main

    with pytest.raises(SystemExit):
        main(["inspect", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "lenient mode first" not in out and "ACCEPTED_WITH_PROBLEMS" in out


def test_camt_ing_balances_and_counts(samples_dir: Path) -> None:
    """camt.053 .001.02: message id, PRCD/OPBD 1000.00 opening, CLBD 1605.00, 9 entries netting +605.00."""
    report = inspect_file(samples_dir / "camt" / "iso20022js_ing_nl_camt053_v02.xml")
    assert (report["message_type"], report["version"], report["verdict"]) == ("camt.053", "001.02", "ACCEPTED")
    assert report["header"]["message_id"] == "201401030009999_20140104015504378"
    (statement,) = report["statements"]
    assert (statement["opening"], statement["closing"], statement["entries"]) == ("1000.00", "1605.00", 9)
    assert statement["booked_net"] == "605.00" and statement["foots"] is True
    assert statement["balances"]["CLAV"] == "1605.00"


def test_camt_multi_statement_opening_and_closing_per_statement(samples_dir: Path) -> None:
    """Two statements: 18.15 -> 27.00 and 27.00 -> 20.00, both footing."""
    report = inspect_file(samples_dir / "camt" / "genkgo_camt053.v2.multi.statement.xml")
    pairs = [(s["opening"], s["closing"], s["foots"]) for s in report["statements"]]
    assert pairs == [("18.15", "27.00", True), ("27.00", "20.00", True)]


@pytest.mark.parametrize("name", ["iso20022js_goldman_us_camt053_v02.xml", "genkgo_camt053.v8.xml"])
def test_camt_non_footing_statement_listed(name: str, samples_dir: Path) -> None:
    """A camt.053 that does not foot is REJECTED with its footing problem, and still shows what it holds."""
    report = inspect_file(samples_dir / "camt" / name)
    assert report["verdict"] == "REJECTED"
    assert _codes(report) == ["CAMT_FOOTING_MISMATCH"]
    assert report["problems"][0]["location"] == "Stmt[1]"
    assert report["statements"][0]["foots"] is False


def test_camt_goldman_booked_net_per_currency_agrees_with_footing(samples_dir: Path) -> None:
    """The EUR -29.06 entry of the USD statement counts at its USD -25.00 equivalent, as in the footing problem
    ("15 booked entries (35.00)"), never as if it were USD; per currency USD 60.00 and EUR -29.06."""
    for strict in (True, False):
        report = inspect_file(samples_dir / "camt" / "iso20022js_goldman_us_camt053_v02.xml", strict=strict)
        (statement,) = report["statements"]
        assert statement["booked_net"] == "35.00"
        assert "15 booked entries (35.00)" in report["problems"][0]["message"]
        assert statement["booked_by_currency"] == {
            "USD": {"entries": 14, "net": "60.00", "in_statement_currency": "60.00"},
            "EUR": {"entries": 1, "net": "-29.06", "in_statement_currency": "-25.00"}}
        text = render_text(report)
        assert "booked net 35.00 USD: USD 60.00 in 14 entries; EUR -29.06 in 1 entry = USD -25.00" in text
        assert "30.94" not in text


def test_camt_entry_without_equivalent_is_not_added_to_the_statement_currency(samples_dir: Path) -> None:
    """genkgo v8: a SEK statement with one EUR 8.85 entry and no SEK equivalent: no SEK net is made up, and the
    EUR opening balance is shown with its currency."""
    report = inspect_file(samples_dir / "camt" / "genkgo_camt053.v8.xml", strict=False)
    (statement,) = report["statements"]
    assert (statement["currency"], statement["booked_net"]) == ("SEK", None)
    assert statement["booked_by_currency"] == {"EUR": {"entries": 1, "net": "8.85", "in_statement_currency": None}}
    assert statement["balance_currencies"]["OPBD"] == "EUR"
    text = render_text(report)
    assert "opening 18.15 EUR, closing -27.00" in text
    assert "booked net n/a in SEK: EUR 8.85 in 1 entry, no SEK equivalent" in text


def test_camt_goldman_counts(samples_dir: Path) -> None:
    """The Goldman sample: account DD01100056869, 15 entries, OPBD -843686.20, CLBD -846665.15."""
    (statement,) = inspect_file(samples_dir / "camt" / "iso20022js_goldman_us_camt053_v02.xml")["statements"]
    assert (statement["account"], statement["entries"]) == ("DD01100056869", 15)
    assert (statement["opening"], statement["closing"]) == ("-843686.20", "-846665.15")


@pytest.mark.parametrize(("name", "message_type"), [("genkgo_camt052.v8.xml", "camt.052"),
                                                   ("genkgo_camt054.v8.xml", "camt.054")])
def test_camt_intraday_views_detected(name: str, message_type: str, samples_dir: Path) -> None:
    """camt.052 and camt.054 are recognised by their message root and version .001.08."""
    report = inspect_file(samples_dir / "camt" / name)
    assert (report["message_type"], report["version"], report["verdict"]) == (message_type, "001.08", "ACCEPTED")


def test_fixml_batch_counts(samples_dir: Path) -> None:
    """The PosRpt batch: TotMsg 3 read, 3 PosRpt counted, version attribute FIX.5.0SP2."""
    report = inspect_file(samples_dir / "fixml" / "fixspec_posrpt_batch_example.xml")
    assert report["version"] == "FIX.5.0SP2"
    assert report["control_totals"]["batch_messages"] == {"read": 3, "computed": 3}
    assert report["counts"]["messages_by_type"] == {"PosRpt": 3} and report["counts"]["position_reports"] == 3


@pytest.mark.parametrize(("name", "message"), [
    ("cmestp_single_trade_capture_report.xml", "TrdCaptRpt"),
    ("cmestp_trade_legs_trade_capture_report.xml", "TrdCaptRpt"),
    ("jspurefix_cme_allocrpt_confirm_to_executing_firm.xml", "AllocRpt"),
    ("jspurefix_cme_mktdatafull_settlement_prices.xml", "MktDataFull"),
])
def test_fixml_messages_by_type(name: str, message: str, samples_dir: Path) -> None:
    """Each FIXML sample's messages are counted by type and the file is accepted."""
    report = inspect_file(samples_dir / "fixml" / name)
    assert message in report["counts"]["messages_by_type"] and report["verdict"] == "ACCEPTED"


def test_fixml_batch_count_mismatch_is_a_problem_not_a_traceback(samples_dir: Path, tmp_path: Path) -> None:
    """A wrong Batch TotMsg is shown as FIXML_BATCH_COUNT_MISMATCH in the report."""
    path = tmp_path / "batch.xml"
    path.write_bytes((samples_dir / "fixml" / "fixspec_posrpt_batch_example.xml").read_bytes()
                     .replace(b'TotMsg="3"', b'TotMsg="4"'))
    report = inspect_file(path)
    assert (report["format"], report["verdict"], _codes(report)) == ("FIXML", "REJECTED",
                                                                     ["FIXML_BATCH_COUNT_MISMATCH"])


def test_csv_contract_detected_with_row_problem(tmp_path: Path) -> None:
    """A bank_balances CSV is matched to its contract; a bad decimal row is a ROW problem, the rest counted."""
    path = tmp_path / "anything.txt"
    path.write_text(CSV_TEXT)
    report = inspect_file(path)
    assert (report["format"], report["header"]["contract"]) == ("CSV", "bank_balances")
    assert report["counts"] == {"rows": 2, "rows_kept": 1, "rows_quarantined": 1}
    assert [(p["scope"], p["code"], p["location"]) for p in report["problems"]] == [("ROW", "BAD_DECIMAL", "line 3")]
    assert report["verdict"] == "ACCEPTED_WITH_PROBLEMS"


@pytest.mark.parametrize(("content", "why"), [
    (b"hello, world\n", "not a BAI2 01 record"),
    (b"", "empty"),
    (b"<html><body/></html>", "'html'"),
])
def test_unknown_file_says_why(content: bytes, why: str, tmp_path: Path) -> None:
    """A file of no known format is UNKNOWN with one problem saying why."""
    path = tmp_path / "mystery.bai2"
    path.write_bytes(content)
    report = inspect_file(path)
    assert (report["format"], _codes(report), report["verdict"]) == ("UNKNOWN", ["UNKNOWN_FORMAT"], "REJECTED")
    assert why in report["problems"][0]["message"]


def test_xml_with_dtd_is_a_problem_and_leaks_nothing(tmp_path: Path) -> None:
    """An XXE document is shown as XML_DTD_FORBIDDEN, and the secret it points at appears nowhere."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-INSPECT")
    path = tmp_path / "xxe.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
                    "<Document><BkToCstmrStmt><GrpHdr><MsgId>&x;</MsgId></GrpHdr></BkToCstmrStmt></Document>")
    report = inspect_file(path)
    assert "XML_DTD_FORBIDDEN" in _codes(report) and report["verdict"] == "REJECTED"
    assert "TOP-SECRET-INSPECT" not in json.dumps(report) + render_text(report)


def test_xml_with_dtd_quotes_the_declared_doctype_not_the_root(tmp_path: Path) -> None:
    """A ``<!DOCTYPE foo ...>`` before a camt Document is quoted as declared, not as ``<!DOCTYPE Document ...>``."""
    path = tmp_path / "foo.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY x "y">]>'
                    "<Document><BkToCstmrStmt><GrpHdr><MsgId>&x;</MsgId></GrpHdr></BkToCstmrStmt></Document>")
    (problem,) = inspect_file(path)["problems"]
    assert (problem["code"], problem["found"]) == ("XML_DTD_FORBIDDEN", "<!DOCTYPE foo ...>")
