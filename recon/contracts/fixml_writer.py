"""Writes CME FIXML clearing files: TrdCaptRpt and PosRpt messages in a ``<Batch>``, streamed to a text handle.

The shapes follow the CME STP trade capture report (one ``RptSide`` per report, the customer account as
``Pty R="24" Src="C"`` with its origin in ``Sub Typ="26"``) and the FIX position report (``Pty R="38"`` position
account, ``R="4"`` clearing firm, ``R="21"`` DCO, repeating ``Qty`` and ``Amt``). A message is built as one string
from plain values, so a file of millions of messages streams with no per-message objects; string values are escaped
with :func:`xml.sax.saxutils.quoteattr` when they hold a character to escape, numbers and dates are written as given.
:class:`BatchWriter` declares ``TotMsg`` up front and refuses to close on a different count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import NamedTuple, TextIO
from xml.sax.saxutils import quoteattr

from recon.errors import InvariantViolation

FIXML_VERSION = "5.0 SP2"
_NEEDS_ESCAPING = re.compile(r"[&<>\"'\n\r\t]")  # a trade file writes millions of plain ids: check before escaping
_PUT_CALL = {"P": "0", "C": "1"}
_SIDES = {"BUY": "1", "SELL": "2"}


class FixmlInstrument(NamedTuple):
    """An ``Instrmt``: product code (``ID``), symbol, FUT or OPT, contract month (``MMY``), exchange, multiplier,
    and for options put_call (``P``/``C``, written ``PutCall`` 0/1) and strike (``StrkPx``, as text); '' otherwise."""

    product_code: str
    symbol: str
    security_type: str
    contract_month: str
    exchange: str
    multiplier: str
    put_call: str = ""
    strike: str = ""


def _attr(value: str) -> str:
    """An attribute value escaped for a double-quoted attribute (xml.sax.saxutils.quoteattr, without its quotes)."""
    if _NEEDS_ESCAPING.search(value) is None:
        return value
    quoted = quoteattr(value, {'"': "&quot;"})
    return quoted[1:-1]


def instrument_element(instrument: FixmlInstrument) -> str:
    """The ``<Instrmt .../>`` element of an instrument (callers cache it: it repeats in every message)."""
    option = ""
    if instrument.security_type == "OPT":
        option = f' PutCall="{_PUT_CALL[instrument.put_call]}" StrkPx="{_attr(instrument.strike)}"'
    return (f'<Instrmt ID="{_attr(instrument.product_code)}" Sym="{_attr(instrument.symbol)}" '
            f'SecTyp="{_attr(instrument.security_type)}" MMY="{_attr(instrument.contract_month)}" '
            f'Exch="{_attr(instrument.exchange)}" Mult="{_attr(instrument.multiplier)}"{option}/>')


def trade_capture_report(
    rpt_id: str, trd_id: str, exec_id: str, trade_date: date, side: str, quantity: int, price: str,
    instrument_xml: str, clearing_firm: str, position_account: str, origin: str,
) -> str:
    """A new (``TransTyp="0"``) single-sided ``TrdCaptRpt`` line; side is BUY or SELL, instrument_xml an Instrmt."""
    day = trade_date.isoformat()
    return (
        f'<TrdCaptRpt RptID="{_attr(rpt_id)}" TrdID="{_attr(trd_id)}" ExecID="{_attr(exec_id)}" TransTyp="0" '
        f'RptTyp="101" TrdTyp="0" MLegRptTyp="1" TrdDt="{day}" BizDt="{day}" LastQty="{quantity}" '
        f'LastPx="{_attr(price)}">{instrument_xml}<RptSide Side="{_SIDES[side]}">'
        f'<Pty R="4" ID="{_attr(clearing_firm)}"/><Pty R="21" ID="CME"/>'
        f'<Pty R="24" Src="C" ID="{_attr(position_account)}"><Sub Typ="26" ID="{_attr(origin)}"/></Pty>'
        f"</RptSide></TrdCaptRpt>\n"
    )


def position_report(
    rpt_id: str, biz_date: date, session: str, currency: str, settlement_price: str, dco: str, clearing_firm: str,
    position_account: str, origin: str, instrument_xml: str,
    quantities: Sequence[tuple[str, int, int]], amounts: Sequence[tuple[str, Decimal]],
) -> str:
    """A ``PosRpt`` line: session ITD or EOD, quantities (type, long, short), amounts (type, signed amount) in
    ``currency``; ``AcctTyp`` repeats the origin code."""
    quantity_xml = "".join(f'<Qty Typ="{_attr(t)}" Long="{long}" Short="{short}"/>' for t, long, short in quantities)
    amount_xml = "".join(f'<Amt Typ="{_attr(t)}" Amt="{amount}" Ccy="{_attr(currency)}"/>' for t, amount in amounts)
    return (
        f'<PosRpt RptID="{_attr(rpt_id)}" BizDt="{biz_date.isoformat()}" SetSesID="{_attr(session)}" '
        f'Ccy="{_attr(currency)}" SetPx="{_attr(settlement_price)}" AcctTyp="{_attr(origin)}">'
        f'<Pty ID="{_attr(dco)}" R="21"/><Pty ID="{_attr(clearing_firm)}" R="4"/>'
        f'<Pty ID="{_attr(position_account)}" R="38"><Sub ID="{_attr(origin)}" Typ="26"/></Pty>'
        f"{instrument_xml}{quantity_xml}{amount_xml}</PosRpt>\n"
    )


class BatchWriter:
    """Writes ``<FIXML><Batch TotMsg="n">`` ... ``</Batch></FIXML>`` around messages written one by one.

    Use as a context manager; on a clean exit the number of messages written must equal ``total``.
    """

    def __init__(self, handle: TextIO, total: int) -> None:
        self._handle = handle
        self._total = total
        self._written = 0

    def __enter__(self) -> BatchWriter:
        self._handle.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<FIXML v="{FIXML_VERSION}">\n'
                           f'<Batch TotMsg="{self._total}">\n')
        return self

    def write(self, message: str) -> None:
        """Write one message (a string from :func:`trade_capture_report` or :func:`position_report`)."""
        self._handle.write(message)
        self._written += 1

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        if exc_type is not None:
            return
        if self._written != self._total:
            raise InvariantViolation(f"FIXML batch declared {self._total} messages but {self._written} were written")
        self._handle.write("</Batch>\n</FIXML>\n")
