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

Streaming: lxml checks the whole file without building anything (:func:`recon.contracts.xmlsafe.iter_checked_text`:
well-formed, no DTD, no network, size limits) and hands over its text a piece at a time, a piece behind the parser.
:class:`_FixmlScan` follows the structure through that text and takes each message whole: a ``PosRpt`` in plain
markup is read by its shape (:func:`_fast_position`: the plan found once per shape by lxml, checked against the lxml
path on its first message, is one pattern that matches the whole message and captures its values; the messages that
follow are read by it straight from the text, a run of them at a time, see :meth:`_FixmlScan._planned`); any other
message becomes ``(parent, tag, attributes)`` nodes for its message parser, which also tells every quarantine: read
by its markup's shape when it is plain (:func:`_shaped_nodes`, the shape found once by lxml), else parsed alone by
lxml. So memory holds two pieces of text and one message or run (at most :data:`_RUN_CHARS` of text), plus the
record-id index, whose size is fixed (see :class:`_SeenIds`: the ids themselves go to a temporary file). A Python
callback per element (an lxml parser target, or ``iterparse`` with element access) cost more than the parse itself,
which is why FIXML reads text.

Bad input: a message with a bad or missing value (``LastQty="4x"``) is quarantined as a ``ROW`` problem naming the
element, attribute, expected and found, and the rest of the file is read. A ``Batch@TotMsg`` that disagrees with the
messages in the batch rejects the file (``FIXML_BATCH_COUNT_MISMATCH``), as do more than :data:`PROBLEMS_MAX`
quarantined messages. Those checks can end the stream late, so a consumer of :func:`iter_fixml` must not publish
anything before the iterator is exhausted.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from itertools import chain, repeat
from operator import add, itemgetter
from typing import BinaryIO, NamedTuple

from lxml import etree

from recon.contracts.xmlsafe import XmlSource, iter_checked_text, local_name, parse_fragment
from recon.domain import (
    ROW_ID_HASH, AllocationReport, PositionReport, Problem, SettlementPrice, TradeReport, row_id_of,
)
from recon.errors import FileRejected, InvariantViolation
from recon.money import MoneyError, to_decimal

FixmlRecord = TradeReport | PositionReport | AllocationReport | SettlementPrice
Attributes = Mapping[str, str]
Node = tuple[str, str, Attributes]  # (parent's local name, local name, attributes) of an element inside a message
Parsed = list[tuple[type, str, tuple[object, ...], list[str]]]  # (record class, location, fields, id key texts)

PROBLEMS_MAX = 10_000  # quarantined messages in one file beyond which the file is rejected whole
_NOT_MESSAGES = frozenset(("Hdr", "Batch"))
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
_copy_hash, _update_hash, _digest = hashlib.blake2b.copy, hashlib.blake2b.update, hashlib.blake2b.digest


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
        self._scan = _FixmlScan(source_file)
        self._started = False
        self._finished = False

    def __iter__(self) -> Iterator[FixmlRecord]:
        """Each record; raises FileRejected for a bad root, a batch count mismatch or too many problems."""
        return chain.from_iterable(self._lists())

    def _lists(self) -> Iterator[list[FixmlRecord]]:
        """The records, a message or a run of messages at a time (handed out one by one with no Python in between)."""
        if self._started:
            raise RuntimeError("a FixmlReader reads its file once; make a new one to read it again")
        self._started = True
        try:
            yield from self._scan.records(iter_checked_text(self._source, self._scan.source_file))
        finally:
            self._scan.ids.close()
        self._finished = True

    @property
    def summary(self) -> FixmlSummary:
        """The message counts, declared batch total and quarantined messages (after a complete iteration)."""
        if not self._finished:
            raise RuntimeError("FixmlReader.summary is known only after the file has been read to its end")
        scan = self._scan
        return FixmlSummary(scan.source_file, dict(scan.counts), scan.declared, tuple(scan.problems))


# One piece of markup of a well-formed document without a DTD: a start tag after any white space (``name``,
# ``empty``), an end tag (``end``), a comment, a processing instruction, a CDATA section or text. No match: the piece
# is not complete yet.
_TOKEN = re.compile(r"""
    \s*<(?P<name>[^\s/>!?]+)(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(?P<empty>/?)>
  | </(?P<end>[^\s>]+)\s*>
  | <!--.*?--> | <\?.*?\?> | <!\[CDATA\[.*?\]\]> | [^<]+
""", re.S | re.X)
_NAMESPACE_DECLARATION = re.compile(r"""\sxmlns(?::[^\s=]+)?\s*=\s*(?:"[^"]*"|'[^']*')""")


class _Unreadable(Exception):
    """Text lxml passed does not parse as the scanner expects: only possible in a document lxml will reject."""


class _FixmlScan:
    """Follows FIXML's structure through the checked text of the file and turns each complete message into records.

    Above message level it reads markup with :data:`_TOKEN` (the root, batches, ``Hdr``, anything skipped); a message
    is taken whole, from its start tag to its end tag, and read by :func:`_fast_position` (a PosRpt in plain markup:
    no comment, entity or empty value) or else turned into ``(parent, tag, attributes)`` nodes for its message
    parser: by its markup's shape (:func:`_shaped_nodes`) or by lxml (:func:`recon.contracts.xmlsafe.parse_fragment`,
    with the namespace declarations in scope). After a message, the PosRpts that follow in the shape of the last one
    _fast_position read are read by :meth:`_planned`.
    """

    def __init__(self, source_file: str) -> None:
        self.source_file = source_file
        self.open: list[str] = []  # local names of the open elements above message level, root first
        self.namespaces: list[str] = []  # the xmlns declarations each of them makes, as written
        self.counts: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.declared: int | None = None
        self.batches = 0
        self.batch_open = False
        self.batch_declared: str | None = None
        self.in_batch = 0
        self.per_tag: dict[str, int] = {}
        self.ids = _SeenIds(source_file)
        self.plan: _Plan | None = None  # the plan of the last PosRpt _fast_position read

    def records(self, texts: Iterator[str]) -> Iterator[list[FixmlRecord]]:
        """Every record of the document whose text ``texts`` hands out piece by piece, a list per piece."""
        rest, pending, pending_size = "", [], 0
        try:
            for piece in texts:
                pending.append(piece)
                pending_size += len(piece)
                if pending_size < len(rest):
                    continue  # one unfinished piece of markup is left: read it again once as much text again came
                rest = yield from self._scan(rest + "".join(pending))
                pending, pending_size = [], 0
            if pending:
                rest = yield from self._scan(rest + "".join(pending))
        except _Unreadable:
            for _piece in texts:  # lxml rejects the document by its end: its FileRejected names the line
                pass
            raise InvariantViolation(f"{self.source_file}: lxml accepted text the FIXML scanner cannot read") from None
        if rest:
            raise InvariantViolation(f"{self.source_file}: the document ended inside markup lxml accepted")
        if self.batch_open:
            self._close_batch()

    def _scan(self, text: str) -> Generator[list[FixmlRecord], None, str]:
        """Read ``text`` up to its last complete piece of markup, its records a message or a run of them at a time;
        return what is left for the next piece."""
        position, size, match, open_elements = 0, len(text), _TOKEN.match, self.open
        while position < size:
            token = match(text, position)
            if token is None:
                break
            if token["end"] is not None:
                open_elements.pop()
                self.namespaces.pop()
            elif (name := token["name"]) is not None:
                tag = name.rpartition(":")[2]
                if self._is_message(len(open_elements), tag, token[0]):
                    end, plain = _message_end(text, token.end(), name, token["empty"])
                    if end < 0:
                        break
                    records = self._message(tag, text[token.start("name") - 1:end], plain)
                    if records:
                        yield records
                    position = end
                    if self.plan is not None:
                        position = yield from self._planned(text, position)
                    continue
                if not token["empty"]:
                    open_elements.append(tag)
                    self.namespaces.append("".join(_NAMESPACE_DECLARATION.findall(token[0])))
            position = token.end()
        return text[position:]

    def _is_message(self, depth: int, tag: str, start_tag: str) -> bool:
        """An element opens at ``depth``: check the root, open or close a batch; whether the element is a message."""
        if depth == 0:
            if tag != "FIXML":
                raise FileRejected(Problem("FILE", self.source_file, "/", "", "", "FIXML_NOT_FIXML",
                                           "a FIXML root element", tag, "the file is not FIXML"))
            return False
        if depth == 1 and self.batch_open:
            self._close_batch()
        if depth == 1 and tag == "Batch":
            self.batch_open, self.batch_declared = True, self._attributes(start_tag.lstrip()).get("TotMsg")
            return False
        in_batch = depth == 2 and self.batch_open and self.open[1] == "Batch"
        return tag not in _NOT_MESSAGES and (depth == 1 or in_batch)

    def _message(self, name: str, text: str, plain: bool) -> list[FixmlRecord]:
        """Count the message ``text`` and give its records ([] when it is quarantined or not read)."""
        in_batch = len(self.open) == 2
        self.in_batch += in_batch
        self.counts[name] = self.counts.get(name, 0) + 1
        count = self.per_tag[name] = self.per_tag.get(name, 0) + 1
        location = f"Batch[{self.batches + 1}]/{name}[{count}]" if in_batch else f"FIXML/{name}[{count}]"
        parse = _PARSERS.get(name)
        if parse is None:
            return []
        fast = _fast_position(text, location) if plain and name == "PosRpt" else None
        if fast is not None:
            self.plan, fields, keys = fast
            return self._position_records(fields, keys, [location])
        attributes, nodes = (_shaped_nodes(text) if plain else None) or _nodes(self._parse(text))
        try:
            parsed = parse(attributes, nodes, location)
        except _BadValue as bad:
            self._quarantine(name, attributes, nodes, location, bad)
            return []
        record_id, source_file = self.ids.record_id, self.source_file
        # tuple.__new__ on the record's exact fields: the NamedTuple without its keyword machinery
        return [_new_tuple(record_type, (source_file, record_id(record_type.__name__, key), record_location, *fields))
                for record_type, record_location, fields, key in parsed]

    def _planned(self, text: str, position: int) -> Generator[list[PositionReport], None, int]:
        """Read the messages from ``position`` on that :attr:`plan`'s pattern matches (siblings of the message before,
        so messages too); return where the first other one starts, for :meth:`_scan`.

        What :meth:`_message` does for such a message, for :data:`_RUN_CHARS` of text at a time: count it, read it by
        the plan, make its record. A message the plan matches but cannot read (a bad date or instrument, or a text XML
        would unescape or normalise) is left to :meth:`_scan` too.
        """
        plan, size = self.plan, len(text)
        while True:  # bound: the text, _RUN_CHARS at a time
            window_end = position + _RUN_CHARS
            rows = plan.pattern.findall(text, position, window_end)
            run = rows[:rows.index(plan.stop)]
            fields, keys = _planned_positions(plan, run)
            if not fields:
                return position
            first, read, in_batch = self.per_tag.get("PosRpt", 0), len(fields), len(self.open) == 2
            self.per_tag["PosRpt"] = first + read
            self.counts["PosRpt"] += read
            self.in_batch += read * in_batch
            prefix = f"Batch[{self.batches + 1}]/PosRpt[" if in_batch else "FIXML/PosRpt["
            locations = [f"{prefix}{count}]" for count in range(first + 1, first + read + 1)]
            yield self._position_records(fields, keys, locations)
            position += sum(map(len, map(_WHOLE, run[:read])))
            if read < len(run) or window_end - position > _FAST_CHARS_MAX or window_end >= size:
                return position  # the run ended before the window did: the next message is another

    def _position_records(self, fields: list[tuple[object, ...]], keys: list[str], locations: list[str]
                          ) -> list[PositionReport]:
        """The PositionReports of these fields (after source_file, record_id and location), id key texts and
        locations."""
        ids = self.ids.key_ids("PositionReport", keys)
        return list(map(_new_tuple, repeat(PositionReport), map(add, zip(repeat(self.source_file), ids, locations),
                                                                   fields)))

    def _parse(self, text: str) -> etree._Element:
        """The element ``text`` holds, parsed by lxml with the namespace declarations in scope."""
        try:
            return parse_fragment(text, "".join(self.namespaces))
        except etree.XMLSyntaxError:
            raise _Unreadable from None

    def _attributes(self, start_tag: str) -> Attributes:
        """The attributes of a start tag outside messages (a batch's), as lxml reads them."""
        return dict(self._parse(start_tag[:-1].rstrip().rstrip("/") + "/>").attrib)

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


def _message_end(text: str, tag_end: int, name: str, empty: str) -> tuple[int, bool]:
    """Where the message whose start tag (named ``name`` as written) ends at ``tag_end`` ends (-1: not in ``text``
    yet), and whether it is plain markup: no comment, CDATA or processing instruction, nothing nested of its name.

    A plain message ends at the first ``</name>``: with no comment, CDATA or processing instruction in between,
    every ``<`` in well-formed text opens a tag. Any other message is followed token by token.
    """
    if empty:
        return tag_end, True
    close = f"</{name}>"
    end = text.find(close, tag_end)
    if end >= 0 and text.find("<!", tag_end, end) < 0 and text.find("<?", tag_end, end) < 0 and text.find(
            f"<{name}", tag_end, end) < 0:
        return end + len(close), True
    depth, position = 1, tag_end
    while depth:
        token = _TOKEN.match(text, position)
        if token is None:
            return -1, False
        if token["end"] is not None:
            depth -= 1
        elif token["name"] is not None and not token["empty"]:
            depth += 1
        position = token.end()
    return position, False


def _nodes(message: etree._Element) -> tuple[Attributes, list[Node]]:
    """A parsed message's attributes and its elements as ``(parent, tag, attributes)`` nodes in document order."""
    return dict(message.attrib), [(local_name(element.getparent().tag), local_name(element.tag), dict(element.attrib))
                                  for element in message.iterdescendants(etree.Element)]


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
        self._kinds: dict[str, hashlib.blake2b] = {}  # per record kind: the id hash, ``source_file, kind`` hashed

    def record_id(self, kind: str, key: list[str]) -> str:
        """The content id of a record of ``kind`` with these key texts, numbered by identical ones before it."""
        text = _SEPARATOR.join(key)
        hashed = self._hash(kind).copy()
        hashed.update(text.encode())
        return self._numbered(kind, text, hashed.digest())

    def key_ids(self, kind: str, keys: list[str]) -> list[str]:
        """:meth:`record_id` of records of ``kind`` with these key texts (already joined), in order: hashed in one
        pass; the ids the filter shows were never seen, up to the first it does not (nearly always all of them),
        remembered in one."""
        hashes = list(map(_copy_hash, repeat(self._hash(kind), len(keys))))
        deque(map(_update_hash, hashes, map(str.encode, keys)), 0)
        digests = list(map(_digest, hashes))
        values = array("q", b"".join(digests))
        if sys.byteorder == "little":
            values.byteswap()  # the digests are big-endian: the same values as int.from_bytes(digest, "big")
        new = self._remember_new(values)
        ids = list(map(bytes.hex, digests[:new]))
        if new < len(keys):
            ids += map(self._numbered, repeat(kind), keys[new:], digests[new:])
        return ids

    def _hash(self, kind: str) -> hashlib.blake2b:
        """The id hash (recon.domain.row_id_of's) with the key's ``source_file\\x1fkind\\x1f`` already hashed."""
        hashed = self._kinds.get(kind)
        if hashed is None:
            hashed = self._kinds[kind] = ROW_ID_HASH.copy()
            hashed.update(f"{self._source}\x1f{kind}\x1f".encode())
        return hashed

    def _numbered(self, kind: str, key: str, digest: bytes) -> str:
        """The id of one record of ``kind`` with key text ``key`` whose key hashes to ``digest``."""
        value = int.from_bytes(digest, "big", signed=True)
        low, high = value & _FILTER_MASK, (value >> 32) & _FILTER_MASK
        bits = self._filter
        if bits[low >> 3] >> (low & 7) & bits[high >> 3] >> (high & 7) & 1 and self._seen(value):
            occurrence = self._repeats.get(value, 1)
            self._repeats[value] = occurrence + 1
            return row_id_of(f"{self._source}\x1f{kind}\x1f{key}\x1f#{occurrence}")
        bits[low >> 3] |= 1 << (low & 7)
        bits[high >> 3] |= 1 << (high & 7)
        pending = self._pending
        pending.add(value)
        if len(pending) >= _PENDING_MAX:
            self._flush()
        return digest.hex()

    def _remember_new(self, values: array) -> int:
        """Remember ``values`` from the first on while the filter shows each was never seen (an id equal to one
        before it among them shows too); how many. The one it stops at was perhaps seen: :meth:`_numbered` takes it
        and the ones after it."""
        bits, new = self._filter, 0
        for value in values:  # bound: one run of messages
            low, high = value & _FILTER_MASK, (value >> 32) & _FILTER_MASK
            low_byte, low_bit, high_byte, high_bit = low >> 3, 1 << (low & 7), high >> 3, 1 << (high & 7)
            if bits[low_byte] & low_bit and bits[high_byte] & high_bit:
                break
            bits[low_byte] |= low_bit
            bits[high_byte] |= high_bit
            new += 1
        pending = self._pending
        pending.update(values[:new])
        if len(pending) >= _PENDING_MAX:
            self._flush()
        return new

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
    return _position_record(*_position_texts(attributes, nodes), location)


PositionTexts = tuple[tuple[str | None, ...], Attributes | None, list[tuple[str, tuple[str | None, str | None, str]]]]


def _position_texts(attributes: Attributes, nodes: list[Node]) -> PositionTexts:
    """What a PosRpt says, as written and not yet checked: the head texts (RptID, BizDt, SetSesID, account, origin,
    firm, DCO, Ccy, SetPx; None when absent or empty where a value is required), the Instrmt (None when there is
    none) and its ``Qty`` (Typ, Long, Short) and ``Amt`` (Typ, Amt, Ccy) entries in file order, defaults applied.

    Only the parties' ``R``, ``Src`` and ``Sub@Typ`` (:data:`_POSITION_DECISIONS`) steer what is read from where:
    :func:`_position_plan` relies on it.
    """
    get = attributes.get
    currency = get("Ccy") or ""
    instrument: Attributes | None = None
    parties: list[list] = []
    entries: list[tuple[str, tuple[str | None, str | None, str]]] = []
    for parent, tag, node in nodes:
        if tag == "Qty":
            entries.append(("Qty", (node.get("Typ") or None, node.get("Long") or "0", node.get("Short") or "0")))
        elif tag == "Amt":
            entries.append(("Amt", (node.get("Typ") or None, node.get("Amt") or None, node.get("Ccy") or currency)))
        elif tag == "Pty":
            parties.append([node, None])
        elif tag == "Sub" and parent == "Pty":
            _note_origin(parties, node)
        elif tag == "Instrmt" and parent == "PosRpt":
            instrument = node
    account, origin, firm, dco = _parties(parties, get("Acct"), get("AcctTyp"))
    head = (get("RptID") or None, get("BizDt") or None, get("SetSesID") or "", account, origin, firm, dco, currency,
            get("SetPx"))
    return head, instrument, entries


def _position_record(head: tuple[str | None, ...], instrument: Attributes | None,
                     entries: list[tuple[str, tuple[str | None, str | None, str]]], location: str) -> Parsed:
    """Check and convert a PosRpt's texts (see :func:`_position_texts`) into its PositionReport and id key."""
    rpt_id, biz_date, session, account, origin, firm, dco, currency, price = head
    quantities: list[tuple[str, Decimal, Decimal]] = []
    amounts: list[tuple[str, Decimal, str]] = []
    key: list[str] = []
    for kind, (entry_type, first, second) in entries:
        if kind == "Qty":
            quantities.append(_position_quantity(entry_type, first, second, len(quantities) + 1, key))
        else:
            amounts.append(_position_amount(entry_type, first, second, len(amounts) + 1, key))
    if instrument is None:
        raise _BadValue("Instrmt", 0, "", "FIXML_FIELD_MISSING", "an Instrmt element", "none")
    rpt_id = rpt_id or _missing("", 0, "RptID")
    biz_date = biz_date or _missing("", 0, "BizDt")
    fields, instrument_key = _instrument(instrument, "Instrmt", 0)
    record = (rpt_id, _DATES.get(biz_date) or _date(biz_date, "", "BizDt"), session, account, origin, firm, dco,
              currency, None if price is None else _NUMBERS.get(price) or _number(price, "", 0, "SetPx"),
              *fields, tuple(quantities), tuple(amounts))
    key[:0] = (rpt_id, biz_date, session, account, origin, firm, dco, currency, price or "", *instrument_key)
    return [(PositionReport, location, record, key)]


def _position_quantity(quantity_type: str | None, long_text: str, short_text: str, index: int, key: list[str]
                       ) -> tuple[str, Decimal, Decimal]:
    """One Qty: (Typ, Long, Short)."""
    quantity_type = quantity_type or _missing("Qty", index, "Typ")
    key += (quantity_type, long_text, short_text)
    long_quantity = _QUANTITIES.get(long_text)
    if long_quantity is None:
        long_quantity = _quantity(long_text, "Qty", index, "Long")
    short_quantity = _QUANTITIES.get(short_text)
    if short_quantity is None:
        short_quantity = _quantity(short_text, "Qty", index, "Short")
    return quantity_type, long_quantity, short_quantity


def _position_amount(amount_type: str | None, amount_text: str | None, amount_currency: str, index: int,
                     key: list[str]) -> tuple[str, Decimal, str]:
    """One Amt: (Typ, Amt, Ccy)."""
    amount_type = amount_type or _missing("Amt", index, "Typ")
    amount_text = amount_text or _missing("Amt", index, "Amt")
    key += (amount_type, amount_text, amount_currency)
    return amount_type, _NUMBERS.get(amount_text) or _number(amount_text, "Amt", index, "Amt"), amount_currency


# ---- the PosRpt fast path: plain markup read by its shape ----
#
# A plain PosRpt (no entity, no empty value, no tab or line break in a value) split at its double quotes gives its
# markup (even parts) and its attribute values (odd parts). Messages of one shape (the same markup) and the same
# party roles (_POSITION_DECISIONS) read every text from the same value: _position_plan finds which, once, by
# parsing the shape with a placeholder for every other value and running _position_texts on it, and writes the
# shape and those roles as one pattern that captures every other value (the Instrmt's in one group). Messages that
# pattern matches are read by _planned_positions with no element, attribute or parser in between, a whole run of
# them a field at a time (C loops: map, zip, itemgetter); the first message of a plan is checked against the lxml
# path, and the scanner then reads the runs of messages that follow with the same plan straight from its text
# (_FixmlScan._planned). Shapes are few in a clearing file; the cache is bounded.

_POSITION_DECISIONS = frozenset((("Pty", "R"), ("Pty", "Src"), ("Sub", "Typ")))
_PLACEHOLDER = "\ue000"  # a private-use character: no CME value holds it, and only shapes ever carry it
_CONSTANTS = ("", "0", None)  # the defaults _position_texts may return, read from after the captured values
_UNSEEN = object()
_FAST_CHARS_MAX = 8192  # a longer PosRpt is read by lxml: the shape cache holds no large markup
_RUN_CHARS = 1 << 15  # text read by a plan at once (about 90 messages: their rows and records stay small)
_SHAPES_MAX = 256  # shapes kept (a clearing file has a handful); later ones are read by lxml
_PLANS_MAX = 64  # party-role combinations kept per shape
# What a plan's pattern captures: any value (what is between its quotes: the one character sre skips fastest); where
# a number is read, only a plain decimal (the text Decimal() reads exactly as _number does), and no sign where a
# quantity is read. A value XML would unescape or normalise (an entity, a tab or a line break: _NORMALISED) in a text
# the record reads leaves its message to lxml (_plain_count, _planned_instrument); the others are not read.
_VALUE, _NUMBER, _QUANTITY = '[^"]++', r"-?[0-9]++(?:\.[0-9]*+)?+", r"[0-9]++(?:\.[0-9]*+)?+"
_NORMALISED = "&\t\n\r"


class _Shape(NamedTuple):
    """A PosRpt's markup: where its decisive values stand, and a plan per set of them (None: no fast path)."""

    decisive: frozenset[int]
    decisions: Callable[[list[str]], tuple[str, ...]]
    plans: dict[tuple[str, ...], _Plan | None]


class _Plan(NamedTuple):
    """A PosRpt shape with its decisive values, and where each of _position_texts' results stands in a row.

    Its pattern takes a whole message (leading white space included) as its first group and the values it reads as
    the groups after it, or else takes the rest of the text: ``findall`` from a message on gives one row of groups
    per message of the run it reads, then :attr:`stop`. A row extended by its instrument's entry (:data:`_ENTRY`)
    holds every text _position_texts gives, and the instrument fields.
    """

    pattern: re.Pattern[str]
    stop: tuple[str, ...]  # the row where the run ends: every group empty
    biz_date: Callable[[tuple], str]  # BizDt, from a row
    price: Callable[[tuple], str] | None  # SetPx, from a row (None: the shape has none)
    instrument_names: tuple[str, ...]  # the Instrmt's attributes
    instrument: Callable[[tuple], str]  # their values as written (with the markup between them), from a row
    instruments: dict[str, tuple]  # the instrument's entry by that text
    key: Callable[[tuple], tuple]  # the id key texts (the instrument's joined in one), from an extended row
    quantities: Callable[[tuple], tuple]  # the Qty entries' Typ, Long and Short, one after another, from it too
    amounts: tuple[tuple[Callable[[tuple], str], ...], ...]  # per Amt: its Typ, Amt and Ccy, from it too
    fields: Callable[[tuple], tuple]  # the record's fields after location, from it with (date, price, Qty, Amt)


# An instrument's entry that extends a row: its 8 fields (_read_instrument), its id key texts joined, _CONSTANTS.
_ENTRY = 8 + 1 + len(_CONSTANTS)
_WHOLE = itemgetter(0)  # a row's whole message


def _fast_position(text: str, location: str) -> tuple[_Plan, list[tuple[object, ...]], list[str]] | None:
    """A plain PosRpt read by its shape's plan: the plan, and the message's fields and id key text (as
    :func:`_planned_positions`); None when it is not plain, its shape has no plan or the plan does not read it (the
    lxml path then reads it, and quarantines it with the full story)."""
    parts = _plain_parts(text) if '""' not in text else None
    if parts is None:
        return None
    skeleton = '"'.join(parts[::2])
    shape = _SHAPES.get(skeleton, _UNSEEN)
    if shape is _UNSEEN:
        shape = _position_shape(parts) if len(_SHAPES) < _SHAPES_MAX else None
        if len(_SHAPES) < _SHAPES_MAX:
            _SHAPES[skeleton] = shape
    if shape is None:
        return None
    decisions = shape.decisions(parts)
    plan = shape.plans.get(decisions, _UNSEEN)
    check = plan is _UNSEEN
    if check:
        plan = _position_plan(parts, shape.decisive)
        if plan is None and len(shape.plans) < _PLANS_MAX:
            shape.plans[decisions] = None
    match = None if plan is None else plan.pattern.fullmatch(text)
    if match is None or match[1] is None:
        return None
    fields, keys = _planned_positions(plan, [match.groups()])
    if not fields:
        return None
    if check:  # the first message of a plan is read both ways: the plan is kept only when they agree exactly
        try:
            same = repr([(PositionReport, location, fields[0], keys[0])]) == repr([
                (kind, where, lxml_fields, _SEPARATOR.join(key))
                for kind, where, lxml_fields, key in _position_report(*_nodes(parse_fragment(text)), location)])
        except _BadValue:
            same = False
        if len(shape.plans) < _PLANS_MAX:
            shape.plans[decisions] = plan if same else None
        return (plan, fields, keys) if same else None
    return plan, fields, keys


def _plain_parts(text: str) -> list[str] | None:
    """A plain message split at its double quotes: markup (even parts) and attribute values (odd parts) as lxml
    reads them; None for a long message (the shape caches hold no large markup) or one with an entity or a tab or
    line break in a value (XML unescapes and normalises those: lxml reads it)."""
    if len(text) > _FAST_CHARS_MAX or "&" in text:
        return None
    parts = text.split('"')
    if ("\n" in text or "\t" in text or "\r" in text) and any(
            character in value for value in parts[1::2] for character in "\t\n\r"):
        return None
    return parts


def _planned_positions(plan: _Plan, rows: list[tuple[str, ...]]) -> tuple[list[tuple[object, ...]], list[str]]:
    """The PositionReport fields (after source_file, record_id and location) and id key texts (joined) of the
    messages whose rows ``plan``'s pattern gave, up to the first it cannot read (a bad date or instrument, or a text
    XML would unescape or normalise): what _position_record gives for each, a pass per field over the whole run."""
    instruments = list(map(plan.instruments.get, map(plan.instrument, rows)))
    dates = list(map(_DATES.get, map(plan.biz_date, rows)))
    if None in instruments or None in dates:
        rows = rows[:_read_misses(plan, rows, instruments, dates)]
    extended = list(map(add, rows, instruments))
    quantity_texts = list(map(plan.quantities, extended))
    quantities = list(map(_QUANTITY_ENTRIES.get, quantity_texts))
    if None in quantities:
        quantities = list(map(_quantity_entries, quantity_texts))
    amounts = zip(*(zip(map(kind, extended), map(Decimal, map(amount, extended)), map(currency, extended))
                    for kind, amount, currency in plan.amounts)) if plan.amounts else repeat(())
    prices = repeat(None) if plan.price is None else map(Decimal, map(plan.price, extended))
    fields = list(map(plan.fields, map(add, extended, zip(dates, prices, quantities, amounts))))
    keys = list(map(_SEPARATOR.join, map(plan.key, extended)))
    plain = _plain_count(keys)
    return fields[:plain], keys[:plain]


def _plain_count(keys: list[str]) -> int:
    """How many id key texts come before the first holding a character XML unescapes or normalises (every text a
    record reads but its instrument's is in its key)."""
    joined = "".join(keys)
    if not any(character in joined for character in _NORMALISED):
        return len(keys)
    return next(number for number, key in enumerate(keys) if any(character in key for character in _NORMALISED))


def _read_misses(plan: _Plan, rows: list[tuple[str, ...]], instruments: list[tuple | None],
                 dates: list[date | None]) -> int:
    """Read the instruments and dates of ``rows`` the caches did not give into ``instruments`` and ``dates``; how
    many rows come before the first whose instrument or date is bad, or whose instrument is not plain."""
    for number, row in enumerate(rows):  # bound: one run of messages
        try:
            if instruments[number] is None:
                instruments[number] = _planned_instrument(plan, plan.instrument(row))
            if dates[number] is None:
                dates[number] = _date(plan.biz_date(row), "", "BizDt")
        except _BadValue:
            return number
        if instruments[number] is None:
            return number
    return len(rows)


def _planned_instrument(plan: _Plan, text: str) -> tuple | None:
    """The entry of the instrument whose values ``text`` holds (see :data:`_Plan.instrument`, :data:`_ENTRY`),
    cached; None when a value holds a character XML unescapes or normalises."""
    values = text.split('"')[::2]
    if any(character in value for value in values for character in _NORMALISED):
        return None
    fields, key = _read_instrument(dict(zip(plan.instrument_names, values)), "Instrmt", 0)
    entry = (*fields, _SEPARATOR.join(key), *_CONSTANTS)
    if len(plan.instruments) < _CACHE_MAX:
        plan.instruments[text] = entry
    return entry


def _quantity_entries(texts: tuple[str, ...]) -> tuple[tuple[str, Decimal, Decimal], ...]:
    """A plan's Qty entries from their Typ, Long and Short texts (plain numbers, no sign: no check can fail),
    cached."""
    entries = _QUANTITY_ENTRIES.get(texts)
    if entries is None:
        entries = tuple([(texts[at], Decimal(texts[at + 1]), Decimal(texts[at + 2])) for at in range(0, len(texts), 3)])
        if len(_QUANTITY_ENTRIES) < _CACHE_MAX:
            _QUANTITY_ENTRIES[texts] = entries
    return entries


def _placeholder_message(parts: list[str], keep: frozenset[int] = frozenset()) -> etree._Element | None:
    """The message of these parts with each value (odd part) not in ``keep`` replaced by a numbered placeholder;
    None unless it parses with every placeholder an attribute value of its own (a plain, double-quoted shape)."""
    if any("'" in part or ":" in part for part in parts[::2]):
        return None  # single quotes could hide a double quote; prefixes would need their declarations
    text = '"'.join(part if index % 2 == 0 or index in keep else f"{_PLACEHOLDER}{index}"
                    for index, part in enumerate(parts))
    try:
        message = parse_fragment(text)
    except etree.XMLSyntaxError:
        return None
    values = [value for element in message.iter(etree.Element) for value in element.attrib.values()]
    wanted = [f"{_PLACEHOLDER}{index}" for index in range(1, len(parts), 2) if index not in keep]
    placeholders = [value for value in values if value.startswith(_PLACEHOLDER)]
    return message if sorted(placeholders) == sorted(wanted) and len(values) == len(parts) // 2 else None


def _position_shape(parts: list[str]) -> _Shape | None:
    """The shape of a plain PosRpt: where its decisive values stand (None: not a shape the fast path reads)."""
    message = _placeholder_message(parts)
    if message is None:
        return None
    decisive = sorted(int(element.get(attribute)[1:]) for element in message.iterdescendants(etree.Element)
                      for tag, attribute in _POSITION_DECISIONS
                      if local_name(element.tag) == tag and element.get(attribute) is not None)
    return _Shape(frozenset(decisive), _picker(decisive), {})


def _position_plan(parts: list[str], decisive: frozenset[int]) -> _Plan | None:
    """The plan of messages of this shape and these decisive values; None when lxml must read them (no Instrmt, a
    required text absent, or a text that is neither a value nor a default)."""
    message = _placeholder_message(parts, decisive)
    if message is None:
        return None
    head, instrument, entries = _position_texts(*_nodes(message))
    if instrument is None or None in head[:2] or any(None in entry[:2] for _kind, entry in entries):
        return None
    span = sorted(int(text[1:]) for text in instrument.values())  # the Instrmt's values: one group
    if not span or span != list(range(span[0], span[-1] + 1, 2)):
        return None
    read = {*head, *(text for _kind, entry in entries for text in entry), f"{_PLACEHOLDER}{span[0]}"}
    captured = [index for index in range(1, len(parts), 2) if f"{_PLACEHOLDER}{index}" in read]  # groups of a row
    group = {f"{_PLACEHOLDER}{index}": number for number, index in enumerate(captured, start=1)}
    constants = len(captured) + 1 + _ENTRY - len(_CONSTANTS)  # where _CONSTANTS stand in an extended row
    group.update((constant, constants + number) for number, constant in enumerate(_CONSTANTS))
    quantities = [entry for kind, entry in entries if kind == "Qty"]
    amounts = [entry for kind, entry in entries if kind == "Amt"]
    if any(text not in group for text in (*head, *(text for _kind, entry in entries for text in entry))):
        return None
    numbers = {head[8], *(entry[1] for entry in amounts)}
    whole_numbers = {text for entry in quantities for text in entry[1:]}
    pattern = r"(\s*" + '"'.join(_planned_value(index, part, decisive, span, set(captured), numbers, whole_numbers)
                                 for index, part in enumerate(parts)) + r")|(?s:.*)"
    instrument_fields = list(range(len(captured) + 1, len(captured) + 9))
    tail = constants + len(_CONSTANTS)  # where a row's date, price, Qty and Amt entries follow the extended row

    def picker(column: list[str | None]) -> Callable[[tuple], tuple]:
        return _picker([group[text] for text in column])

    return _Plan(re.compile(pattern), ("",) * (len(captured) + 1), itemgetter(group[head[1]]),
                 None if head[8] is None else itemgetter(group[head[8]]), tuple(instrument),
                 itemgetter(group[f"{_PLACEHOLDER}{span[0]}"]), {},
                 _picker([group[text] for text in (*head[:8], head[8] or "")] + [instrument_fields[-1] + 1]
                         + [group[text] for _kind, entry in entries for text in entry]),
                 picker([text for entry in quantities for text in entry]),
                 tuple(tuple(itemgetter(group[text]) for text in entry) for entry in amounts),
                 _picker([group[head[0]], tail, *(group[text] for text in head[2:8]), tail + 1, *instrument_fields,
                          tail + 2, tail + 3]))


def _planned_value(index: int, part: str, decisive: frozenset[int], span: list[int], captured: set[int],
                   numbers: set[str | None], whole_numbers: set[str]) -> str:
    """The pattern of one part of a plan's message: markup and decisive values as written, a value the record
    reads a group (the Instrmt's values, from ``span[0]`` to ``span[-1]``, one group), a plain decimal where a
    number is read; any other value is matched only."""
    if index % 2 == 0 or index in decisive:
        return re.escape(part)
    placeholder = f"{_PLACEHOLDER}{index}"
    value = _QUANTITY if placeholder in whole_numbers else _NUMBER if placeholder in numbers else _VALUE
    if span[0] <= index <= span[-1]:
        return ("(" if index == span[0] else "") + value + (")" if index == span[-1] else "")
    return f"({value})" if index in captured else value


def _picker(indices: list[int]) -> Callable[[Sequence[str | None]], tuple]:
    """A function picking the items at ``indices`` from a list or tuple, as a tuple (operator.itemgetter, always a
    tuple)."""
    if len(indices) == 1:
        return lambda values: (values[indices[0]],)
    return itemgetter(*indices) if indices else lambda values: ()


_SHAPES: dict[str, _Shape | None] = {}


# ---- plain messages of any type: their nodes read by their shape ----
#
# Split at its double quotes (_plain_parts), a plain message of another type than PosRpt, or a PosRpt no plan
# reads, gives its markup and its values too. Messages of one markup have the same elements and attributes, each
# attribute's value one of the parts: _node_shape finds which, once per markup, by running _nodes on the message
# with a placeholder for every value, and keeps the shape only when it reads its first message as lxml does;
# _shaped_nodes then gives what _nodes(parse_fragment(text)) gives, with no parser in between (a TrdCaptRpt's parse
# and nodes were half of its reading).


class _NodeShape(NamedTuple):
    """A message's markup: the names of its attributes and of each element's, with where each value stands among
    the message's values (its odd parts), and each element's parent and tag (local names, as :func:`_nodes`)."""

    attributes: tuple[tuple[str, int], ...]
    nodes: tuple[tuple[str, str, tuple[tuple[str, int], ...]], ...]

    def read(self, values: list[str]) -> tuple[Attributes, list[Node]]:
        """The message's attributes and nodes, from its values."""
        return ({name: values[at] for name, at in self.attributes},
                [(parent, tag, {name: values[at] for name, at in names}) for parent, tag, names in self.nodes])


def _shaped_nodes(text: str) -> tuple[Attributes, list[Node]] | None:
    """:func:`_nodes` of a plain message read by its markup's shape; None when no shape reads it (lxml then does)."""
    parts = _plain_parts(text)
    if parts is None:
        return None
    skeleton = '"'.join(parts[::2])
    shape = _NODE_SHAPES.get(skeleton, _UNSEEN)
    if shape is _UNSEEN:
        shape = _node_shape(parts, text) if len(_NODE_SHAPES) < _SHAPES_MAX else None
        if len(_NODE_SHAPES) < _SHAPES_MAX:
            _NODE_SHAPES[skeleton] = shape
    return None if shape is None else shape.read(parts[1::2])


def _node_shape(parts: list[str], text: str) -> _NodeShape | None:
    """The shape of a plain message's markup, checked against lxml's reading of ``text`` (None: no shape)."""
    message = _placeholder_message(parts)
    if message is None:
        return None

    def positions(node: Attributes) -> tuple[tuple[str, int], ...]:  # a placeholder names its part: 2 * value + 1
        return tuple((name, (int(value[1:]) - 1) // 2) for name, value in node.items())

    attributes, nodes = _nodes(message)
    shape = _NodeShape(positions(attributes), tuple((parent, tag, positions(node)) for parent, tag, node in nodes))
    return shape if shape.read(parts[1::2]) == _nodes(parse_fragment(text)) else None


_NODE_SHAPES: dict[str, _NodeShape | None] = {}


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
_QUANTITY_ENTRIES: dict[tuple[str, ...], tuple[tuple[str, Decimal, Decimal], ...]] = {}  # by a plan's Qty texts


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
