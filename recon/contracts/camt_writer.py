"""Writes ISO 20022 camt.053.001.08 bank statements that foot: the generator's EUR bank files and tests' inputs.

Each statement carries its opening (``OPBD``) and closing (``CLBD``) booked balances and booked entries; the writer
refuses a statement whose opening balance plus its entries is not its closing balance, and an amount with more places
than its currency allows (:class:`recon.errors.InvariantViolation`). Text is escaped with :mod:`xml.sax.saxutils`.
Elements follow the order of the camt.053.001.08 schema (``BkTxCd`` is mandatory there, so every entry has one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from recon.errors import InvariantViolation
from recon.money import currency_places

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
CREDIT_CODE = ("PMNT", "RCDT", "ESCT")  # ISO bank transaction code (domain, family, sub-family) of a received transfer
DEBIT_CODE = ("PMNT", "ICDT", "ESCT")  # ... of an issued transfer


@dataclass(frozen=True)
class CamtEntry:
    """A booked entry (``Ntry``).

    amount: signed (credit positive, debit negative), at most the currency's places.
    booking_date / value_date: ``BookgDt/Dt`` and ``ValDt/Dt``.  account_servicer_reference: the bank's own id
    (``AcctSvcrRef``).  end_to_end_id: the customer's reference (``NtryDtls/TxDtls/Refs/EndToEndId``).
    text: the narrative (``AddtlNtryInf``), '' for none.
    bank_transaction_code: (domain, family, sub-family); None picks a transfer received or issued by the sign.
    """

    amount: Decimal
    booking_date: date
    value_date: date
    account_servicer_reference: str
    end_to_end_id: str
    text: str = ""
    bank_transaction_code: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class CamtStatement:
    """One account's statement (``Stmt``) for one date.

    statement_id: ``Stmt/Id``.  sequence_number: ``ElctrncSeqNb``.  account_id: ``Acct/Id/Othr/Id``.
    currency: ``Acct/Ccy`` and every amount's ``Ccy``.  statement_date: the date of both balances.
    opening_balance / closing_balance: signed ``OPBD`` and ``CLBD``.  entries: booked entries in file order.
    """

    statement_id: str
    sequence_number: int
    account_id: str
    currency: str
    statement_date: date
    opening_balance: Decimal
    closing_balance: Decimal
    entries: Sequence[CamtEntry] = ()


def _text(value: str) -> str:
    """Element text escaped for XML."""
    return escape(value)


def _amount(amount: Decimal, currency: str) -> tuple[str, str]:
    """(the unsigned amount at the currency's places, CRDT or DBIT); a zero amount is a credit."""
    places = currency_places(currency)
    quantum = Decimal(1).scaleb(-places)
    if amount.quantize(quantum) != amount:
        raise InvariantViolation(f"{amount} {currency} has more places than the currency allows")
    return f"{abs(amount):.{places}f}", "DBIT" if amount < 0 else "CRDT"


def _balance(code: str, amount: Decimal, currency: str, when: date) -> str:
    """A ``Bal`` element."""
    text, indicator = _amount(amount, currency)
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{_text(currency)}\">{text}</Amt>"
            f"<CdtDbtInd>{indicator}</CdtDbtInd><Dt><Dt>{when.isoformat()}</Dt></Dt></Bal>")


def _entry(entry: CamtEntry, currency: str) -> str:
    """An ``Ntry`` element, booked."""
    text, indicator = _amount(entry.amount, currency)
    domain, family, sub_family = entry.bank_transaction_code or (CREDIT_CODE if entry.amount >= 0 else DEBIT_CODE)
    narrative = f"<AddtlNtryInf>{_text(entry.text)}</AddtlNtryInf>" if entry.text else ""
    return (
        f"<Ntry><Amt Ccy=\"{_text(currency)}\">{text}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>"
        f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{entry.booking_date.isoformat()}</Dt></BookgDt>"
        f"<ValDt><Dt>{entry.value_date.isoformat()}</Dt></ValDt>"
        f"<AcctSvcrRef>{_text(entry.account_servicer_reference)}</AcctSvcrRef>"
        f"<BkTxCd><Domn><Cd>{_text(domain)}</Cd><Fmly><Cd>{_text(family)}</Cd>"
        f"<SubFmlyCd>{_text(sub_family)}</SubFmlyCd></Fmly></Domn></BkTxCd>"
        f"<NtryDtls><TxDtls><Refs><AcctSvcrRef>{_text(entry.account_servicer_reference)}</AcctSvcrRef>"
        f"<EndToEndId>{_text(entry.end_to_end_id)}</EndToEndId></Refs></TxDtls></NtryDtls>{narrative}</Ntry>"
    )


def _statement(statement: CamtStatement, created: str) -> list[str]:
    """The lines of one ``Stmt``; raises InvariantViolation when it does not foot."""
    total = statement.opening_balance + sum((e.amount for e in statement.entries), Decimal(0))
    if total != statement.closing_balance:
        raise InvariantViolation(
            f"statement {statement.statement_id} does not foot: OPBD {statement.opening_balance} + entries "
            f"= {total}, CLBD {statement.closing_balance} (difference {statement.closing_balance - total})")
    currency, when = statement.currency, statement.statement_date
    lines = [
        f"<Stmt><Id>{_text(statement.statement_id)}</Id><ElctrncSeqNb>{statement.sequence_number}</ElctrncSeqNb>"
        f"<CreDtTm>{created}</CreDtTm><Acct><Id><Othr><Id>{_text(statement.account_id)}</Id></Othr></Id>"
        f"<Ccy>{_text(currency)}</Ccy></Acct>",
        _balance("OPBD", statement.opening_balance, currency, when),
        _balance("CLBD", statement.closing_balance, currency, when),
    ]
    lines.extend(_entry(entry, currency) for entry in statement.entries)
    lines.append("</Stmt>")
    return lines


def write_camt053(message_id: str, created: datetime, statements: Sequence[CamtStatement]) -> str:
    """The text of a camt.053.001.08 document (UTF-8 declaration, LF line ends) holding ``statements`` in order."""
    stamp = created.isoformat()
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<Document xmlns="{NAMESPACE}"><BkToCstmrStmt>',
        f"<GrpHdr><MsgId>{_text(message_id)}</MsgId><CreDtTm>{stamp}</CreDtTm></GrpHdr>",
    ]
    for statement in statements:
        lines.extend(_statement(statement, stamp))
    lines.append("</BkToCstmrStmt></Document>")
    return "\n".join(lines) + "\n"
