"""ISO 20022 bank statements: camt.053 (statement), camt.052 (intraday report), camt.054 (notification).

Versions .001.02 through .001.13 are read the same way: every element is matched on its local name, never on one
namespace, and the version is taken from the namespace only to be reported. Each ``Stmt``/``Rpt``/``Ntfctn`` becomes
one :class:`recon.domain.BankStatement` with its balances and entries, signed as the bank reports them (``DBIT`` is
negative; a reversal keeps the sign its ``CdtDbtInd`` gives).

camt.053 is a statement of record, so each of its statements must foot: the opening booked balance (``OPBD``, or
``PRCD`` when there is no ``OPBD``) plus the booked entries equals the closing booked balance ``CLBD``, exactly, in
the statement's currency. An entry booked in another currency counts through its equivalent in the statement's
currency from ``AmtDtls`` (the Goldman Sachs sample books an EUR wire on a USD account with the USD instructed
amount beside it); with no such equivalent, or with balances in different currencies, the statement cannot foot.
A statement that does not foot rejects the file in strict mode (the default) and is reported in lenient mode.
camt.052 and camt.054 are intraday views: read and shown, never footed.

The file is streamed with :func:`recon.contracts.xmlsafe.iter_elements` (no DTD, no entities, no network), one
statement element in memory at a time.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from lxml import etree

from recon.contracts.xmlsafe import XmlSource, iter_elements, local_name, namespace_of, root_name
from recon.domain import BankBalance, BankEntry, BankStatement, OccurrenceCounter, Problem
from recon.errors import FileRejected
from recon.money import MoneyError, currency_places, to_decimal


class _Kind(NamedTuple):
    """What a camt message root means: message type, statement element, BankStatement.fmt and report kind."""

    message_type: str
    element: str
    fmt: str
    report_kind: str


_MESSAGE_ROOTS = {
    "BkToCstmrStmt": _Kind("camt.053", "Stmt", "CAMT053", "FINAL"),
    "BkToCstmrAcctRpt": _Kind("camt.052", "Rpt", "CAMT052", "INTERIM"),
    "BkToCstmrDbtCdtNtfctn": _Kind("camt.054", "Ntfctn", "CAMT054", "INTERIM"),
}
_TAGS = ("GrpHdr", "Stmt", "Rpt", "Ntfctn")
_NAMESPACE = re.compile(r"camt\.(05[234])\.(\d{3})\.(\d{2})$")
_VERSIONS = range(2, 14)  # .001.02 through .001.13
_SIGNS = {"CRDT": Decimal(1), "DBIT": Decimal(-1)}
_EQUIVALENT_AMOUNTS = ("InstdAmt", "TxAmt", "CntrValAmt", "AnncdPstngAmt")


class CamtFile(NamedTuple):
    """A camt file read whole.

    source_file: path relative to the landing root.  message_type: ``camt.053``, ``camt.052`` or ``camt.054``.
    version: ``001.02`` .. ``001.13`` from the namespace, '' when the document has none.
    message_id: ``GrpHdr/MsgId``.  statements: one per ``Stmt``/``Rpt``/``Ntfctn``, in document order.
    problems: footing failures found in lenient mode (strict mode raises on the first one instead).
    footing_amounts: per statement, each entry's amount in the statement's currency as the footing counts it (the
    entry's own amount, or its ``AmtDtls`` equivalent when booked in another currency; None when it has none).
    """

    source_file: str
    message_type: str
    version: str
    message_id: str
    statements: tuple[BankStatement, ...]
    problems: tuple[Problem, ...]
    footing_amounts: tuple[tuple[Decimal | None, ...], ...] = ()


class _Header(NamedTuple):
    """What the group header and message root say about every statement in the file."""

    kind: _Kind
    version: str
    message_id: str
    created: date | None


class _Context(NamedTuple):
    """Where a value is being read: the file, the statement's location and the file's id counter."""

    source_file: str
    location: str
    counter: OccurrenceCounter


def read_camt(path: XmlSource, source_file: str, *, strict: bool = True) -> CamtFile:
    """Read a camt.053/052/054 file into statements; in strict mode a camt.053 statement that does not foot rejects."""
    header: _Header | None = None
    counter = OccurrenceCounter(source_file)
    statements: list[BankStatement] = []
    problems: list[Problem] = []
    footings: list[tuple[Decimal | None, ...]] = []
    for element in iter_elements(path, source_file, _TAGS, parents=_MESSAGE_ROOTS):
        name = local_name(element.tag)
        if name == "GrpHdr":
            header = _read_header(element, source_file)
            continue
        if header is None or name != header.kind.element:
            raise FileRejected(_problem(source_file, f"{name}[{len(statements) + 1}]", "GrpHdr", "CAMT_STRUCTURE",
                                        "a GrpHdr, then the message's statements", name,
                                        "a statement element arrived before the group header or under another kind"))
        context = _Context(source_file, f"{name}[{len(statements) + 1}]", counter)
        statement, footing_amounts = _read_statement(element, header, context)
        if any(s.statement_id == statement.statement_id for s in statements):
            raise FileRejected(_problem(source_file, context.location, "Id", "CAMT_DUPLICATE_STATEMENT",
                                        "each statement (Id and ElctrncSeqNb) once per file", statement.statement_id,
                                        "the same statement appears twice in the file"))
        statements.append(statement)
        footings.append(footing_amounts)
        if header.kind.message_type == "camt.053":
            problem = foot_statement(statement, footing_amounts, context.location)
            if problem is not None and strict:
                raise FileRejected(problem)
            problems.extend([problem] if problem is not None else [])
    if header is None:
        raise FileRejected(_problem(source_file, "/", "GrpHdr", "CAMT_NOT_A_STATEMENT",
                                    "BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn with a GrpHdr",
                                    f"root element {root_name(path, source_file)}",
                                    "the file holds no camt.053, camt.052 or camt.054 message"))
    return CamtFile(source_file, header.kind.message_type, header.version, header.message_id,
                    tuple(statements), tuple(problems), tuple(footings))


def _read_header(element: etree._Element, source_file: str) -> _Header:
    """Read the message type and version from the message root and namespace, and GrpHdr's MsgId and CreDtTm."""
    root = element.getparent()
    kind = _MESSAGE_ROOTS[local_name(root.tag)]
    version = ""
    match = _NAMESPACE.search(namespace_of(root.tag))
    if match is not None:
        version = f"{match.group(2)}.{match.group(3)}"
        if f"camt.{match.group(1)}" != kind.message_type or match.group(2) != "001" \
                or int(match.group(3)) not in _VERSIONS:
            raise FileRejected(_problem(source_file, "GrpHdr", "xmlns", "CAMT_VERSION_UNSUPPORTED",
                                        f"{kind.message_type}.001.02 to .001.13", namespace_of(root.tag),
                                        "the namespace names a message or version this reader does not support"))
    context = _Context(source_file, "GrpHdr", OccurrenceCounter(source_file))
    created = _text(element, "CreDtTm")
    return _Header(kind, version, _text(element, "MsgId"),
                   _parse_date(created, context, "CreDtTm") if created else None)


def _read_statement(
    element: etree._Element, header: _Header, context: _Context
) -> tuple[BankStatement, tuple[Decimal | None, ...]]:
    """Read one Stmt/Rpt/Ntfctn; also return each entry's booked amount in the statement's currency (for footing)."""
    account = _text(element, "Acct/Id/IBAN") or _text(element, "Acct/Id/Othr/Id")
    if not account:
        raise FileRejected(_missing(context, "Acct/Id", "an IBAN or Othr/Id account identifier"))
    raw_balances = [_read_balance(bal, context, n) for n, bal in enumerate(_children(element, "Bal"), start=1)]
    closing = next((b for b in raw_balances if b.type_code == "CLBD"), None)
    as_of = closing.as_of_date if closing is not None else _fallback_date(element, header, context)
    entry_elements = _children(element, "Ntry")
    currency = _text(element, "Acct/Ccy") or _first_currency(closing, raw_balances, entry_elements)
    balances = tuple(_finish_balance(b, account, context) for b in raw_balances)
    entries, footing = [], []
    for n, ntry in enumerate(entry_elements, start=1):
        entry = _read_entry(ntry, context._replace(location=f"{context.location}/Ntry[{n}]"), account, as_of)
        entries.append(entry)
        footing.append(entry.amount if entry.currency == currency else _equivalent(ntry, currency))
    statement_id = _text(element, "Id")
    sequence = _text(element, "ElctrncSeqNb")
    statement = BankStatement(
        source_file=context.source_file, fmt=header.kind.fmt,
        statement_id=f"{statement_id}/{sequence}" if sequence else statement_id,
        bank_account_id=account, currency=currency, as_of_date=as_of, report_kind=header.kind.report_kind,
        group_status="", balances=balances, entries=tuple(entries),
    )
    return statement, tuple(footing)


def _first_currency(closing: BankBalance | None, balances: list[BankBalance], entries: list[etree._Element]) -> str:
    """A statement's currency when Acct/Ccy is absent: CLBD's, else the first balance's, else the first entry's."""
    if closing is not None:
        return closing.currency
    if balances:
        return balances[0].currency
    return _attr(entries[0], "Amt", "Ccy") if entries else ""


def _fallback_date(element: etree._Element, header: _Header, context: _Context) -> date:
    """The as-of date when there is no CLBD: FrToDt/ToDtTm, else the statement's CreDtTm, else the header's."""
    for path in ("FrToDt/ToDtTm", "CreDtTm"):
        text = _text(element, path)
        if text:
            return _parse_date(text, context, path)
    if header.created is not None:
        return header.created
    raise FileRejected(_missing(context, "CreDtTm", "a CLBD balance date, FrToDt/ToDtTm or CreDtTm"))


def _read_balance(element: etree._Element, context: _Context, n: int) -> BankBalance:
    """Read one Bal (type code, signed amount, currency, date); account and record id are filled in afterwards."""
    where = context._replace(location=f"{context.location}/Bal[{n}]")
    code = _text(element, "Tp/CdOrPrtry/Cd") or _text(element, "Tp/CdOrPrtry/Prtry")
    if not code:
        raise FileRejected(_missing(where, "Tp/CdOrPrtry", "a balance type code"))
    amount, currency, _indicator = _signed_amount(element, where)
    when = _text(element, "Dt/Dt") or _text(element, "Dt/DtTm")
    if not when:
        raise FileRejected(_missing(where, "Dt", "a balance date (Dt/Dt or Dt/DtTm)"))
    return BankBalance(context.source_file, "", where.location, "", currency, _parse_date(when, where, "Dt"),
                       code, code, amount)


def _finish_balance(balance: BankBalance, account: str, context: _Context) -> BankBalance:
    """Fill in the account and the content id of a balance."""
    record_id = context.counter.record_id("BAL", account, balance.as_of_date, balance.type_code, balance.amount,
                                          balance.currency)
    return balance._replace(bank_account_id=account, record_id=record_id)


def _read_entry(element: etree._Element, context: _Context, account: str, as_of: date) -> BankEntry:
    """Read one Ntry: signed amount, status, dates, bank transaction code, references and narrative."""
    amount, currency, indicator = _signed_amount(element, context)
    status_element = _child(element, "Sts")
    status = "" if status_element is None else (
        _text(status_element, "Cd") or _text(status_element, "Prtry") or (status_element.text or "").strip())
    value_text = _text(element, "ValDt/Dt") or _text(element, "ValDt/DtTm")
    value_date = _parse_date(value_text, context, "ValDt") if value_text else None
    bank_reference = _text(element, "AcctSvcrRef") or _text(element, "NtryDtls/TxDtls/Refs/AcctSvcrRef")
    customer_reference = _customer_reference(element)
    text = _normalise(_text(element, "AddtlNtryInf")) or " ".join(
        _normalise(node.text or "") for node in element.iterfind(_path("NtryDtls/TxDtls/RmtInf/Ustrd")))
    record_id = context.counter.record_id(account, as_of, amount, currency, status, bank_reference,
                                          customer_reference, text, value_date)
    return BankEntry(
        source_file=context.source_file, record_id=record_id, location=context.location, bank_account_id=account,
        currency=currency, as_of_date=as_of, value_date=value_date, type_code=_transaction_code(element),
        direction="CREDIT" if indicator == "CRDT" else "DEBIT",
        amount=amount, funds_type="", bank_reference=bank_reference, customer_reference=customer_reference,
        text=text, status=status, reversal=_text(element, "RvslInd").lower() in ("true", "1"),
    )


def _transaction_code(element: etree._Element) -> str:
    """``Domn/Fmly/SubFmly`` when the ISO code is given, else the proprietary code, else ''."""
    domain = _text(element, "BkTxCd/Domn/Cd")
    if domain:
        family = _text(element, "BkTxCd/Domn/Fmly/Cd")
        sub_family = _text(element, "BkTxCd/Domn/Fmly/SubFmlyCd")
        return "/".join(part for part in (domain, family, sub_family) if part)
    return _text(element, "BkTxCd/Prtry/Cd")


def _customer_reference(element: etree._Element) -> str:
    """The first EndToEndId that is not NOTPROVIDED, else the first UETR, else ''."""
    for node in element.iterfind(_path("NtryDtls/TxDtls/Refs/EndToEndId")):
        value = (node.text or "").strip()
        if value and value.upper() != "NOTPROVIDED":
            return value
    for node in element.iterfind(_path("NtryDtls/TxDtls/Refs/UETR")):
        value = (node.text or "").strip()
        if value:
            return value
    return ""


def _equivalent(element: etree._Element, currency: str) -> Decimal | None:
    """An entry's amount in ``currency`` from its AmtDtls, signed like the entry; None when absent or ambiguous.

    The entry-level ``AmtDtls`` is used when present, else the details of a single ``TxDtls``; the candidates are
    the instructed, transaction, counter-value and announced posting amounts, which must agree.
    """
    details = _child(element, "AmtDtls")
    transactions = list(element.iterfind(_path("NtryDtls/TxDtls")))
    if details is None and len(transactions) == 1:
        details = _child(transactions[0], "AmtDtls")
    if details is None or not currency:
        return None
    found = set()
    for name in _EQUIVALENT_AMOUNTS:
        node = details.find(_path(f"{name}/Amt"))
        if node is not None and node.get("Ccy") == currency:
            try:
                found.add(to_decimal(node.text or ""))
            except MoneyError:
                return None
    if len(found) != 1:
        return None
    return found.pop() * _SIGNS[_text(element, "CdtDbtInd")]


def foot_statement(statement: BankStatement, footing_amounts: tuple[Decimal | None, ...],
                   location: str) -> Problem | None:
    """Check opening (OPBD, else PRCD) + booked entries == CLBD in the statement's currency; the Problem if not."""
    by_code: dict[str, BankBalance] = {}
    for balance in statement.balances:
        by_code.setdefault(balance.type_code, balance)
    opening = by_code.get("OPBD") or by_code.get("PRCD")
    closing = by_code.get("CLBD")
    if opening is None or closing is None:
        found = ", ".join(sorted(by_code)) or "no balances"
        return _footing_problem(statement, location, "CAMT_BALANCE_MISSING", "OPBD or PRCD, and CLBD", found,
                                "the statement lacks the balances it must foot between")
    currencies = {opening.currency, closing.currency, statement.currency}
    if len(currencies) != 1:
        return _footing_problem(statement, location, "CAMT_FOOTING_MISMATCH",
                                f"{opening.type_code} and CLBD in {statement.currency}",
                                f"{opening.type_code} {opening.currency}, CLBD {closing.currency}",
                                "its balances are in different currencies, so it cannot foot")
    booked = [(entry, amount) for entry, amount in zip(statement.entries, footing_amounts) if entry.status == "BOOK"]
    unconvertible = [entry.location for entry, amount in booked if amount is None]
    if unconvertible:
        return _footing_problem(statement, location, "CAMT_FOOTING_MISMATCH",
                                f"booked entries in {statement.currency} or with an equivalent in AmtDtls",
                                ", ".join(unconvertible), "a booked entry has no amount in the statement's currency")
    total = opening.amount + sum((amount for _entry, amount in booked), Decimal(0))
    if total == closing.amount:
        return None
    return _footing_problem(statement, location, "CAMT_FOOTING_MISMATCH", str(total), str(closing.amount),
                            f"{opening.type_code} {opening.amount} + {len(booked)} booked entries "
                            f"({total - opening.amount}) = {total} {statement.currency}, but CLBD is "
                            f"{closing.amount} (difference {closing.amount - total})")


def _footing_problem(statement: BankStatement, location: str, code: str, expected: str, found: str,
                     why: str) -> Problem:
    """A FILE problem for a camt.053 statement that does not foot, naming the statement."""
    return Problem("FILE", statement.source_file, location, "", "CLBD", code, expected, found,
                   f"statement {statement.statement_id} does not foot: {why}")


def _signed_amount(element: etree._Element, context: _Context) -> tuple[Decimal, str, str]:
    """An element's Amt (negative when its CdtDbtInd is DBIT), Amt@Ccy and CdtDbtInd; bad values reject the file."""
    node = _child(element, "Amt")
    if node is None:
        raise FileRejected(_missing(context, "Amt", "an amount"))
    currency = (node.get("Ccy") or "").strip()
    if not currency:
        raise FileRejected(_missing(context, "Amt@Ccy", "a currency code"))
    try:
        amount = to_decimal(node.text or "", f"{context.location}/Amt")
    except MoneyError:
        raise FileRejected(_problem(context.source_file, f"{context.location}/Amt", "Amt", "CAMT_AMOUNT_INVALID",
                                    "a decimal amount", node.text or "", "the amount is not a number")) from None
    try:
        places = currency_places(currency)
    except MoneyError:
        raise FileRejected(_problem(context.source_file, f"{context.location}/Amt@Ccy", "Amt@Ccy", "CAMT_FIELD_INVALID",
                                    "an ISO 4217 currency code", currency, "unknown currency")) from None
    if -amount.as_tuple().exponent > places:
        raise FileRejected(_problem(context.source_file, f"{context.location}/Amt", "Amt", "CAMT_AMOUNT_INVALID",
                                    f"at most {places} decimal places for {currency}", node.text or "",
                                    "the amount has more places than its currency allows"))
    indicator = _text(element, "CdtDbtInd")
    if indicator not in _SIGNS:
        raise FileRejected(_problem(context.source_file, f"{context.location}/CdtDbtInd", "CdtDbtInd",
                                    "CAMT_FIELD_INVALID", "CRDT or DBIT", indicator, "unknown credit/debit indicator"))
    return amount * _SIGNS[indicator], currency, indicator


def _parse_date(text: str, context: _Context, field: str) -> date:
    """The date part of an ISO date or date-time as written (no time-zone shift); a bad one rejects the file."""
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise FileRejected(_problem(context.source_file, f"{context.location}/{field}", field, "CAMT_DATE_INVALID",
                                    "an ISO date YYYY-MM-DD", text, "the date cannot be read")) from None


def _missing(context: _Context, field: str, expected: str) -> Problem:
    """A FILE problem for a required element that is absent or empty."""
    return _problem(context.source_file, context.location, field, "CAMT_FIELD_MISSING", expected, "",
                    f"{field} is missing")


def _problem(source_file: str, location: str, field: str, code: str, expected: str, found: str,
             message: str) -> Problem:
    """A FILE-scope problem (the whole camt file is rejected)."""
    return Problem("FILE", source_file, location, "", field, code, expected, found, message)


_PATHS: dict[str, str] = {}


def _path(path: str) -> str:
    """An ElementPath matching ``A/B/C`` on local names in any namespace: ``{*}A/{*}B/{*}C``."""
    compiled = _PATHS.get(path)
    if compiled is None:
        compiled = _PATHS[path] = "/".join(f"{{*}}{step}" for step in path.split("/"))
    return compiled


def _child(element: etree._Element, path: str) -> etree._Element | None:
    """The first descendant at ``path`` (local names), or None."""
    return element.find(_path(path))


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    """The direct children named ``name`` (local name), in document order."""
    return element.findall(_path(name))


def _text(element: etree._Element, path: str) -> str:
    """The stripped text at ``path`` (local names), '' when absent."""
    return (element.findtext(_path(path)) or "").strip()


def _attr(element: etree._Element, path: str, attribute: str) -> str:
    """An attribute of the element at ``path``, '' when absent."""
    node = element.find(_path(path))
    return "" if node is None else (node.get(attribute) or "").strip()


def _normalise(text: str) -> str:
    """Collapse the line breaks and indentation of a pretty-printed narrative into single spaces."""
    return " ".join(text.split())
