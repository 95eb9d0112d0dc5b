"""CME FIXML clearing files: trade capture, position, allocation and settlement-price reports, streamed.

A file is a ``<FIXML>`` root holding one message or a ``<Batch>`` of them (FIX 5.0 SP2 abbreviations; CME files have
no namespace, and names are matched on their local part anyway).

* ``TrdCaptRpt`` -> :class:`recon.domain.TradeReport`, one per report side; a multi-leg report (``MLegRptTyp`` 3
  with ``TrdLeg`` children) gives one per leg, with the leg's quantity, price, side and instrument.
* ``PosRpt`` -> :class:`recon.domain.PositionReport` with its repeating ``Qty`` and ``Amt``.
* ``AllocRpt`` -> :class:`recon.domain.AllocationReport` (one per ``Alloc``); ``MktDataFull`` ->
  :class:`recon.domain.SettlementPrice` (one per ``Full``): parsed and shown, not reconciled.
* Any other message is counted in :attr:`FixmlSummary.message_counts` and skipped.

The account a message names is its position account: ``Pty R="38"``, else ``Pty R="24" Src="C"`` (``Src="H"`` is
CME's alias, never the account), else an ``R="24"`` with no ``Src``, else ``Acct``; its origin is that party's
``Sub Typ="26"``, else ``AcctTyp``.

Streaming: the file goes through :func:`recon.contracts.xmlsafe.iter_target`, an lxml parser target that builds no
tree. Each message's elements are kept as plain ``(parent, tag, attributes)`` tuples until the message ends, then
turned into records, so memory holds one chunk of input and one message, plus the record-id index, whose size is
fixed (see :class:`_SeenIds`: the ids themselves go to a temporary file). A parser target hands over every
element's attributes as a dict built in C; ``iterparse`` plus element access (``element.get``, one proxy object per
child) measured about 1.6x the cost of the bare parse before any record was built, which is why FIXML does not use
:func:`recon.contracts.xmlsafe.iter_elements`.

Bad input: a message with a bad or missing value (``LastQty="4x"``) is quarantined as a ``ROW`` problem naming the
element, attribute, expected and found, and the rest of the file is read. A ``Batch@TotMsg`` that disagrees with the
messages in the batch rejects the file (``FIXML_BATCH_COUNT_MISMATCH``), as do more than :data:`PROBLEMS_MAX`
quarantined messages. Those checks can end the stream late, so a consumer of :func:`iter_fixml` must not publish
anything before the iterator is exhausted.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import BinaryIO, NamedTuple

from recon.contracts.xmlsafe import SafeTarget, XmlSource, iter_target
from recon.domain import (
    ROW_ID_HASH, AllocationReport, PositionReport, Problem, SettlementPrice, TradeReport, row_id_of,
)
from recon.errors import FileRejected
from recon.money import MoneyError, to_decimal

FixmlRecord = TradeReport | PositionReport | AllocationReport | SettlementPrice
Attributes = Mapping[str, str]
Node = tuple[str, str, Attributes]  # (parent's local name, local name, attributes) of an element inside a message
Parsed = list[tuple[type, str, tuple[object, ...], list[str]]]  # (record class, location, fields, id key texts)

PROBLEMS_MAX = 10_000  # quarantined messages in one file beyond which the file is rejected whole
_NOT_MESSAGES = frozenset(("Hdr", "Batch"))
_DEPTH_MAX = 4096  # deeper than libxml2 ever nests without huge_tree (256)
_TRANS_TYPES = {"0": "NEW", "1": "CANCEL", "2": "REPLACE"}
_SIDES = {"1": "BUY", "2": "SELL"}
_PUT_CALL = {"0": "P", "1": "C"}
_CFI_TYPES = {"F": "FUT", "O": "OPT"}
_FILTER_BITS = 1 << 26  # the record-id filter: 8 MiB, two bits per id (a false hit at 1M records: about 1 in 1000)
_FILTER_MASK = _FILTER_BITS - 1
_PENDING_MAX = 1 << 15  # record ids held in memory before they go to disk as one sorted run
_BLOCK_IDS = 512  # ids per block of a run on disk (4 KiB): one fence value each
_SEPARATOR = "\x1f"
_new_tuple = tuple.__new__


class FixmlSummary(NamedTuple):
    """What a FIXML file held besides its records.

    source_file: path relative to the landing root.  message_counts: messages per type (local name), whether parsed,
    quarantined or skipped.  batch_total_declared: the sum of ``Batch@TotMsg`` (None when no batch declares one).
    problems: the quarantined messages (``ROW`` problems), in file order.
    """

    source_file: str
    message_counts: dict[str, int]
    batch_total_declared: int | None
    problems: tuple[Problem, ...]


class _BadValue(Exception):
    """A value breaks the contract: in which element (``Qty``, index 2; '' for the message itself), which attribute."""

    def __init__(self, element: str, index: int, attribute: str, code: str, expected: str, found: str) -> None:
        super().__init__(f"{element}@{attribute}: expected {expected}, found {found!r}")
        self.where = f"{element}[{index}]" if index else element
        self.element, self.attribute, self.code, self.expected, self.found = element, attribute, code, expected, found


def iter_fixml(path: XmlSource, source_file: str) -> Iterator[FixmlRecord]:
    """Stream the records of a FIXML file in file order; quarantined messages are skipped (see FixmlReader)."""
    return iter(FixmlReader(path, source_file))


def read_fixml(path: XmlSource, source_file: str) -> tuple[list[TradeReport], list[PositionReport], FixmlSummary]:
    """Read a FIXML file whole: its trade reports, its position reports, and the summary with its problems.

    Allocation reports and settlement prices are counted in the summary; :func:`iter_fixml` yields them.
    """
    reader = FixmlReader(path, source_file)
    trades: list[TradeReport] = []
    positions: list[PositionReport] = []
    for record in reader:
        if isinstance(record, TradeReport):
            trades.append(record)
        elif isinstance(record, PositionReport):
            positions.append(record)
    return trades, positions, reader.summary


class FixmlReader:
    """One pass over a FIXML file: iterate it for records, then read :attr:`summary`."""

    def __init__(self, source: XmlSource, source_file: str) -> None:
        self._source = source
        self._target = _FixmlTarget(source_file)
        self._started = False
        self._finished = False

    def __iter__(self) -> Iterator[FixmlRecord]:
        """Yield each record; raise FileRejected for a bad root, a batch count mismatch or too many problems."""
        if self._started:
            raise RuntimeError("a FixmlReader reads its file once; make a new one to read it again")
        self._started = True
        try:
            yield from iter_target(self._source, self._target.source_file, self._target)  # type: ignore[misc]
        finally:
            self._target.ids.close()
        self._finished = True

    @property
    def summary(self) -> FixmlSummary:
        """The message counts, declared batch total and quarantined messages (after a complete iteration)."""
        if not self._finished:
            raise RuntimeError("FixmlReader.summary is known only after the file has been read to its end")
        target = self._target
        return FixmlSummary(target.source_file, dict(target.counts), target.declared, tuple(target.problems))


class _FixmlTarget(SafeTarget):
    """The lxml parser target: follows FIXML's structure and turns each complete message into records.

    Only ``start`` is a Python callback. ``end`` is the C-level ``append`` of a list, so an element's depth is the
    number of starts minus the number of ends, and a message is complete when the next element opens at its depth
    or above (or the document ends). This halves the Python calls per element, the main cost of streaming.
    """

    def __init__(self, source_file: str) -> None:
        super().__init__(source_file)
        self.ends: list[str] = []
        self.end = self.ends.append  # lxml calls target.end(tag); counting is all we need from it
        self.opened = 0
        self.path = [""] * _DEPTH_MAX  # local names of the open elements, by depth
        self.message = ""  # the open message's local name ('' when none)
        self.message_attributes: Attributes = {}
        self.message_depth = _DEPTH_MAX  # depth of the open message; _DEPTH_MAX when none
        self.nodes: list[Node] | None = None
        self.counts: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.declared: int | None = None
        self.batches = 0
        self.batch_open = False
        self.batch_declared: str | None = None
        self.in_batch = 0
        self.per_tag: dict[str, int] = {}
        self.ids = _SeenIds(source_file)

    def start(self, tag: str, attributes: Attributes) -> None:
        """An element opens: keep it when inside the open message, else see what it begins."""
        depth = self.opened - len(self.ends)
        self.opened += 1
        if tag[0] == "{":
            tag = tag.rpartition("}")[2]
        path = self.path
        path[depth] = tag
        if depth > self.message_depth:
            if self.nodes is not None:
                self.nodes.append((path[depth - 1], tag, attributes))
            return
        self._outside_message(depth, tag, attributes)

    def _outside_message(self, depth: int, tag: str, attributes: Attributes) -> None:
        """An element at message level or above: close what it ends, then open the root, a batch or a message."""
        if self.message:
            self._close_message()
        self.opened -= len(self.ends)
        self.ends.clear()
        if depth == 0:
            if tag != "FIXML":
                raise FileRejected(Problem("FILE", self.source_file, "/", "", "", "FIXML_NOT_FIXML",
                                           "a FIXML root element", tag, "the file is not FIXML"))
            return
        if depth == 1 and self.batch_open:
            self._close_batch()
        if depth == 1 and tag == "Batch":
            self.batch_open, self.batch_declared = True, attributes.get("TotMsg")
            return
        in_batch = depth == 2 and self.batch_open and self.path[1] == "Batch"
        if tag in _NOT_MESSAGES or not (depth == 1 or in_batch):
            return
        self.in_batch += in_batch
        self.message, self.message_attributes, self.message_depth = tag, attributes, depth
        self.nodes = [] if tag in _PARSERS else None

    def finish(self) -> None:
        """The document ended well-formed: close the last message and batch."""
        if self.message:
            self._close_message()
        if self.batch_open:
            self._close_batch()

    def _close_message(self) -> None:
        """Count the message just ended and produce its records, or quarantine it."""
        name, attributes, nodes = self.message, self.message_attributes, self.nodes
        in_batch = self.message_depth == 2
        self.message, self.nodes, self.message_depth = "", None, _DEPTH_MAX
        self.counts[name] = self.counts.get(name, 0) + 1
        count = self.per_tag[name] = self.per_tag.get(name, 0) + 1
        location = f"Batch[{self.batches + 1}]/{name}[{count}]" if in_batch else f"FIXML/{name}[{count}]"
        if nodes is None:
            return
        try:
            parsed = _PARSERS[name](attributes, nodes, location)
        except _BadValue as bad:
            self._quarantine(name, attributes, nodes, location, bad)
            return
        record_id, source_file, produced = self.ids.record_id, self.source_file, self.produced
        for record_type, record_location, fields, key in parsed:
            # tuple.__new__ on the record's exact fields: the NamedTuple without its keyword machinery
            produced.append(_new_tuple(record_type, (source_file, record_id(record_type.__name__, key), record_location,
                                                     *fields)))

    def _close_batch(self) -> None:
        """Check the batch's ``TotMsg`` against the messages it held."""
        self.batches += 1
        declared_text, found = self.batch_declared, self.in_batch
        self.batch_open, self.batch_declared, self.in_batch, self.per_tag = False, None, 0, {}
        if declared_text is None:
            return
        declared = int(declared_text) if declared_text.strip().isdigit() else None
        if declared != found:
            raise FileRejected(Problem(
                "FILE", self.source_file, f"Batch[{self.batches}]", "", "TotMsg", "FIXML_BATCH_COUNT_MISMATCH",
                declared_text, str(found), f"the batch declares {declared_text} messages but holds {found}"))
        self.declared = (self.declared or 0) + declared

    def _quarantine(self, name: str, attributes: Attributes, nodes: list[Node], location: str,
                    bad: _BadValue) -> None:
        """Record a message that breaks the contract as a ROW problem; too many of them reject the file."""
        raw = [name, repr(sorted(attributes.items()))]
        raw += [f"{parent}/{tag}{sorted(node.items())!r}" for parent, tag, node in nodes]
        record_id = self.ids.record_id("quarantined", raw)
        self.problems.append(Problem(
            "ROW", self.source_file, f"{location}/{bad.where}" if bad.where else location, record_id,
            f"{bad.element or name}@{bad.attribute}", bad.code, bad.expected, bad.found,
            f"{name} RptID={attributes.get('RptID', '')!r}: {bad.element or name}@{bad.attribute} is {bad.found!r}, "
            f"expected {bad.expected}; the message is quarantined"))
        if len(self.problems) > PROBLEMS_MAX:
            raise FileRejected(Problem("FILE", self.source_file, location, "", "", "FIXML_TOO_MANY_PROBLEMS",
                                       f"at most {PROBLEMS_MAX} quarantined messages", str(len(self.problems)),
                                       "too many messages break the contract; the file is rejected whole"))


class _SeenIds:
    """Content ids with occurrence numbers, like :class:`recon.domain.OccurrenceCounter`, in memory that does not
    grow with the file.

    The ids are the ones OccurrenceCounter.key_id would give for the key text ``source_file, kind, *key`` joined by
    \\x1f: a first occurrence's id is the 64-bit BLAKE2b value of its key, a repeat's the value of the key and its
    occurrence number. Numbering a repeat needs every id seen before; they are kept outside Python's memory:

    * a filter of :data:`_FILTER_BITS` bits (fixed size) marks two bits per id; an id with a bit unmarked was never
      seen, which is the answer for nearly every record, without looking further;
    * the ids of the last :data:`_PENDING_MAX` records are a set; older ones are on disk in sorted runs of that size
      (an unnamed temporary file), found through one fence value per :data:`_BLOCK_IDS` ids (1/512 of the ids);
    * only a filter hit (a repeat, or about one record in a thousand at a million records) reads one block per run.

    The answer is always exact. What grows is the file on disk (8 bytes per record), the fences (16 bytes per
    thousand records) and the count of each genuine repeat.
    """

    def __init__(self, source_file: str) -> None:
        self._source = source_file
        self._filter = bytearray(_FILTER_BITS // 8)
        self._pending: set[int] = set()
        self._runs: list[tuple[int, int, int]] = []  # (file offset, ids, first fence) per run
        self._fences = array("q")  # every _BLOCK_IDS-th id of each run, runs one after another
        self._file: BinaryIO | None = None
        self._repeats: dict[int, int] = {}

    def record_id(self, kind: str, key: list[str]) -> str:
        """The content id of a record of ``kind`` with these key texts, numbered by identical ones before it."""
        text = f"{self._source}\x1f{kind}\x1f{_SEPARATOR.join(key)}"
        hashed = ROW_ID_HASH.copy()  # recon.domain.row_id_of, inline
        hashed.update(text.encode())
        digest = hashed.digest()
        value = int.from_bytes(digest, "big", signed=True)
        low, high = value & _FILTER_MASK, (value >> 32) & _FILTER_MASK
        bits = self._filter
        if bits[low >> 3] >> (low & 7) & bits[high >> 3] >> (high & 7) & 1 and self._seen(value):
            occurrence = self._repeats.get(value, 1)
            self._repeats[value] = occurrence + 1
            return row_id_of(f"{text}\x1f#{occurrence}")
        bits[low >> 3] |= 1 << (low & 7)
        bits[high >> 3] |= 1 << (high & 7)
        pending = self._pending
        pending.add(value)
        if len(pending) >= _PENDING_MAX:
            self._flush()
        return digest.hex()

    def close(self) -> None:
        """Delete the ids on disk."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def _seen(self, value: int) -> bool:
        """Whether ``value`` was seen before: in the pending set, else in a run on disk (one block read per run)."""
        if value in self._pending:
            return True
        fences = self._fences
        for offset, count, first_fence in self._runs:  # bound: one run per _PENDING_MAX records
            last_fence = first_fence + (count + _BLOCK_IDS - 1) // _BLOCK_IDS
            block = bisect_right(fences, value, first_fence, last_fence) - 1 - first_fence
            if block < 0:
                continue
            ids = min(_BLOCK_IDS, count - block * _BLOCK_IDS)
            stored = array("q", os.pread(self._file.fileno(), 8 * ids, offset + 8 * _BLOCK_IDS * block))
            index = bisect_left(stored, value)
            if index < ids and stored[index] == value:
                return True
        return False

    def _flush(self) -> None:
        """Write the pending ids to disk as one sorted run, with its fences."""
        if self._file is None:
            self._file = tempfile.TemporaryFile(buffering=0)
        run = array("q", sorted(self._pending))
        offset = self._file.seek(0, os.SEEK_END)
        self._file.write(run.tobytes())
        self._runs.append((offset, len(run), len(self._fences)))
        self._fences.extend(run[::_BLOCK_IDS])
        self._pending.clear()


# ---- message parsers: (message attributes, nodes, location) -> Parsed, or raise _BadValue ----


def _trade_reports(attributes: Attributes, nodes: list[Node], location: str) -> Parsed:
    """A TrdCaptRpt: one TradeReport per side, or per side and leg for a multi-leg report (MLegRptTyp 3)."""
    get = attributes.get
    instrument: Attributes | None = None
    sides: list[tuple[Attributes, list[list]]] = []
    legs: list[tuple[Attributes, Attributes | None]] = []
    parties: list[list] = []  # message-level parties: [attributes, origin]
    last_parties = parties  # where the last Pty went: a Sub belongs to it
    for parent, tag, node in nodes:
        if tag == "Pty":
            last_parties = sides[-1][1] if parent == "RptSide" and sides else parties
            last_parties.append([node, None])
        elif tag == "Sub" and parent == "Pty":
            _note_origin(last_parties, node)
        elif tag == "Instrmt" and parent == "TrdCaptRpt":
            instrument = node
        elif tag == "RptSide":
            sides.append((node, []))
        elif tag == "TrdLeg":
            legs.append((node, None))
        elif tag == "Leg" and parent == "TrdLeg" and legs:
            legs[-1] = (legs[-1][0], node)
    if instrument is None or not sides:
        raise _BadValue("Instrmt" if instrument is None else "RptSide", 0, "", "FIXML_FIELD_MISSING",
                        "an Instrmt and a RptSide", "none")
    head_key = [_required(get, "", "RptID"), _required(get, "", "TrdID"), get("ExecID") or "",
                _trans_type(get("TransTyp")), _required(get, "", "TrdDt"), _required(get, "", "BizDt")]
    head = (*head_key[:4], _date(head_key[4], "", "TrdDt"), _date(head_key[5], "", "BizDt"))
    mleg = get("MLegRptTyp") or ""
    parsed: Parsed = []
    for number, (side_attributes, side_parties) in enumerate(sides, start=1):
        index = number if len(sides) > 1 else 0
        side = _side(side_attributes.get("Side"), "RptSide", index)
        account = _parties(side_parties + parties, get("Acct"), get("AcctTyp"))[:3]
        side_location = f"{location}/RptSide[{number}]" if index else location
        if mleg == "3" and legs:
            parsed.extend(_leg_trades(legs, head, head_key + [side, *account], side, account, side_location))
            continue
        quantity_text, price_text = _required(get, "", "LastQty"), _required(get, "", "LastPx")
        fields, key = _instrument(instrument, "Instrmt", 0)
        parsed.append((TradeReport, side_location,
                       (*head, side, _quantity(quantity_text, "", 0, "LastQty"), _number(price_text, "", 0, "LastPx"),
                        *fields, *account, "", mleg, ""),
                       head_key + [side, quantity_text, price_text, *key, *account, "", mleg]))
    return parsed


def _leg_trades(legs: list[tuple[Attributes, Attributes | None]], head: tuple[object, ...], head_key: list[str],
                side: str, account: tuple[str, ...], location: str) -> Parsed:
    """One TradeReport per TrdLeg: the leg's Qty, LastPx, Leg instrument and Leg@Side (else the report's side)."""
    parsed: Parsed = []
    for number, (leg_attributes, leg) in enumerate(legs, start=1):
        get = leg_attributes.get
        if leg is None:
            raise _BadValue("TrdLeg", number, "", "FIXML_FIELD_MISSING", "a Leg element", "none")
        quantity_text, price_text = _required(get, "TrdLeg", "Qty", number), _required(get, "TrdLeg", "LastPx", number)
        leg_side = _side(leg["Side"], "Leg", number) if leg.get("Side") else side
        fields, key = _instrument(leg, "Leg", number)
        leg_number, ref_id = get("LegNo") or str(number), get("RefID") or ""
        parsed.append((TradeReport, f"{location}/TrdLeg[{number}]",
                       (*head, leg_side, _quantity(quantity_text, "TrdLeg", number, "Qty"),
                        _number(price_text, "TrdLeg", number, "LastPx"), *fields, *account, leg_number, "3", ref_id),
                       head_key + [leg_side, quantity_text, price_text, *key, leg_number, ref_id]))
    return parsed


def _position_report(attributes: Attributes, nodes: list[Node], location: str) -> Parsed:
    """A PosRpt: one PositionReport with its quantities and amounts (the hot path of a clearing file)."""
    get = attributes.get
    currency = get("Ccy") or ""
    instrument: Attributes | None = None
    parties: list[list] = []
    quantities: list[tuple[str, Decimal, Decimal]] = []
    amounts: list[tuple[str, Decimal, str]] = []
    key: list[str] = []
    for parent, tag, node in nodes:
        if tag == "Qty":
            quantities.append(_position_quantity(node, len(quantities) + 1, key))
        elif tag == "Amt":
            amounts.append(_position_amount(node, len(amounts) + 1, currency, key))
        elif tag == "Pty":
            parties.append([node, None])
        elif tag == "Sub" and parent == "Pty":
            _note_origin(parties, node)
        elif tag == "Instrmt" and parent == "PosRpt":
            instrument = node
    if instrument is None:
        raise _BadValue("Instrmt", 0, "", "FIXML_FIELD_MISSING", "an Instrmt element", "none")
    account, origin, firm, dco = _parties(parties, get("Acct"), get("AcctTyp"))
    rpt_id = get("RptID") or _missing("", 0, "RptID")
    biz_date = get("BizDt") or _missing("", 0, "BizDt")
    session, price = get("SetSesID") or "", get("SetPx")
    fields, instrument_key = _instrument(instrument, "Instrmt", 0)
    record = (rpt_id, _DATES.get(biz_date) or _date(biz_date, "", "BizDt"), session, account, origin, firm, dco,
              currency, None if price is None else _NUMBERS.get(price) or _number(price, "", 0, "SetPx"),
              *fields, tuple(quantities), tuple(amounts))
    key[:0] = (rpt_id, biz_date, session, account, origin, firm, dco, currency, price or "", *instrument_key)
    return [(PositionReport, location, record, key)]


def _position_quantity(node: Attributes, index: int, key: list[str]) -> tuple[str, Decimal, Decimal]:
    """One Qty: (Typ, Long, Short), a missing Long or Short being 0."""
    get = node.get
    quantity_type = get("Typ") or _missing("Qty", index, "Typ")
    long_text, short_text = get("Long") or "0", get("Short") or "0"
    key += (quantity_type, long_text, short_text)
    long_quantity = _QUANTITIES.get(long_text)
    if long_quantity is None:
        long_quantity = _quantity(long_text, "Qty", index, "Long")
    short_quantity = _QUANTITIES.get(short_text)
    if short_quantity is None:
        short_quantity = _quantity(short_text, "Qty", index, "Short")
    return quantity_type, long_quantity, short_quantity


def _position_amount(node: Attributes, index: int, currency: str, key: list[str]) -> tuple[str, Decimal, str]:
    """One Amt: (Typ, Amt, Ccy), a missing Ccy being the report's."""
    get = node.get
    amount_type = get("Typ") or _missing("Amt", index, "Typ")
    amount_text = get("Amt") or _missing("Amt", index, "Amt")
    amount_currency = get("Ccy") or currency
    key += (amount_type, amount_text, amount_currency)
    return amount_type, _NUMBERS.get(amount_text) or _number(amount_text, "Amt", index, "Amt"), amount_currency


def _allocation_reports(attributes: Attributes, nodes: list[Node], location: str) -> Parsed:
    """An AllocRpt: one AllocationReport per Alloc (one for the report when it has none)."""
    get = attributes.get
    instrument: Attributes | None = None
    execution: Attributes = {}
    parties: list[list] = []
    allocs: list[tuple[Attributes, list[list]]] = []
    last_parties = parties  # where the last Pty went: a Sub belongs to it
    for parent, tag, node in nodes:
        if tag == "Pty":
            last_parties = allocs[-1][1] if parent == "Alloc" and allocs else parties
            last_parties.append([node, None])
        elif tag == "Sub" and parent == "Pty":
            _note_origin(last_parties, node)
        elif tag == "Instrmt" and parent == "AllocRpt":
            instrument = node
        elif tag == "Alloc":
            allocs.append((node, []))
        elif tag == "AllExc" and not execution:
            execution = node
    if instrument is None:
        raise _BadValue("Instrmt", 0, "", "FIXML_FIELD_MISSING", "an Instrmt element", "none")
    price_text = get("AvgPx") or execution.get("LastPx")
    trade_date, biz_date = get("TrdDt"), get("BizDt") or get("ClrDt")
    head_key = [_required(get, "", "RptID"), get("RptTyp") or "", _trans_type(get("TransTyp")),
                execution.get("TrdID") or get("TrdID") or ""]
    dates = (None if trade_date is None else _date(trade_date, "", "TrdDt"),
             None if biz_date is None else _date(biz_date, "", "BizDt"))
    side = _side(get("Side"), "", 0)
    price = None if price_text is None else _number(price_text, "", 0, "AvgPx")
    fields, instrument_key = _instrument(instrument, "Instrmt", 0)
    account = _parties(parties, get("Acct"), get("AcctTyp"))[:3]
    parsed: Parsed = []
    for number, (alloc, alloc_parties) in enumerate(allocs or [({}, [])], start=1):
        alloc_get, index = alloc.get, number if allocs else 0
        quantity_text = alloc_get("Qty") or _required(get, "", "Qty")
        alloc_id = alloc_get("IndAllocID2") or alloc_get("IndAllocID") or ""
        roles = {party.get("R"): party.get("ID") or "" for party, _origin in reversed(alloc_parties)}
        tail = (*account, roles.get("4", ""), roles.get("24", ""))
        parsed.append((AllocationReport, f"{location}/Alloc[{number}]" if allocs else location,
                       (*head_key, alloc_id, *dates, side, _quantity(quantity_text, "Alloc", index, "Qty"), price,
                        *fields, *tail),
                       head_key + [alloc_id, trade_date or "", biz_date or "", side, quantity_text, price_text or "",
                                   *instrument_key, *tail]))
    return parsed


def _settlement_prices(attributes: Attributes, nodes: list[Node], location: str) -> Parsed:
    """A MktDataFull: one SettlementPrice per Full entry (price type, price and date as written)."""
    biz_date = attributes.get("BizDt")
    instrument = next((node for parent, tag, node in nodes if tag == "Instrmt" and parent == "MktDataFull"), None)
    if instrument is None:
        raise _BadValue("Instrmt", 0, "", "FIXML_FIELD_MISSING", "an Instrmt element", "none")
    fields, instrument_key = _instrument(instrument, "Instrmt", 0)
    head = (None if biz_date is None else _date(biz_date, "", "BizDt"), *fields[:7])
    fulls = [node for parent, tag, node in nodes if tag == "Full" and parent == "MktDataFull"]
    parsed: Parsed = []
    for number, full in enumerate(fulls, start=1):
        get = full.get
        price_type, price_text = _required(get, "Full", "Typ", number), _required(get, "Full", "Px", number)
        price_date = get("Dt")
        parsed.append((SettlementPrice, f"{location}/Full[{number}]",
                       (*head, price_type, _number(price_text, "Full", number, "Px"),
                        None if price_date is None else _date(price_date, "Full", "Dt", number)),
                       [biz_date or "", *instrument_key[:7], price_type, price_text, price_date or ""]))
    return parsed


_PARSERS: dict[str, Callable[[Attributes, list[Node], str], Parsed]] = {
    "TrdCaptRpt": _trade_reports,
    "PosRpt": _position_report,
    "AllocRpt": _allocation_reports,
    "MktDataFull": _settlement_prices,
}


# ---- shared pieces ----


def _note_origin(parties: list[list], sub: Attributes) -> None:
    """A ``Sub Typ="26"`` gives the origin of the party it sits in (the last one opened)."""
    if parties and sub.get("Typ") == "26" and parties[-1][1] is None:
        parties[-1][1] = sub.get("ID") or ""


def _parties(parties: list[list], account_attribute: str | None, account_type: str | None
             ) -> tuple[str, str, str, str]:
    """(position account, origin code, clearing firm, DCO) by the contract's precedence (see the module doc)."""
    best_rank, best, firm, dco = 3, None, "", ""
    for party in parties:
        attributes = party[0]
        role = attributes.get("R")
        if role == "38" or role == "24":
            source = attributes.get("Src")
            rank = 0 if role == "38" else 1 if source == "C" else 2 if source is None else 3
            if rank < best_rank:
                best_rank, best = rank, party
        elif role == "4" and not firm:
            firm = attributes.get("ID") or ""
        elif role == "21" and not dco:
            dco = attributes.get("ID") or ""
    if best is None:
        return account_attribute or "", account_type or "", firm, dco
    origin = best[1] if best[1] is not None else account_type or ""
    return best[0].get("ID") or "", origin, firm, dco


def _instrument(node: Attributes, element: str, index: int) -> tuple[tuple[object, ...], tuple[str, ...]]:
    """The instrument fields (exchange, product, symbol, type, month, put/call, strike, multiplier) and their texts.

    Cached by the element's attributes: a clearing file names the same few instruments again and again.
    """
    cache_key = (element, *node.items())
    cached = _INSTRUMENTS.get(cache_key)
    if cached is None:
        cached = _read_instrument(node, element, index)
        if len(_INSTRUMENTS) < _CACHE_MAX:
            _INSTRUMENTS[cache_key] = cached
    return cached


def _read_instrument(node: Attributes, element: str, index: int) -> tuple[tuple[object, ...], tuple[str, ...]]:
    """Read an Instrmt or Leg element's instrument fields and their texts (see :func:`_instrument`)."""
    get = node.get
    cfi = get("CFI") or ""
    put_call = get("PutCall")
    if put_call is not None:
        put_call = _PUT_CALL.get(put_call, put_call)
    else:
        put_call = cfi[1] if cfi[:1] == "O" and cfi[1:2] in ("P", "C") else ""
    strike_attribute = "StrkPx" if "StrkPx" in node else "Strk"
    strike, multiplier = get(strike_attribute), get("Mult")
    texts = [get("Exch") or "", get("ID") or "", get("Sym") or "", get("SecTyp") or _CFI_TYPES.get(cfi[:1], ""),
             get("MMY") or "", put_call, strike or "", multiplier or ""]
    return (*texts[:6], None if strike is None else _number(strike, element, index, strike_attribute),
            None if multiplier is None else _number(multiplier, element, index, "Mult")), tuple(texts)


def _trans_type(code: str | None) -> str:
    """NEW, CANCEL or REPLACE from TransTyp 0/1/2 (absent: NEW); other codes as ``TRANSTYP_<n>``."""
    if code is None:
        return "NEW"
    return _TRANS_TYPES.get(code) or f"TRANSTYP_{code}"


def _side(code: str | None, element: str, index: int) -> str:
    """BUY or SELL from Side 1/2; anything else quarantines the message."""
    side = _SIDES.get(code or "")
    if side is None:
        raise _BadValue(element, index, "Side", "FIXML_VALUE_INVALID", "1 (buy) or 2 (sell)", code or "")
    return side


def _required(get: Callable[[str], str | None], element: str, attribute: str, index: int = 0) -> str:
    """An attribute that must be present and not empty."""
    return get(attribute) or _missing(element, index, attribute)


def _missing(element: str, index: int, attribute: str) -> str:
    """Quarantine the message: a required attribute is absent or empty."""
    raise _BadValue(element, index, attribute, "FIXML_FIELD_MISSING", f"a value for {attribute}", "")


# Caches by text (bounded): a clearing file repeats the same prices, quantities, dates and instruments. Only values
# that passed their checks are cached, so a hit needs no check.
_CACHE_MAX = 4096
_NUMBERS: dict[str, Decimal] = {}
_QUANTITIES: dict[str, Decimal] = {}
_DATES: dict[str, date] = {}
_INSTRUMENTS: dict[tuple[object, ...], tuple[tuple[object, ...], tuple[str, ...]]] = {}


def _number(text: str, element: str, index: int, attribute: str) -> Decimal:
    """An exact Decimal through recon.money.to_decimal (cached by text); a bad one quarantines the message."""
    number = _NUMBERS.get(text)
    if number is None:
        digits = text[1:] if text[:1] == "-" else text
        if digits[:1].isdigit() and digits.replace(".", "", 1).isdigit() and digits.isascii():
            return Decimal(text)  # plain -123.45: exact, and no check of to_decimal's can fail (not cached: too many)
        try:
            number = to_decimal(text)
        except MoneyError:
            raise _BadValue(element, index, attribute, "FIXML_NUMBER_INVALID", "a decimal number", text) from None
        if len(_NUMBERS) < _CACHE_MAX:
            _NUMBERS[text] = number
    return number


def _quantity(text: str, element: str, index: int, attribute: str) -> Decimal:
    """A quantity: a decimal number that is not negative (cached by text)."""
    number = _QUANTITIES.get(text)
    if number is None:
        number = _number(text, element, index, attribute)
        if number < 0:
            raise _BadValue(element, index, attribute, "FIXML_NUMBER_INVALID", "a quantity >= 0", text)
        if len(_QUANTITIES) < _CACHE_MAX:
            _QUANTITIES[text] = number
    return number


def _date(text: str, element: str, attribute: str, index: int = 0) -> date:
    """A date ``YYYY-MM-DD`` (cached by text); a bad one quarantines the message."""
    value = _DATES.get(text)
    if value is None:
        try:
            value = date.fromisoformat(text.strip())
        except ValueError:
            raise _BadValue(element, index, attribute, "FIXML_DATE_INVALID", "a date YYYY-MM-DD", text) from None
        if len(_DATES) < _CACHE_MAX:
            _DATES[text] = value
    return value
