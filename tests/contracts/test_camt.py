"""Contract tests of the camt.053/052/054 reader and of the safe XML streaming it uses.

Known values come from ``../shared/samples/SOURCES.md`` (recomputed independently of this reader) and from the
genkgo/camt ``.expected.json`` files (that parser's own output). Variants are made at test time by mutating a sample's
text; inline documents are written where the reader sees them.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pytest

from recon.contracts.camt import CamtFile, read_camt
from recon.contracts.xmlsafe import iter_elements
from recon.domain import BankStatement
from recon.errors import FileRejected, LandingError
from recon.money import currency_places

# ---------------------------------------------------------------------------------------------------------- helpers


def _read(samples_dir: Path, name: str, *, strict: bool = True) -> CamtFile:
    """A camt sample read by the reader."""
    return read_camt(samples_dir / "camt" / name, f"camt/{name}", strict=strict)


def _text(samples_dir: Path, name: str) -> str:
    """A camt sample's text, for mutation."""
    return (samples_dir / "camt" / name).read_text(encoding="utf-8")


def _rejection(source: bytes | Path, **options: object) -> FileRejected:
    """The FileRejected reading ``source`` raises."""
    with pytest.raises(FileRejected) as caught:
        read_camt(source, "inline.xml", **options)
    return caught.value


def _balances(statement: BankStatement) -> dict[str, list[Decimal]]:
    """A statement's balance amounts by type code, in file order."""
    found: dict[str, list[Decimal]] = {}
    for balance in statement.balances:
        found.setdefault(balance.type_code, []).append(balance.amount)
    return found


def _booked(statement: BankStatement) -> list[Decimal]:
    """The amounts of a statement's booked entries."""
    return [entry.amount for entry in statement.entries if entry.status == "BOOK"]


def _document(entries: str, *, balances: str = "", account: str = "<Id><IBAN>NL00TEST0000000001</IBAN></Id>",
              root: str = "BkToCstmrStmt", element: str = "Stmt",
              namespace: str = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08") -> bytes:
    """A one-statement camt document around ``entries`` and ``balances``."""
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><Document{xmlns}><{root}>'
            f"<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-24T18:00:00</CreDtTm></GrpHdr>"
            f"<{element}><Id>S1</Id><CreDtTm>2026-11-24T18:00:00</CreDtTm><Acct>{account}<Ccy>USD</Ccy></Acct>"
            f"{balances}{entries}</{element}></{root}></Document>").encode()


def _balance(code: str, amount: str, indicator: str = "CRDT", currency: str = "USD", day: str = "2026-11-24") -> str:
    """One Bal element."""
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{currency}\">{amount}</Amt>"
            f"<CdtDbtInd>{indicator}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>")


def _entry(amount: str, indicator: str = "CRDT", *, status: str = "<Sts><Cd>BOOK</Cd></Sts>", extra: str = "",
           currency: str = "USD") -> str:
    """One Ntry element."""
    return (f"<Ntry><Amt Ccy=\"{currency}\">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>{status}"
            f"<ValDt><Dt>2026-11-24</Dt></ValDt>{extra}</Ntry>")


# ------------------------------------------------------------------------------------------ known values (table)


class Known(NamedTuple):
    """What SOURCES.md states about one camt sample."""

    name: str
    message_type: str
    version: str
    fmt: str
    report_kind: str
    account: str
    currency: str
    entries: int
    net: Decimal
    balances: dict[str, list[Decimal]]
    foots: bool


KNOWN = [
    Known("iso20022js_ing_nl_camt053_v02.xml", "camt.053", "001.02", "CAMT053", "FINAL", "NL08INGB0000001234", "EUR",
          9, Decimal("605.00"),
          {"PRCD": [Decimal("1000.00")], "OPBD": [Decimal("1000.00")], "CLBD": [Decimal("1605.00")],
           "CLAV": [Decimal("1605.00")]}, True),
    Known("iso20022js_abnamro_nl_camt053_v02.xml", "camt.053", "001.02", "CAMT053", "FINAL", "NL77ABNA0574908765",
          "EUR", 13, Decimal("-900.00"),
          {"PRCD": [Decimal("1000.01")], "CLBD": [Decimal("100.01")], "CLAV": [Decimal("100.01")],
           "FWAV": [Decimal("100.01")] * 5}, True),
    Known("iso20022js_goldman_us_camt053_v02.xml", "camt.053", "001.02", "CAMT053", "FINAL", "DD01100056869", "USD",
          15, Decimal("30.94"),  # 10 credits and 4 debits of 10.00 USD, and the 29.06 EUR debit
          {"OPBD": [Decimal("-843686.20")], "CLBD": [Decimal("-846665.15")], "OPAV": [Decimal("334432492.92")],
           "CLAV": [Decimal("334432401.27")]}, False),
    Known("genkgo_camt053.v8.xml", "camt.053", "001.08", "CAMT053", "FINAL", "NL26VAYB8060476890", "SEK",
          1, Decimal("8.85"),
          {"OPBD": [Decimal("18.15")], "CLBD": [Decimal("-27.00")], "OPAV": [Decimal("35.00")],
           "CLAV": [Decimal("-2700")]}, False),
    Known("genkgo_camt052.v8.xml", "camt.052", "001.08", "CAMT052", "INTERIM", "CH2801234000123456789", "SEK",
          1, Decimal("-200000"), {}, True),
    Known("genkgo_camt054.v8.xml", "camt.054", "001.08", "CAMT054", "INTERIM", "CH2801234000123456789", "SEK",
          1, Decimal("-200000"), {}, True),
]


@pytest.mark.parametrize("known", KNOWN, ids=lambda known: known.name)
def test_camt_sample_known_values(samples_dir: Path, known: Known) -> None:
    """Each single-statement sample reads to its known account, currency, balances, entry count and net movement."""
    camt = _read(samples_dir, known.name, strict=False)
    assert (camt.message_type, camt.version) == (known.message_type, known.version)
    [statement] = camt.statements
    assert (statement.fmt, statement.report_kind, statement.group_status) == (known.fmt, known.report_kind, "")
    assert (statement.bank_account_id, statement.currency) == (known.account, known.currency)
    assert _balances(statement) == known.balances
    assert len(statement.entries) == known.entries
    assert sum(entry.amount for entry in statement.entries) == known.net
    assert all(isinstance(entry.amount, Decimal) for entry in statement.entries)
    assert (camt.problems == ()) == known.foots


@pytest.mark.parametrize("known", [k for k in KNOWN if not k.foots], ids=lambda known: known.name)
def test_camt_sample_that_does_not_foot_is_rejected_in_strict_mode(samples_dir: Path, known: Known) -> None:
    """A camt.053 sample whose balances do not foot is rejected whole in strict mode, naming statement and CLBD."""
    rejected = _rejection(samples_dir / "camt" / known.name)
    problem = rejected.problem
    assert (problem.scope, problem.code, problem.location, problem.field) == ("FILE", "CAMT_FOOTING_MISMATCH",
                                                                            "Stmt[1]", "CLBD")
    assert "does not foot" in problem.message


def test_camt_ing_booked_entries_match_the_transaction_summary(samples_dir: Path) -> None:
    """ING: 9 booked entries net +605.00, credits 5/990.00 and debits 4/385.00, and OPBD + entries = CLBD."""
    [statement] = _read(samples_dir, "iso20022js_ing_nl_camt053_v02.xml").statements
    booked = _booked(statement)
    credits = [amount for amount in booked if amount > 0]
    debits = [amount for amount in booked if amount < 0]
    assert (len(booked), sum(booked)) == (9, Decimal("605.00"))
    assert (len(credits), sum(credits)) == (5, Decimal("990.00"))
    assert (len(debits), -sum(debits)) == (4, Decimal("385.00"))
    assert [e.direction for e in statement.entries].count("CREDIT") == 5
    assert statement.statement_id == "201401030009999/03"
    assert statement.as_of_date == date(2014, 1, 3)


def test_camt_abnamro_foots_from_prcd_when_there_is_no_opbd(samples_dir: Path) -> None:
    """ABN AMRO has no OPBD: PRCD 1000.01 plus its 13 entries (-900.00) equals CLBD 100.01, so strict mode accepts."""
    [statement] = _read(samples_dir, "iso20022js_abnamro_nl_camt053_v02.xml").statements
    assert "OPBD" not in _balances(statement)
    assert Decimal("1000.01") + sum(_booked(statement)) == Decimal("100.01")
    assert len(_booked(statement)) == 13
    reversals = [entry for entry in statement.entries if entry.reversal]
    assert [entry.amount for entry in reversals] == [Decimal("-1.00"), Decimal("-921.00")]


def test_camt_goldman_us_reads_all_entries_and_reports_the_footing_failure(samples_dir: Path) -> None:
    """Goldman US: Othr/Id account, 15 entries (3 reversals, one EUR); lenient mode reports the footing failure."""
    camt = _read(samples_dir, "iso20022js_goldman_us_camt053_v02.xml", strict=False)
    [statement] = camt.statements
    first = statement.entries[0]
    assert (first.amount, first.currency, first.direction, first.customer_reference) == (
        Decimal("10.00"), "USD", "CREDIT", "GSGWGDNCTAHQM8")
    assert first.reversal and first.type_code == "ACH Credit Reject"
    assert sum(entry.reversal for entry in statement.entries) == 3
    assert [e.currency for e in statement.entries].count("EUR") == 1
    assert statement.as_of_date == date(2023, 9, 30)  # the CLBD's Dt/DtTm date
    [problem] = camt.problems
    # the EUR wire counts through its USD instructed amount (25.00): 60.00 - 25.00 = 35.00 of movement
    assert (problem.expected, problem.found) == ("-843651.20", "-846665.15")
    assert "258158850/1" in problem.message


def test_camt_multi_statement_file_foots_statement_by_statement(samples_dir: Path) -> None:
    """genkgo multi-statement: 18.15 + 8.85 = 27.00, then 27.00 - 7.00 = 20.00; both foot in strict mode."""
    camt = _read(samples_dir, "genkgo_camt053.v2.multi.statement.xml")
    first, second = camt.statements
    assert (_balances(first)["OPBD"], _booked(first), _balances(first)["CLBD"]) == (
        [Decimal("18.15")], [Decimal("8.85")], [Decimal("27.00")])
    assert (_balances(second)["OPBD"], _booked(second), _balances(second)["CLBD"]) == (
        [Decimal("27.00")], [Decimal("-7.00")], [Decimal("20.00")])
    assert (first.statement_id, second.statement_id) == ("253EURNL26VAYB8060476890/12312", "254EURNL26VAYB8060476890")
    assert [first.entries[0].location, second.entries[0].location] == ["Stmt[1]/Ntry[1]", "Stmt[2]/Ntry[1]"]


def test_camt_v8_status_code_element_and_unfootable_currencies(samples_dir: Path) -> None:
    """camt.053.001.08: ``<Sts><Cd>BOOK</Cd></Sts>`` is read; OPBD in EUR and CLBD in SEK cannot foot."""
    camt = _read(samples_dir, "genkgo_camt053.v8.xml", strict=False)
    [entry] = camt.statements[0].entries
    assert (entry.status, entry.type_code, entry.bank_reference) == ("BOOK", "PMNT/RCDT/BOOK",
                                                                     "AAAASESS-FP-CN_98765/01")
    [problem] = camt.problems
    assert (problem.expected, problem.found) == ("OPBD and CLBD in SEK", "OPBD EUR, CLBD SEK")


def test_camt_052_and_054_are_interim_views_with_their_references(samples_dir: Path) -> None:
    """camt.052: one DBIT 200000 SEK entry, INTERIM; camt.054: EndToEndId read; neither is footed."""
    report = _read(samples_dir, "genkgo_camt052.v8.xml")
    [entry] = report.statements[0].entries
    assert (entry.amount, entry.currency, entry.direction, entry.text) == (Decimal("-200000"), "SEK", "DEBIT",
                                                                           "Credit")
    assert not report.statements[0].is_statement_of_record
    notification = _read(samples_dir, "genkgo_camt054.v8.xml")
    [entry] = notification.statements[0].entries
    assert entry.customer_reference == "UXC06170000006PI00001EE00001"
    assert notification.statements[0].as_of_date == date(2007, 10, 18)  # no CLBD: FrToDt/ToDtTm


# ------------------------------------------------------------------------------- the genkgo/camt expected outputs

_GENKGO = ["genkgo_camt053.v2.multi.statement", "genkgo_camt053.v8", "genkgo_camt052.v8", "genkgo_camt054.v8"]
_GENKGO_BALANCE_TYPES = {"opening": "OPBD", "closing": "CLBD", "opening_available": "OPAV",
                         "closing_available": "CLAV"}


def _minor_units(money: dict) -> tuple[Decimal, str]:
    """A genkgo Money value (integer minor units and currency) as an exact amount."""
    currency = money["getCurrency"]["getCode"]
    return Decimal(money["getAmount"]).scaleb(-currency_places(currency)), currency


@pytest.mark.parametrize("name", _GENKGO)
def test_camt_matches_the_genkgo_expected_output(samples_dir: Path, name: str) -> None:
    """Entries and balances agree with genkgo/camt's expected JSON: amounts, currency, references, dates, status."""
    expected = json.loads((samples_dir / "camt" / f"{name}.expected.json").read_text(encoding="utf-8"))
    camt = _read(samples_dir, f"{name}.xml", strict=False)
    assert camt.message_id == expected["getGroupHeader"]["getMessageId"]
    by_id = {statement.statement_id.split("/")[0]: statement for statement in camt.statements}
    for expected_entry in expected["getEntries"]:
        record = expected_entry["getRecord"]
        statement = by_id[record["getId"]]
        assert statement.bank_account_id == record["getAccount"]["getIdentification"]
        entry = statement.entries[expected_entry["getIndex"]]
        assert (entry.amount, entry.currency) == _minor_units(expected_entry["getAmount"])
        assert entry.direction == {"CRDT": "CREDIT", "DBIT": "DEBIT"}[expected_entry["getCreditDebitIndicator"]]
        assert entry.bank_reference == (expected_entry["getAccountServicerReference"] or "")
        assert (entry.status, entry.reversal) == (expected_entry["getStatus"], expected_entry["getReversalIndicator"])
        assert entry.value_date == date.fromisoformat(expected_entry["getValueDate"]["0"][:10])
        reference = (expected_entry["getTransactionDetail"] or {}).get("getReference") or {}
        assert entry.customer_reference == (reference.get("getEndToEndId") or "")
        expected_balances = [(_GENKGO_BALANCE_TYPES[b["getType"]], *_minor_units(b["getAmount"]),
                              date.fromisoformat(b["getDate"]["0"][:10])) for b in record.get("getBalances") or []]
        assert [(b.type_code, b.amount, b.currency, b.as_of_date) for b in statement.balances] == expected_balances


# ------------------------------------------------------------------------------------ footing and bad input


def test_camt_footing_failure_names_statement_expected_and_found(samples_dir: Path) -> None:
    """ING with its CLBD changed is rejected: location Stmt[1], field CLBD, expected 1605.00, found the new value."""
    text = _text(samples_dir, "iso20022js_ing_nl_camt053_v02.xml")
    mutated = re.sub(r"(<Cd>CLBD</Cd>\s*</CdOrPrtry>\s*</Tp>\s*<Amt Ccy=\"EUR\">)1605.00", r"\g<1>1604.99", text)
    problem = _rejection(mutated.encode()).problem
    assert (problem.location, problem.field, problem.expected, problem.found) == ("Stmt[1]", "CLBD", "1605.00",
                                                                                  "1604.99")
    assert "201401030009999/03" in problem.message
    lenient = read_camt(mutated.encode(), "inline.xml", strict=False)
    assert len(lenient.statements[0].entries) == 9 and len(lenient.problems) == 1


@pytest.mark.parametrize("balances, entries, foots", [
    (_balance("OPBD", "100.00") + _balance("CLBD", "75.00"), _entry("25.00", "DBIT"), True),
    (_balance("PRCD", "100.00") + _balance("CLBD", "125.00"), _entry("25.00"), True),
    (_balance("OPBD", "100.00") + _balance("CLBD", "100.00"), _entry("25.00", status="<Sts>PDNG</Sts>"), True),
    (_balance("OPBD", "100.00") + _balance("CLBD", "75.00"), _entry("25.00", "DBIT", status="<Sts>BOOK</Sts>"), True),
    (_balance("OPBD", "10.00", "DBIT") + _balance("CLBD", "15.00"), _entry("25.00"), True),
    (_balance("OPBD", "100.00") + _balance("CLBD", "125.01"), _entry("25.00"), False),
    (_balance("OPBD", "100.00") + _balance("CLBD", "125.00"), _entry("25.00", currency="EUR"), False),
    (_balance("CLBD", "125.00"), _entry("25.00"), False),
], ids=["debit", "prcd", "pending-excluded", "old-status", "overdrawn-open", "off-by-a-cent", "foreign-entry",
        "no-opening"])
def test_camt_footing_rules(balances: str, entries: str, foots: bool) -> None:
    """Opening (OPBD, else PRCD) + booked entries = CLBD exactly, in the statement's currency; else a FILE problem."""
    camt = read_camt(_document(entries, balances=balances), "inline.xml", strict=False)
    assert (camt.problems == ()) == foots
    assert all(problem.scope == "FILE" for problem in camt.problems)


def test_camt_foreign_entry_counts_through_its_amount_details() -> None:
    """An entry booked in EUR on a USD statement foots through its USD instructed amount in AmtDtls."""
    details = ("<NtryDtls><TxDtls><AmtDtls><InstdAmt><Amt Ccy=\"USD\">25.00</Amt></InstdAmt>"
               "<TxAmt><Amt Ccy=\"EUR\">29.06</Amt></TxAmt></AmtDtls></TxDtls></NtryDtls>")
    balances = _balance("OPBD", "100.00") + _balance("CLBD", "75.00")
    camt = read_camt(_document(_entry("29.06", "DBIT", currency="EUR", extra=details), balances=balances),
                     "inline.xml")
    assert camt.statements[0].entries[0].amount == Decimal("-29.06")  # the entry keeps the amount the bank gave


@pytest.mark.parametrize("amount", ["12,50", "1e", "NaN", "Infinity", "", "1_000"])
def test_camt_non_numeric_amount_rejects_the_file_naming_path_and_value(amount: str) -> None:
    """A non-numeric Ntry/Amt rejects the file with the element path and the value as found."""
    problem = _rejection(_document(_entry(amount)), strict=False).problem
    assert (problem.code, problem.location, problem.found) == ("CAMT_AMOUNT_INVALID", "Stmt[1]/Ntry[1]/Amt", amount)


@pytest.mark.parametrize("entries, code", [
    ("<Ntry><Amt Ccy=\"USD\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><ValDt><Dt>2026-13-01</Dt></ValDt></Ntry>",
     "CAMT_DATE_INVALID"),
    ("<Ntry><Amt Ccy=\"USD\">1.00</Amt><CdtDbtInd>CREDIT</CdtDbtInd></Ntry>", "CAMT_FIELD_INVALID"),
    ("<Ntry><Amt>1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>", "CAMT_FIELD_MISSING"),
    ("<Ntry><CdtDbtInd>CRDT</CdtDbtInd></Ntry>", "CAMT_FIELD_MISSING"),
])
def test_camt_broken_entry_rejects_the_file(entries: str, code: str) -> None:
    """A bad date, an unknown CdtDbtInd or a missing amount or currency rejects the whole file with its code."""
    assert _rejection(_document(entries), strict=False).problem.code == code


def test_camt_without_account_or_statement_is_rejected() -> None:
    """A statement with no account id, and an XML file that is not camt, are rejected with a reason."""
    assert _rejection(_document("", account="<Id/>")).problem.code == "CAMT_FIELD_MISSING"
    problem = _rejection(b"<Document><Other/></Document>").problem
    assert (problem.code, problem.found) == ("CAMT_NOT_A_STATEMENT", "root element Document")


# ------------------------------------------------------------------------------------------ fields and versions


@pytest.mark.parametrize("namespace, version", [
    ("urn:iso:std:iso:20022:tech:xsd:camt.053.001.02", "001.02"),
    ("urn:iso:std:iso:20022:tech:xsd:camt.053.001.13", "001.13"),
    ("urn:example:bank-specific", ""),
    ("", ""),
])
def test_camt_reads_any_supported_version_and_namespace(namespace: str, version: str) -> None:
    """Elements match on local names: every version .02-.13, a foreign namespace and none at all read the same."""
    camt = read_camt(_document(_entry("5.00"), namespace=namespace), "inline.xml", strict=False)
    assert camt.version == version
    assert camt.statements[0].entries[0].amount == Decimal("5.00")


@pytest.mark.parametrize("namespace", ["urn:iso:std:iso:20022:tech:xsd:camt.053.001.14",
                                       "urn:iso:std:iso:20022:tech:xsd:camt.053.001.01",
                                       "urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"])
def test_camt_unsupported_version_or_mismatched_message_is_rejected(namespace: str) -> None:
    """A version outside .001.02-.001.13, or a namespace naming another message than the root, is rejected."""
    assert _rejection(_document("", namespace=namespace)).problem.code == "CAMT_VERSION_UNSUPPORTED"


@pytest.mark.parametrize("extra, field, value", [
    ("<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId><UETR>u-1</UETR></Refs></TxDtls>"
     "<TxDtls><Refs><EndToEndId>E2E-2</EndToEndId></Refs></TxDtls></NtryDtls>", "customer_reference", "E2E-2"),
    ("<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId><UETR>u-1</UETR></Refs></TxDtls></NtryDtls>",
     "customer_reference", "u-1"),
    ("<NtryDtls><TxDtls><RmtInf><Ustrd>INV 1</Ustrd><Ustrd>INV\n   2</Ustrd></RmtInf></TxDtls></NtryDtls>",
     "text", "INV 1 INV 2"),
    ("<AddtlNtryInf>wire\n  in</AddtlNtryInf><NtryDtls><TxDtls><RmtInf><Ustrd>x</Ustrd></RmtInf></TxDtls>"
     "</NtryDtls>", "text", "wire in"),
    ("<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn><Prtry><Cd>195</Cd>"
     "</Prtry></BkTxCd>", "type_code", "PMNT/RCDT/DMCT"),
    ("<BkTxCd><Prtry><Cd>195</Cd></Prtry></BkTxCd>", "type_code", "195"),
    ("<AcctSvcrRef>BANK-1</AcctSvcrRef>", "bank_reference", "BANK-1"),
    ("<NtryDtls><TxDtls><Refs><AcctSvcrRef>TX-1</AcctSvcrRef></Refs></TxDtls></NtryDtls>", "bank_reference", "TX-1"),
    ("<RvslInd>true</RvslInd>", "reversal", True),
])
def test_camt_entry_fields(extra: str, field: str, value: object) -> None:
    """References, narrative, bank transaction code and reversal flag are read by the contract's precedence."""
    entry = read_camt(_document(_entry("1.00", extra=extra)), "inline.xml", strict=False).statements[0].entries[0]
    assert getattr(entry, field) == value


def test_camt_reversal_keeps_the_sign_its_indicator_gives() -> None:
    """A reversal marked CRDT is +, one marked DBIT is -: the bank's CdtDbtInd decides, RvslInd only flags it."""
    entries = _entry("3.00", "CRDT", extra="<RvslInd>true</RvslInd>") + _entry("2.00", "DBIT",
                                                                              extra="<RvslInd>true</RvslInd>")
    statement = read_camt(_document(entries), "inline.xml", strict=False).statements[0]
    assert [(e.amount, e.reversal) for e in statement.entries] == [(Decimal("3.00"), True), (Decimal("-2.00"), True)]


def test_camt_record_ids_derive_from_content_not_position(samples_dir: Path) -> None:
    """Reversing the order of ING's entries changes no record id, and identical entries get distinct ids."""
    text = _text(samples_dir, "iso20022js_ing_nl_camt053_v02.xml")
    entries = re.findall(r"<Ntry>.*?</Ntry>", text, flags=re.S)
    start, end = text.index(entries[0]), text.index(entries[-1]) + len(entries[-1])
    reversed_text = text[:start] + "".join(reversed(entries)) + text[end:]
    original = read_camt(text.encode(), "camt/ing.xml").statements[0]
    shuffled = read_camt(reversed_text.encode(), "camt/ing.xml").statements[0]
    assert sorted(e.record_id for e in original.entries) == sorted(e.record_id for e in shuffled.entries)
    twins = read_camt(_document(_entry("1.00") * 2), "inline.xml", strict=False).statements[0].entries
    assert twins[0].record_id != twins[1].record_id


def test_camt_statement_identity_and_dates() -> None:
    """Statement id gains /ElctrncSeqNb; the as-of date falls back from CLBD to ToDtTm to CreDtTm."""
    with_sequence = _document(_entry("1.00")).replace(b"<Id>S1</Id>", b"<Id>S1</Id><ElctrncSeqNb>7</ElctrncSeqNb>")
    statement = read_camt(with_sequence, "inline.xml", strict=False).statements[0]
    assert (statement.statement_id, statement.as_of_date) == ("S1/7", date(2026, 11, 24))
    balances = _balance("OPBD", "1.00", day="2026-11-20") + _balance("CLBD", "2.00", day="2026-11-21")
    statement = read_camt(_document(_entry("1.00"), balances=balances), "inline.xml", strict=False).statements[0]
    assert statement.as_of_date == date(2026, 11, 21)


# --------------------------------------------------------------------------------------------- hostile XML


def test_camt_billion_laughs_is_refused_without_expansion(tmp_path: Path) -> None:
    """An entity-expansion bomb is refused as XML_DTD_FORBIDDEN before any entity is expanded."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 10)]
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(f'<?xml version="1.0"?><!DOCTYPE Document [{"".join(levels)}]>'
                    f"<Document><BkToCstmrStmt><GrpHdr><MsgId>&lol9;</MsgId></GrpHdr></BkToCstmrStmt></Document>")
    problem = _rejection(bomb).problem
    assert (problem.scope, problem.code) == ("FILE", "XML_DTD_FORBIDDEN")
    assert "lol" not in problem.expected and len(problem.describe()) < 400


@pytest.mark.parametrize("declaration, body", [
    ('<!DOCTYPE Document [<!ENTITY xxe SYSTEM "{url}">]>', "<GrpHdr><MsgId>&xxe;</MsgId></GrpHdr>"),
    ('<!DOCTYPE Document [<!ENTITY % xxe SYSTEM "{url}"> %xxe;]>', "<GrpHdr><MsgId>1</MsgId></GrpHdr>"),
    ('<!DOCTYPE Document SYSTEM "{url}">', "<GrpHdr><MsgId>1</MsgId></GrpHdr>"),
], ids=["general-entity", "parameter-entity", "external-dtd"])
def test_camt_xxe_never_reads_the_local_file(tmp_path: Path, declaration: str, body: str) -> None:
    """An entity or DTD naming a local file is refused, and the file's content appears nowhere in the problem."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE-42")
    document = tmp_path / "xxe.xml"
    document.write_text(f'<?xml version="1.0"?>{declaration.format(url=secret.as_uri())}'
                        f"<Document><BkToCstmrStmt>{body}</BkToCstmrStmt></Document>")
    rejected = _rejection(document)
    assert rejected.problem.code == "XML_DTD_FORBIDDEN"
    assert "TOP-SECRET" not in repr(rejected.problem) and "TOP-SECRET" not in str(rejected)


@pytest.mark.parametrize("document, line", [
    (b"<Document>\n<BkToCstmrStmt>\n<GrpHdr></Grp>\n</BkToCstmrStmt></Document>", "line 3"),
    (b"<Document><BkToCstmrStmt>", "line 1"),
    (b"", "line 1"),
    (b"not xml at all", "line 1"),
])
def test_camt_malformed_xml_is_rejected_with_its_line(document: bytes, line: str) -> None:
    """A document lxml cannot parse is rejected as XML_MALFORMED at the line lxml reports, with lxml's message."""
    problem = _rejection(document).problem
    assert (problem.code, problem.location) == ("XML_MALFORMED", line)
    assert problem.found


def test_camt_missing_file_is_an_operating_error(tmp_path: Path) -> None:
    """A file that cannot be opened is a LandingError (operating trouble), not a rejected file."""
    with pytest.raises(LandingError):
        read_camt(tmp_path / "absent.xml", "bank/absent.xml")


def test_camt_streaming_frees_each_element_after_use() -> None:
    """iter_elements keeps only the current element and an emptied predecessor: earlier siblings are deleted."""
    statements = b"".join(b"<Stmt><Id>%d</Id></Stmt>" % n for n in range(1000))
    document = b"<Document><Rpt>" + statements + b"</Rpt></Document>"
    seen = 0
    for element in iter_elements(document, "inline.xml", ["Stmt"]):
        earlier = list(element.itersiblings(preceding=True))
        assert len(earlier) <= 1 and all(len(sibling) == 0 for sibling in earlier)  # only the last one, emptied
        assert element.findtext("Id") == str(seen)
        seen += 1
    assert seen == 1000
