"""Build hostile and broken variants of the public samples at test time (nothing derived from them is committed).

Each :class:`Variant` names a base sample (a path under ``../shared/samples``, or ``CSV_BASE`` for the synthetic
cash journal below: there is no public ledger CSV), a mutation, the reader that must meet it and what that reader
must do: reject the FILE with an error code, or quarantine a ROW with an error code.

A mutation is ``(base bytes, output path, secret path) -> None`` and writes the variant to the output path; most are
byte rewrites (:func:`rewrite`), the 50 MB single-line variants stream their output in 1 MB chunks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

CSV_BASE = "csv:cash_journal"
SECRET_TOKEN = b"FCM-RECON-HOSTILE-SECRET-7f3a9c"
BIG_LINE_BYTES = 50 * 1024 * 1024
_CHUNK = 1024 * 1024

Mutation = Callable[[bytes, Path, Path], None]
ByteRewrite = Callable[[bytes], bytes]


class MutationError(Exception):
    """A mutation cannot be applied: the base sample no longer holds what the mutation rewrites."""


class Variant(NamedTuple):
    """One row of the corpus: id, base sample, mutation, reader family, FILE/ROW outcome and its code."""

    id: str
    base: str
    mutate: Mutation
    reader: str  # bai2, camt, fixml or csv
    scope: str  # FILE: FileRejected with ``code``; ROW: the reader returns a ROW problem with ``code``
    code: str


CSV_HEADER = (b"entry_id,value_date,account_id,bank_account_id,seg_class,entry_type,counterparty,currency,amount,"
              b"reference,description\n")
CSV_ROWS = (
    b"J1,2026-03-02,C100,BANK1,SEG,CUSTOMER_DEPOSIT,,USD,1000.00,WIRE1,deposit\n",
    b"J2,2026-03-02,,BANK1,SEG,DCO_SETTLEMENT,CME,USD,-250.50,SETTLE1,\n",
    b"J3,2026-03-02,C200,BANK2,SECURED,CUSTOMER_WITHDRAWAL,,EUR,-75.25,WIRE2,withdrawal\n",
)


def csv_base() -> bytes:
    """A valid cash_journal.csv (ledger contract) the CSV mutations start from."""
    return CSV_HEADER + b"".join(CSV_ROWS)


# --- mutation builders ---------------------------------------------------------------------------------------------

def rewrite(change: ByteRewrite) -> Mutation:
    """A mutation that rewrites the base bytes in memory."""
    def mutate(data: bytes, out: Path, secret: Path) -> None:
        out.write_bytes(change(data))
    return mutate


def sub(old: bytes, new: bytes, count: int = 1) -> Mutation:
    """Replace the first ``count`` occurrences of ``old`` (0: every one); the base must hold it."""
    def change(data: bytes) -> bytes:
        if old not in data:
            raise MutationError(f"{old!r} is not in the base sample")
        return data.replace(old, new, count if count else -1)
    return rewrite(change)


def regex(pattern: bytes, replacement: bytes) -> Mutation:
    """Replace the first match of ``pattern`` (DOTALL); the base must match."""
    compiled = re.compile(pattern, re.DOTALL)

    def change(data: bytes) -> bytes:
        result, n = compiled.subn(replacement, data, count=1)
        if not n:
            raise MutationError(f"{pattern!r} does not match the base sample")
        return result
    return rewrite(change)


def constant(content: bytes) -> Mutation:
    """Ignore the base: write ``content`` (the empty file)."""
    return rewrite(lambda data: content)


def truncate_at(marker: bytes, extra: int = 0, nth: int = 0) -> Mutation:
    """Cut the file ``extra`` bytes after the start of the ``nth`` occurrence of ``marker``."""
    def change(data: bytes) -> bytes:
        at = -1
        for _ in range(nth + 1):
            at = data.find(marker, at + 1)
            if at < 0:
                raise MutationError(f"{marker!r} (occurrence {nth}) is not in the base sample")
        return data[:at + extra]
    return rewrite(change)


def insert_after_line(prefix: bytes, line: bytes) -> Mutation:
    """Insert a physical line after the first line starting with ``prefix``."""
    def change(data: bytes) -> bytes:
        lines = data.split(b"\n")
        for i, text in enumerate(lines):
            if text.startswith(prefix):
                return b"\n".join(lines[:i + 1] + [line] + lines[i + 1:])
        raise MutationError(f"no line starts with {prefix!r}")
    return rewrite(change)


def bai2_field(code: bytes, index: int, value: bytes | Callable[[bytes], bytes], nth: int = 0) -> Mutation:
    """Set field ``index`` (0 is the record code) of the ``nth`` physical line of record ``code``."""
    def change(data: bytes) -> bytes:
        lines = data.split(b"\n")
        hits = [i for i, text in enumerate(lines) if text.startswith(code + b",")]
        if len(hits) <= nth:
            raise MutationError(f"no record {code!r} number {nth}")
        text = lines[hits[nth]]
        cr = b"\r" if text.endswith(b"\r") else b""
        body = text.rstrip(b"\r")
        slash = b"/" if body.endswith(b"/") else b""
        fields = body[:len(body) - len(slash)].split(b",")
        fields[index] = value(fields[index]) if callable(value) else value
        lines[hits[nth]] = b",".join(fields) + slash + cr
        return b"\n".join(lines)
    return rewrite(change)


def bump(delta: int) -> Callable[[bytes], bytes]:
    """A field value plus ``delta`` (a wrong trailer total or count)."""
    return lambda text: str(int(text) + delta).encode()


def xml_doctype(doctype: bytes, marker: bytes, reference: bytes) -> Mutation:
    """Put a DOCTYPE before the root and ``reference`` after ``marker``; ``{secret}`` names the secret file."""
    def mutate(data: bytes, out: Path, secret: Path) -> None:
        declaration = doctype.replace(b"{secret}", secret.resolve().as_uri().encode())
        body = re.sub(rb"^\s*<\?xml[^>]*\?>\s*", b"", data)
        if marker not in body:
            raise MutationError(f"{marker!r} is not in the base sample")
        body = body.replace(marker, marker + reference, 1)
        out.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n' + declaration + b"\n" + body)
    return mutate


def big_line(marker: bytes, head: bytes, filler: bytes, tail: bytes, keep_rest: bool = False) -> Mutation:
    """The base up to ``marker``, then one ~50 MB line ``head + filler * n + tail`` (streamed), then the rest.

    An empty marker writes only the big line (a whole file with no line break).
    """
    def mutate(data: bytes, out: Path, secret: Path) -> None:
        at = data.find(marker) if marker else 0
        if at < 0:
            raise MutationError(f"{marker!r} is not in the base sample")
        block = filler * (_CHUNK // len(filler))
        with out.open("wb") as stream:
            stream.write(data[:at] + head)
            for _ in range(BIG_LINE_BYTES // len(block)):
                stream.write(block)
            stream.write(tail)
            if keep_rest:
                stream.write(data[at:])
    return mutate


BILLION_LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                             for n in range(1, 10)) + b"]>")
XXE = b'<!DOCTYPE Document [<!ENTITY xxe SYSTEM "{secret}">]>'
EXTERNAL_DTD = b'<!DOCTYPE Document SYSTEM "http://127.0.0.1:9/camt.053.dtd">'
XXE_PARAMETER = b'<!DOCTYPE FIXML [<!ENTITY % ext SYSTEM "{secret}"> %ext;]>'


# --- the corpus -----------------------------------------------------------------------------------------------------

SVB = "bai2/moj_svb_us_example.bai2"
APPX_D = "bai2/bai_spec_appendixD_sample.bai2"
NATWEST = "bai2/moj_natwest_gbp_example.bai2"
WIRE_CRLF = "bai2/vh_eod_wire_88tags_crlf.bai2"
MESSY = "bai2/moov_sample3_packed_wrapped_messy.bai2"
ING = "camt/iso20022js_ing_nl_camt053_v02.xml"
MULTI = "camt/genkgo_camt053.v2.multi.statement.xml"
V8_052 = "camt/genkgo_camt052.v8.xml"
TRADE = "fixml/cmestp_single_trade_capture_report.xml"
LEGS = "fixml/cmestp_trade_legs_trade_capture_report.xml"
POS_BATCH = "fixml/fixspec_posrpt_batch_example.xml"
ALLOC = "fixml/jspurefix_cme_allocrpt_confirm_to_executing_firm.xml"


BAI2_VARIANTS = (
    Variant("bai2-truncated-mid-16-amount", SVB, truncate_at(b"\n16,", 11), "bai2", "FILE", "MISSING_TRAILER"),
    Variant("bai2-truncated-after-16-type", SVB, truncate_at(b"\n16,", 8), "bai2", "FILE", "BAD_AMOUNT"),
    Variant("bai2-truncated-mid-03", APPX_D, truncate_at(b"\n03,", 12, nth=1), "bai2", "FILE", "MISSING_TRAILER"),
    Variant("bai2-cut-before-99", SVB, truncate_at(b"\n99,", 1), "bai2", "FILE", "MISSING_TRAILER"),
    Variant("bai2-cut-before-99-crlf", WIRE_CRLF, truncate_at(b"\n99,", 1), "bai2", "FILE", "MISSING_TRAILER"),
    Variant("bai2-49-total", SVB, bai2_field(b"49", 1, bump(1)), "bai2", "FILE", "TRAILER_TOTAL_MISMATCH"),
    Variant("bai2-49-count", SVB, bai2_field(b"49", 2, bump(1)), "bai2", "FILE", "TRAILER_COUNT_MISMATCH"),
    Variant("bai2-49-total-appxd", APPX_D, bai2_field(b"49", 1, bump(-100)), "bai2", "FILE",
            "TRAILER_TOTAL_MISMATCH"),
    Variant("bai2-98-total", SVB, bai2_field(b"98", 1, bump(1), nth=1), "bai2", "FILE", "TRAILER_TOTAL_MISMATCH"),
    Variant("bai2-98-accounts", NATWEST, bai2_field(b"98", 2, bump(1)), "bai2", "FILE", "TRAILER_COUNT_MISMATCH"),
    Variant("bai2-98-count", NATWEST, bai2_field(b"98", 3, bump(-1)), "bai2", "FILE", "TRAILER_COUNT_MISMATCH"),
    Variant("bai2-99-total", SVB, bai2_field(b"99", 1, bump(1)), "bai2", "FILE", "TRAILER_TOTAL_MISMATCH"),
    Variant("bai2-99-groups", SVB, bai2_field(b"99", 2, bump(1)), "bai2", "FILE", "TRAILER_COUNT_MISMATCH"),
    Variant("bai2-99-count", MESSY, bai2_field(b"99", 3, bump(1)), "bai2", "FILE", "TRAILER_COUNT_MISMATCH"),
    Variant("bai2-16-amount-decimal-point", SVB, sub(b"16,142,490196,", b"16,142,4901.96,"), "bai2", "FILE",
            "BAD_AMOUNT"),
    Variant("bai2-03-amount-decimal-point", SVB, sub(b"010,34726979,", b"010,347269.79,"), "bai2", "FILE",
            "BAD_AMOUNT"),
    Variant("bai2-02-currency-lowercase", SVB, bai2_field(b"02", 6, b"usd"), "bai2", "FILE", "BAD_FIELD"),
    Variant("bai2-03-currency-lowercase", NATWEST, sub(b",GBP,", b",gbp,"), "bai2", "FILE", "BAD_FIELD"),
    Variant("bai2-02-currency-unknown", SVB, sub(b",USD,", b",XQZ,", 0), "bai2", "FILE", "BAD_FIELD"),
    Variant("bai2-02-asof-991332", SVB, bai2_field(b"02", 4, b"991332"), "bai2", "FILE", "BAD_DATE"),
    Variant("bai2-01-creation-date-feb30", NATWEST, bai2_field(b"01", 3, b"260230"), "bai2", "FILE", "BAD_DATE"),
    Variant("bai2-16-amount-letters", SVB, sub(b"16,142,490196,", b"16,142,49O196,"), "bai2", "FILE", "BAD_AMOUNT"),
    Variant("bai2-49-total-letters", NATWEST, bai2_field(b"49", 1, b"14376A"), "bai2", "FILE", "BAD_AMOUNT"),
    Variant("bai2-99-count-letters", SVB, bai2_field(b"99", 3, b"2O"), "bai2", "FILE", "BAD_COUNT"),
    Variant("bai2-unknown-record-17", SVB, insert_after_line(b"16,", b"17,142,1,,/"), "bai2", "FILE",
            "UNKNOWN_RECORD_CODE"),
    Variant("bai2-record-out-of-order", SVB, sub(b"49,138884258,7/\n", b""), "bai2", "FILE", "RECORD_OUT_OF_ORDER"),
    Variant("bai2-16-type-code-unclassified", SVB, sub(b"16,142,", b"16,750,"), "bai2", "FILE",
            "UNKNOWN_TYPE_CODE"),
    Variant("bai2-16-type-code-letters", NATWEST, sub(b"16,699,971", b"16,6X9,971"), "bai2", "FILE",
            "UNKNOWN_TYPE_CODE"),
    Variant("bai2-03-type-code-letters", SVB, sub(b"015,35217175", b"O15,35217175"), "bai2", "FILE", "BAD_FIELD"),
    Variant("bai2-unsupported-version", SVB, bai2_field(b"01", 8, b"1"), "bai2", "FILE", "UNSUPPORTED_VERSION"),
    Variant("bai2-invalid-utf8-in-amount", SVB, sub(b"16,142,490196,", b"16,142,4901\xff\xfe,"), "bai2", "FILE",
            "BAD_AMOUNT"),
    Variant("bai2-invalid-utf8-first-bytes", SVB, rewrite(lambda d: b"\xc3\x28\xff" + d), "bai2", "FILE",
            "NOT_BAI2"),
    Variant("bai2-nul-in-amount", SVB, sub(b"16,142,490196,", b"16,142,490\x00196,"), "bai2", "FILE", "BAD_AMOUNT"),
    Variant("bai2-nul-file", SVB, constant(b"\x00" * 4096), "bai2", "FILE", "NOT_BAI2"),
    Variant("bai2-empty", SVB, constant(b""), "bai2", "FILE", "NOT_BAI2"),
    Variant("bai2-50mb-single-line", SVB, big_line(b"16,", b"16,142,", b"1", b",,172629,/\n", keep_rest=False),
            "bai2", "FILE", "BAD_AMOUNT"),
)

_STMT_BLOCK = rb"(<Stmt>.*?</Stmt>)"


def _all_currencies(code: bytes) -> Mutation:
    """Every EUR of a camt file (Amt@Ccy and Acct/Ccy) as ``code``, so the statement still foots."""
    return rewrite(lambda d: d.replace(b'Ccy="EUR"', b'Ccy="' + code + b'"').replace(b"<Ccy>EUR</Ccy>",
                                                                                    b"<Ccy>" + code + b"</Ccy>"))


CAMT_VARIANTS = (
    Variant("camt-truncated-mid-element", ING, truncate_at(b"<Ntry>", 20), "camt", "FILE", "XML_MALFORMED"),
    Variant("camt-truncated-before-close", MULTI, truncate_at(b"</BkToCstmrStmt>"), "camt", "FILE",
            "XML_MALFORMED"),
    Variant("camt-bal-dt-feb30", ING, sub(b"<Dt>2014-01-03</Dt>", b"<Dt>2026-02-30</Dt>"), "camt", "FILE",
            "CAMT_DATE_INVALID"),
    Variant("camt-valdt-letters", MULTI, sub(b"<Dt>2015-01-02</Dt>", b"<Dt>2015-0l-02</Dt>"), "camt", "FILE",
            "CAMT_DATE_INVALID"),
    Variant("camt-amt-letters", ING, sub(b">1605.00</Amt>", b">16O5.00</Amt>"), "camt", "FILE",
            "CAMT_AMOUNT_INVALID"),
    Variant("camt-ntry-amt-letters", MULTI, sub(b">8.85</Amt>", b">8.8S</Amt>"), "camt", "FILE",
            "CAMT_AMOUNT_INVALID"),
    Variant("camt-amt-exponent", MULTI, sub(b">27.00</Amt>", b">2.7E1</Amt>", 0), "camt", "FILE",
            "CAMT_AMOUNT_INVALID"),
    Variant("camt-amt-too-many-places", MULTI,
            rewrite(lambda d: d.replace(b">8.85</Amt>", b">8.845</Amt>", 1).replace(b">27.00</Amt>", b">26.995</Amt>", 1)),
            "camt", "FILE", "CAMT_AMOUNT_INVALID"),
    Variant("camt-ccy-lowercase", MULTI, _all_currencies(b"eur"), "camt", "FILE", "CAMT_FIELD_INVALID"),
    Variant("camt-ccy-unknown", MULTI, _all_currencies(b"XQZ"), "camt", "FILE", "CAMT_FIELD_INVALID"),
    Variant("camt-cdtdbtind-unknown", ING, sub(b"<CdtDbtInd>CRDT</CdtDbtInd>", b"<CdtDbtInd>CRED</CdtDbtInd>"),
            "camt", "FILE", "CAMT_FIELD_INVALID"),
    Variant("camt-does-not-foot", ING, sub(b">1605.00</Amt>", b">1605.01</Amt>"), "camt", "FILE",
            "CAMT_FOOTING_MISMATCH"),
    Variant("camt-second-stmt-does-not-foot", MULTI, sub(b">20.00</Amt>", b">20.01</Amt>"), "camt", "FILE",
            "CAMT_FOOTING_MISMATCH"),
    Variant("camt-no-clbd", ING, sub(b"<Cd>CLBD</Cd>", b"<Cd>XXXX</Cd>"), "camt", "FILE", "CAMT_BALANCE_MISSING"),
    Variant("camt-duplicate-statement", ING, regex(_STMT_BLOCK, rb"\1\1"), "camt", "FILE",
            "CAMT_DUPLICATE_STATEMENT"),
    Variant("camt-no-account", ING, sub(b"<IBAN>NL08INGB0000001234</IBAN>", b""), "camt", "FILE",
            "CAMT_FIELD_MISSING"),
    Variant("camt-version-unsupported", ING, sub(b"camt.053.001.02", b"camt.053.001.99"), "camt", "FILE",
            "CAMT_VERSION_UNSUPPORTED"),
    Variant("camt-not-a-statement", ING, sub(b"BkToCstmrStmt>", b"BkToCstmrXyz>", 0), "camt", "FILE",
            "CAMT_NOT_A_STATEMENT"),
    Variant("camt-xxe-local-file", ING, xml_doctype(XXE, b"<MsgId>", b"&xxe;"), "camt", "FILE", "XML_DTD_FORBIDDEN"),
    Variant("camt-xxe-052", V8_052, xml_doctype(XXE, b"<MsgId>", b"&xxe;"), "camt", "FILE", "XML_DTD_FORBIDDEN"),
    Variant("camt-billion-laughs", ING, xml_doctype(BILLION_LAUGHS, b"<MsgId>", b"&lol9;"), "camt", "FILE",
            "XML_DTD_FORBIDDEN"),
    Variant("camt-external-dtd", ING, xml_doctype(EXTERNAL_DTD, b"<MsgId>", b""), "camt", "FILE",
            "XML_DTD_FORBIDDEN"),
    Variant("camt-invalid-utf8", ING, sub(b"<Nm>INGBankNV</Nm>", b"<Nm>ING\xff\xfeBank</Nm>"), "camt", "FILE",
            "XML_MALFORMED"),
    Variant("camt-nul-byte", ING, sub(b"<MsgId>", b"<MsgId>\x00"), "camt", "FILE", "XML_MALFORMED"),
    Variant("camt-empty", ING, constant(b""), "camt", "FILE", "XML_MALFORMED"),
    Variant("camt-50mb-single-line", ING, big_line(b"</MsgId>", b"", b"A", b"", keep_rest=True), "camt", "FILE",
            "XML_MALFORMED"),
)

FIXML_VARIANTS = (
    Variant("fixml-bizdt-month-13", TRADE, sub(b'BizDt="2014-11-13"', b'BizDt="2026-13-01"'), "fixml", "ROW",
            "FIXML_DATE_INVALID"),
    Variant("fixml-posrpt-bizdt-feb30", POS_BATCH, sub(b'BizDt="2003-09-10"', b'BizDt="2026-02-30"'), "fixml",
            "ROW", "FIXML_DATE_INVALID"),
    Variant("fixml-lastqty-letters", TRADE, sub(b'LastQty="4"', b'LastQty="4x"'), "fixml", "ROW",
            "FIXML_NUMBER_INVALID"),
    Variant("fixml-lastpx-letters", TRADE, sub(b'LastPx="4.195"', b'LastPx="4.I95"'), "fixml", "ROW",
            "FIXML_NUMBER_INVALID"),
    Variant("fixml-leg-qty-letters", LEGS, sub(b'Qty="800"', b'Qty="8OO"'), "fixml", "ROW", "FIXML_NUMBER_INVALID"),
    Variant("fixml-amt-exponent", POS_BATCH, sub(b'Amt="0.00"', b'Amt="1e5"'), "fixml", "ROW",
            "FIXML_NUMBER_INVALID"),
    Variant("fixml-posrpt-amt-letters", POS_BATCH, sub(b'Amt="0.00"', b'Amt="O.00"'), "fixml", "ROW",
            "FIXML_NUMBER_INVALID"),
    Variant("fixml-posrpt-qty-negative", POS_BATCH, sub(b'Long="35"', b'Long="-35"'), "fixml", "ROW",
            "FIXML_NUMBER_INVALID"),
    Variant("fixml-side-unknown", TRADE, sub(b'Side="2"', b'Side="9"'), "fixml", "ROW", "FIXML_VALUE_INVALID"),
    Variant("fixml-batch-totmsg-high", POS_BATCH, sub(b'TotMsg="3"', b'TotMsg="4"'), "fixml", "FILE",
            "FIXML_BATCH_COUNT_MISMATCH"),
    Variant("fixml-batch-totmsg-low", POS_BATCH, sub(b'TotMsg="3"', b'TotMsg="2"'), "fixml", "FILE",
            "FIXML_BATCH_COUNT_MISMATCH"),
    Variant("fixml-batch-totmsg-letters", POS_BATCH, sub(b'TotMsg="3"', b'TotMsg="three"'), "fixml", "FILE",
            "FIXML_BATCH_COUNT_MISMATCH"),
    Variant("fixml-malformed-tag", TRADE, sub(b"<Instrmt ", b"<Instrmt<"), "fixml", "FILE", "XML_MALFORMED"),
    Variant("fixml-mismatched-close", TRADE, sub(b"</RptSide>", b"</RptSid>"), "fixml", "FILE", "XML_MALFORMED"),
    Variant("fixml-unquoted-attribute", ALLOC, regex(rb'RptID="([^"]*)"', rb"RptID=\1"), "fixml", "FILE",
            "XML_MALFORMED"),
    Variant("fixml-truncated", LEGS, truncate_at(b"<TrdLeg", 10, nth=1), "fixml", "FILE", "XML_MALFORMED"),
    Variant("fixml-not-fixml", TRADE, rewrite(lambda d: d.replace(b"<FIXML ", b"<FIXMX ").replace(b"</FIXML>",
                                                                                              b"</FIXMX>")),
            "fixml", "FILE", "FIXML_NOT_FIXML"),
    Variant("fixml-xxe-parameter-entity", TRADE, xml_doctype(XXE_PARAMETER, b"<Batch>", b""), "fixml", "FILE",
            "XML_DTD_FORBIDDEN"),
    Variant("fixml-billion-laughs", POS_BATCH, xml_doctype(BILLION_LAUGHS, b"<Batch", b""), "fixml", "FILE",
            "XML_DTD_FORBIDDEN"),
    Variant("fixml-invalid-utf8", TRADE, sub(b'TID="COMPANY_NAME"', b'TID="COMPANY\xff\xfe"'), "fixml", "FILE",
            "XML_MALFORMED"),
    Variant("fixml-nul-byte", TRADE, sub(b"<Batch>", b"<Batch>\x00"), "fixml", "FILE", "XML_MALFORMED"),
    Variant("fixml-empty", TRADE, constant(b""), "fixml", "FILE", "XML_MALFORMED"),
    Variant("fixml-50mb-single-line", TRADE, big_line(b"<Batch>", b'<Hdr SID="', b"X", b'"/>', keep_rest=True),
            "fixml", "FILE", "XML_MALFORMED"),
)


def _csv_row(n: int, column: str, value: bytes) -> Mutation:
    """Set ``column`` of data row ``n`` (0-based) of the synthetic cash journal."""
    index = CSV_HEADER.rstrip().split(b",").index(column.encode())

    def change(data: bytes) -> bytes:
        lines = data.split(b"\n")
        fields = lines[n + 1].split(b",")
        fields[index] = value
        lines[n + 1] = b",".join(fields)
        return b"\n".join(lines)
    return rewrite(change)


CSV_VARIANTS = (
    Variant("csv-missing-required-column", CSV_BASE, sub(b",amount,", b",amt,"), "csv", "FILE", "MISSING_COLUMN"),
    Variant("csv-amount-letters", CSV_BASE, _csv_row(1, "amount", b"-25O.50"), "csv", "ROW", "BAD_DECIMAL"),
    Variant("csv-amount-comma-decimal", CSV_BASE, _csv_row(0, "amount", b'"1000,00"'), "csv", "ROW", "BAD_DECIMAL"),
    Variant("csv-amount-10-places", CSV_BASE, _csv_row(0, "amount", b"1000.0000000001"), "csv", "ROW",
            "BAD_DECIMAL"),
    Variant("csv-amount-exponent", CSV_BASE, _csv_row(2, "amount", b"1e5"), "csv", "ROW", "BAD_DECIMAL"),
    Variant("csv-currency-lowercase", CSV_BASE, _csv_row(0, "currency", b"usd"), "csv", "ROW", "BAD_CURRENCY"),
    Variant("csv-currency-unknown", CSV_BASE, _csv_row(0, "currency", b"XQZ"), "csv", "ROW", "BAD_CURRENCY"),
    Variant("csv-date-feb30", CSV_BASE, _csv_row(1, "value_date", b"2026-02-30"), "csv", "ROW", "BAD_DATE"),
    Variant("csv-entry-type-unknown", CSV_BASE, _csv_row(1, "entry_type", b"BOGUS"), "csv", "ROW", "BAD_CODE"),
    Variant("csv-duplicate-key", CSV_BASE, _csv_row(2, "entry_id", b"J1"), "csv", "ROW", "DUPLICATE_KEY"),
    Variant("csv-empty", CSV_BASE, constant(b""), "csv", "FILE", "UNREADABLE_FILE"),
    Variant("csv-invalid-utf8", CSV_BASE, _csv_row(0, "description", b"d\xff\xfeposit"), "csv", "FILE",
            "UNREADABLE_FILE"),
    Variant("csv-nul-byte", CSV_BASE, _csv_row(0, "amount", b"10\x0000.00"), "csv", "ROW", "BAD_DECIMAL"),
    Variant("csv-50mb-single-line", CSV_BASE, big_line(b"", b"", b"x", b""), "csv", "FILE", "MISSING_COLUMN"),
)

VARIANTS = BAI2_VARIANTS + CAMT_VARIANTS + FIXML_VARIANTS + CSV_VARIANTS


def build(variant: Variant, samples: Path, out_dir: Path, secret: Path) -> Path:
    """Write ``variant`` into ``out_dir`` from its base sample; the path of the file written."""
    base = csv_base() if variant.base == CSV_BASE else (samples / variant.base).read_bytes()
    suffix = ".csv" if variant.base == CSV_BASE else Path(variant.base).suffix
    out = out_dir / f"{variant.id}{suffix}"
    variant.mutate(base, out, secret)
    return out
