"""BAI2 reader: Cash Management Balance Reporting Specifications, version 2 (and BTRS version 3 headers).

A BAI2 file is a hierarchy of records, each starting with a two-digit record code and ending with ``/``::

    01 file header          sender, receiver, creation date and time, file id, record length, block size, version
      02 group header       ultimate receiver, originator, group status, as-of date and time, currency, as-of modifier
        03 account          account number, currency, then repeating: type code, amount, item count, funds [+extras]
          16 detail         type code, amount, funds type [+extras], bank reference, customer reference, text
        49 account trailer  control total, record count
      98 group trailer      control total, number of accounts, record count
    99 file trailer         control total, number of groups, record count
    88 continuation         continues the record before it (any of the above), between any two of its fields

:func:`parse_bai2` streams the text as *logical* records (:func:`_logical_records`) through a small state machine
(:class:`_Reader`) that builds :class:`recon.domain.BankStatement` records and proves every trailer. The 16s, the bulk
of a file, are parsed as they come and turned into entries an account at a time (:meth:`_Reader._settle`): a run of
plain 16 lines is split into six columns at once (:func:`_add_rows`), their checks, amounts and ids are computed over
columns, and a 16 the bulk cannot read is read whole. A statement's entries stay columns
(:class:`recon.domain.BankEntries`: amounts as signed minor units, locations as line numbers), which the parse stage
turns into Arrow without a Python object per entry. Python's cyclic garbage collector is paused for the parse (see
:func:`_cyclic_gc_paused`): it was half the time on large files.

Logical records. A physical line may hold several records (``.../   02,...``: split where a ``/`` is followed by
optional blanks and a known record code and a comma); a physical line that does not start with a record code is a
wrapped continuation of the record before it and counts as nothing; an ``88`` continues the record before it and
counts as one. Trailing blanks (fixed 80-byte records) and CR (CRLF line ends) are stripped.

Joining a continuation. For every record but a 16, an 88 ends the field before it: the continued record loses its
closing ``/`` and the 88's fields follow after a comma; a wrapped line is appended as written (it was cut mid-field).
A 16's text runs to the end of the record and may hold ``,`` and ``/``; once a 16's text has begun, every continuation
(88 or wrapped line) is more text, and the pieces are joined with a single space (each piece stripped of its closing
``/`` and of surrounding blanks, empty pieces dropped). Before the text has begun, a 16 continues like any record.
A text that genuinely ends in ``/`` loses that ``/``: BAI2 cannot tell it from the record's terminator.

Amounts carry no decimal point: the places come from the currency (the 03's, else the 02's, else USD) through
:func:`recon.money.implied_decimal`. Trailer totals are compared as raw integers (implied minor units): the 49 total
is the algebraic sum of every amount of the account's 03, 16 and 88 records (availability amounts of funds types S and
D and item counts excluded), the 98 total is the sum of its 49 totals as written, the 99 total the sum of its 98
totals as written. Counts are of logical records as written (the 88s included, wrapped lines not).

Type codes: 001-099 and 900-919 are status codes (03 status codes become :class:`BankBalance` rows); 100-399 and
920-959 credits; 400-699 and 960-999 debits; 890 non-monetary. In a 16, a credit or debit code gives a ``BOOK`` entry
signed by its direction; 890 and 900-919 (information, not a movement of money) give an ``INFO`` entry whose amount is
kept as written, with direction CREDIT. Codes the BAI2 lists do not classify (000, 700-889: loan codes and reserved
ranges, 891-899) are accepted as 03 summaries (they only add to the trailer), but a 16 cannot be signed without a
direction, so a 16 with such a code, or with a status code 001-099, rejects the file. A 16 amount is unsigned digits
(a ``-`` rejects the file: the type code alone gives the sign); only an INFO entry may leave it blank (zero).

Groups: as-of-date modifier 2 or blank is a ``FINAL`` report (the statement of record); 1, 3 and 4 are ``INTERIM``
(BAI2 calls 4 "final same-day", but a same-day report is an intraday view here, never the day's statement).

Bad input. Anything that makes the file unreadable or its trailers unprovable (no 01 first, no 99, a record out of
order, a line starting with two digits and a comma that are no record code, a non-digit amount or count, an
impossible date, an unknown currency, funds type or type code) raises :class:`recon.errors.FileRejected` naming the line, the field, what was expected and what was found.
A trailer that disagrees rejects the file in strict mode (the first mismatch, in file order) and is collected in
:attr:`Bai2File.problems` in lenient mode; it is never ignored. Times (01 creation, 02 as-of, V funds) are not stored
and so not validated: banks write ``14:59:35`` and ``2400``.

Variants a file used are reported in :attr:`Bai2File.variants`: ``PACKED_RECORDS``, ``WRAPPED_LINES``, ``FIXED_80``
(every physical line 80 characters, blank-padded), ``CRLF``, ``NO_SLASH_16`` (a 16 whose own line does not end with
``/``), ``BLANK_49_AMOUNT``, ``TAGGED_88`` (16 text continued by ``TAG: value`` or ``TAG:= value`` 88s) and ``BTRS_V3``.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from itertools import repeat
from operator import itemgetter, methodcaller, mul
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple, NoReturn, Sequence

from recon.domain import (
    ROW_ID_HASH, BankBalance, BankEntries, BankStatement, LineLocations, OccurrenceCounter, Problem, ScaledDecimals,
)
from recon.errors import FileRejected, LandingError, invariant
from recon.money import MoneyError, currency_places, implied_decimal

__all__ = ["Bai2File", "parse_bai2", "read_bai2"]

_RECORD_CODES = frozenset(("01", "02", "03", "16", "49", "88", "98", "99"))
_OPENING_CODES = _RECORD_CODES - {"88"}  # codes that begin a logical record
# A record packed behind another on one physical line: after a '/', optional blanks, then a known code and a comma.
# The '/' stays with the record it closes; the blanks are dropped.
_PACKED_SPLIT = re.compile(r"(?<=/) *(?=(?:01|02|03|16|49|88|98|99),)")
_VERSIONS = {"2": "", "3": "BTRS_V3"}
_BALANCE_TYPES = {"010": "OPBD", "015": "CLBD", "040": "OPAV", "045": "CLAV"}
_REPORT_KINDS = {"": "FINAL", "2": "FINAL", "1": "INTERIM", "3": "INTERIM", "4": "INTERIM"}
_GROUP_STATUSES = frozenset(("1", "2", "3", "4"))
# Extra fields after a funds type. D is variable: a count n, then n (days, amount) pairs.
_FUNDS_EXTRAS = {"": 0, "0": 0, "1": 0, "2": 0, "Z": 0, "S": 3, "V": 2}
_FUNDS_WITH_EXTRAS = frozenset(("S", "V", "D"))
_FUNDS_EXPECTED = "0, 1, 2, Z, S, V, D or blank"
_DISTRIBUTIONS_MAX = 99  # bound on a D funds type's (days, amount) pairs
_AMOUNT_DIGITS_MAX = 24  # amounts beyond 10**24 minor units are refused (Decimal's default context would round them)
_FIXED_WIDTH = 80
_TAG_NAME_MAX = 20  # "SENDER BNK:=", "EREF:": a tag is a short upper-case name before a colon

# Type code classes. STATUS: balances (001-099); BANK_STATUS: bank-defined status (900-919); CREDIT, DEBIT;
# INFO: 890 non-monetary; UNCLASSIFIED: 000, 700-889 and 891-899 (accepted in an 03 summary, refused in a 16).
_STATUS, _BANK_STATUS, _CREDIT, _DEBIT, _INFO, _UNCLASSIFIED = (
    "STATUS", "BANK_STATUS", "CREDIT", "DEBIT", "INFO", "UNCLASSIFIED",
)
_TYPE_RANGES = (
    (0, 0, _UNCLASSIFIED), (1, 99, _STATUS), (100, 399, _CREDIT), (400, 699, _DEBIT), (700, 889, _UNCLASSIFIED),
    (890, 890, _INFO), (891, 899, _UNCLASSIFIED), (900, 919, _BANK_STATUS), (920, 959, _CREDIT), (960, 999, _DEBIT),
)
_TYPE_CLASSES = {f"{n:03d}": kind for low, high, kind in _TYPE_RANGES for n in range(low, high + 1)}
_DETAIL_STATUS = {_CREDIT: "BOOK", _DEBIT: "BOOK", _INFO: "INFO", _BANK_STATUS: "INFO"}
# A 16 type code that can be signed: its entry's direction, status and sign (a debit's amount is negated).
_DIRECTIONS = {code: "DEBIT" if kind is _DEBIT else "CREDIT"
               for code, kind in _TYPE_CLASSES.items() if kind in _DETAIL_STATUS}
_STATUSES = {code: _DETAIL_STATUS[_TYPE_CLASSES[code]] for code in _DIRECTIONS}
_FACTORS = {code: -1 if direction == "DEBIT" else 1 for code, direction in _DIRECTIONS.items()}
_DEBIT_CODES = frozenset(code for code, direction in _DIRECTIONS.items() if direction == "DEBIT")
_PLAIN_FUNDS = frozenset(("", "0", "1", "2", "Z"))  # funds types with no extra fields

# The record a state accepts next, and the state it leads to. 16 in ACCOUNT is the reader's hot path.
_START, _FILE, _GROUP, _ACCOUNT, _END = "START", "FILE", "GROUP", "ACCOUNT", "END"
_NEXT_STATE = {
    (_START, "01"): _FILE, (_FILE, "02"): _GROUP, (_FILE, "99"): _END, (_GROUP, "03"): _ACCOUNT,
    (_GROUP, "98"): _FILE, (_ACCOUNT, "16"): _ACCOUNT, (_ACCOUNT, "49"): _GROUP,
}
# A logical record: code, first physical line, body after "NN,", continuations (is_88, text) or None, trailer weight.
# A run of plain 16 lines and their 88s (see _logical_records) is ``(_RUN, first line, [the lines], folds, how many)``.
_Record = tuple[str, int, "str | list[str]", "list[tuple[bool, str]] | None", int]
_RUN = "16 run"
# An account's pending 16s as six columns: type code, amount, funds type, bank reference, customer reference, text.
_Columns = tuple[list[str], list[str], list[str], list[str], list[str], list[str]]
# A plain 16 line's fields: type code, amount, funds type, bank reference, customer reference, text (with its ',').
_plain_fields = methodcaller("split", ",", 5)
_plain_body = itemgetter(slice(3, -1))  # the line without its "16," and its closing '/'
_id_key = "\x1f".join  # a 16's id key text: its account's id prefix, then its fields as written, joined by \x1f
_EXPECTED_NEXT = {_START: "01", _FILE: "02 or 99", _GROUP: "03 or 98", _ACCOUNT: "16 or 49", _END: "nothing after 99"}


class Bai2File(NamedTuple):
    """A BAI2 file read and proved.

    source_file: the name the caller passed (the path relative to the landing root).
    sender / receiver / file_id / creation_date / version: from the 01 record (creation_date None when blank).
    variants: the bank variants the file used, sorted (see the module docstring).
    statements: one per (group, account), in file order.
    control_total: the 99 record's file control total as written, in raw implied minor units.
    group_count / record_count: the 02 records and the logical records we counted (01 and 99 included).
    problems: lenient mode only: every trailer mismatch, in file order (strict mode raises the first instead).
    """

    source_file: str
    sender: str
    receiver: str
    file_id: str
    creation_date: date | None
    version: str
    variants: tuple[str, ...]
    statements: tuple[BankStatement, ...]
    control_total: Decimal
    group_count: int
    record_count: int
    problems: tuple[Problem, ...]


def read_bai2(path: Path, source_file: str, *, strict: bool = True) -> Bai2File:
    """Read and prove the BAI2 file at ``path`` (UTF-8, or Latin-1 when it is not valid UTF-8)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise LandingError(f"{source_file}: cannot read {path}: {error}") from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # every byte maps: a bank's Latin-1 narrative is not a reason to reject
    return parse_bai2(text, source_file, strict=strict)


def parse_bai2(text: str, source_file: str, *, strict: bool = True) -> Bai2File:
    """Parse BAI2 ``text``; strict mode raises FileRejected at the first trailer mismatch, lenient collects them."""
    variants: set[str] = set()
    lines = _physical_lines(text, variants)
    with _cyclic_gc_paused():
        return _Reader(source_file, strict, variants).run(_logical_records(lines, source_file, variants))


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a file is parsed, and restore it after.

    A parse allocates hundreds of thousands of acyclic objects (tuples, strings, Decimals) that reference counting
    frees; the cyclic collector only re-scans them, which measured as half the parse time on a 200k-record file.
    Nothing here creates a cycle, so pausing loses nothing; the previous state is restored even on error.

    What a parse returns lives as long as the statements: after a parse the collector's objects are moved to its
    oldest generation (``gc.freeze`` then ``gc.unfreeze``, two list splices), so the young collections that would
    otherwise scan each entry twice on its way there (0.7 s for a million entries, the first right after the parse)
    do not happen. Skipped when someone else holds frozen objects, which unfreeze would release.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
    finally:
        if was_enabled:
            gc.enable()


class _BadField(Exception):
    """A field a pure helper cannot read; the reader turns it into FileRejected with the line."""

    def __init__(self, field: str, code: str, expected: str, found: str) -> None:
        super().__init__(field)
        self.field, self.code, self.expected, self.found = field, code, expected, found


def _rejection(source_file: str, line_no: int, record: str, bad: _BadField, message: str) -> FileRejected:
    """The FileRejected for a field that cannot be read (line 0: the file as a whole, e.g. an empty file)."""
    location = f"line {line_no} ({record})" if line_no else ""
    problem = Problem("FILE", source_file, location, "", bad.field, bad.code, bad.expected, bad.found, message)
    return FileRejected(problem)


def _physical_lines(text: str, variants: set[str]) -> list[str]:
    """The file's physical lines with CR, trailing blanks and a leading byte-order mark removed."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text and "\r\n" in text:  # a lone CR is quick to look for; most files have none
        variants.add("CRLF")
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if all(len(line) == _FIXED_WIDTH for line in lines if line) and any(line[-1:] == " " for line in lines):
        variants.add("FIXED_80")
    # A line has something to strip only if the text has a blank before a line end or at its end, a lone CR or a
    # \x1a (a DOS end-of-file mark): most files have none, and are not copied line by line.
    if " \n" in text or text.endswith(" ") or "\r" in text or "\x1a" in text:
        lines = [line.rstrip(" \r\x1a") for line in lines]
    return lines


def _logical_records(lines: list[str], source_file: str, variants: set[str]) -> Iterator[_Record]:
    """Split packed lines, join wrapped lines and 88s: yield ``(code, line_no, body, continuations, weight)``.

    body is the record after its ``NN,``; continuations is None or a list of ``(is_88, text)``; weight is the logical
    records it counts for in trailers (1 plus its 88s). A record is yielded when the next one begins (streaming keeps
    no per-record objects alive, which matters to the garbage collector on large files).

    Consecutive plain 16 lines (``16,`` and one '/', the last character: the bulk of a file), each with the simple 88
    lines that follow it (one record each, see below), are yielded as one run, ``(_RUN, first line_no, [the lines],
    folds, how many)``; folds lists ``[index, count]`` for each 16 of the run continued by ``count`` 88 lines. The run
    ends at the first other line; when that line is not an opening record, the run's last 16 (with its 88s) becomes the
    record it may continue.
    """
    code = ""
    first_line, body, continuations, weight = 0, "", None, 0
    run = last = 0  # the first line of the run being gathered (0: none) and its last 16
    folds: list[list[int]] = []
    for line_no, line in enumerate(lines, 1):
        if line[:3] == "16," and line.find("/") == len(line) - 1:
            if not run:
                if code:
                    yield code, first_line, body, continuations, weight
                    code = ""
                run, folds = line_no, []
            last = line_no
            continue
        # An 88 of one record (no '/' before its last character, or none followed by a record code) continuing a run
        if run and line[:3] == "88," and (line.find("/") in (-1, len(line) - 1) or not _PACKED_SPLIT.search(line)):
            if last == line_no - 1:
                folds.append([last - run, 1])
            else:
                folds[-1][1] += 1
            continue
        # The common line: one whole record, a known code other than 88, no '/' before its last character.
        if line[2:3] == "," and line[:2] in _OPENING_CODES and line.find("/") in (-1, len(line) - 1):
            if run:
                yield _RUN, run, lines[run - 1:line_no - 1], folds, line_no - run
                run = 0
            elif code:
                yield code, first_line, body, continuations, weight
            code, first_line, body, continuations, weight = line[:2], line_no, line[3:], None, 1
            continue
        if run:  # the run's last 16 may be continued by what follows: it becomes the record being gathered
            if folds and folds[-1][0] == last - run:
                folds.pop()
            if run < last:
                yield _RUN, run, lines[run - 1:last - 1], folds, last - run
            code, first_line, body, weight = "16", last, lines[last - 1][3:], line_no - last
            continuations = [(True, piece[3:]) for piece in lines[last:line_no - 1]] or None
            run = 0
        if not line:
            continue
        slash = line.find("/")
        pieces = (line,) if slash == -1 or slash == len(line) - 1 else _packed_pieces(line, variants)
        for piece in pieces:
            piece_code = piece[:2]
            starts_record = piece[2:3] == ","
            if starts_record and piece_code in _RECORD_CODES and piece_code != "88":
                if code:
                    yield code, first_line, body, continuations, weight
                code, first_line, body, continuations, weight = piece_code, line_no, piece[3:], None, 1
                continue
            if starts_record and piece_code.isdigit() and piece_code != "88":
                bad = _BadField("record code", "UNKNOWN_RECORD_CODE", "01, 02, 03, 16, 49, 88, 98 or 99", piece_code)
                raise _rejection(source_file, line_no, piece_code, bad,
                                 f"line {line_no} starts with unknown record {piece_code}")
            if not code:
                bad = _BadField("record code", "NOT_BAI2", "01", piece_code)
                raise _rejection(source_file, line_no, piece_code, bad, "a BAI2 file starts with an 01 record")
            if continuations is None:
                continuations = []
            if starts_record:  # an 88
                continuations.append((True, piece[3:]))
                weight += 1
            else:
                variants.add("WRAPPED_LINES")
                continuations.append((False, piece))
    if run:
        yield _RUN, run, lines[run - 1:], folds, len(lines) + 1 - run
    elif code:
        yield code, first_line, body, continuations, weight


def _packed_pieces(line: str, variants: set[str]) -> list[str]:
    """The records packed on one physical line (one piece when there is no packing)."""
    pieces = _PACKED_SPLIT.split(line)
    if len(pieces) > 1:
        variants.add("PACKED_RECORDS")
    return pieces


def _strip_slash(text: str) -> str:
    """``text`` without its closing ``/``."""
    return text[:-1] if text.endswith("/") else text


def _merged(body: str, continuations: list[tuple[bool, str]] | None) -> str:
    """A non-16 record's fields with its continuations joined, without the closing ``/``."""
    if continuations:
        for is_88, piece in continuations:
            body = f"{_strip_slash(body)},{piece}" if is_88 else body + piece
    return _strip_slash(body)


def _fields(body: str, continuations: list[tuple[bool, str]] | None, count: int) -> list[str]:
    """A fixed-layout record's fields, padded with blanks to ``count``."""
    fields = _merged(body, continuations).split(",")
    if len(fields) < count:
        fields += [""] * (count - len(fields))
    return fields


def _distribution_pairs(count_text: str, record: str) -> int:
    """The number of (days, amount) pairs a D funds type announces (blank: none)."""
    if not count_text:
        return 0
    if not count_text.isdigit() or not count_text.isascii() or int(count_text) > _DISTRIBUTIONS_MAX:
        raise _BadField(f"{record} funds type D count", "BAD_FIELD", f"0 to {_DISTRIBUTIONS_MAX}", count_text)
    return int(count_text)


def _split_detail(body: str) -> tuple[list[str], str | None]:
    """A 16's fields (without the closing ``/``): the fixed ones padded, and its text (None if not begun).

    fixed is ``[type, amount, funds, *extras, bank reference, customer reference]``; for D the extras are the count
    and the pairs.
    """
    head = body.split(",", 3)
    if len(head) < 4:
        head += [""] * (4 - len(head))
    funds, rest = head[2], head[3]
    fixed = head[:3]
    extras = _FUNDS_EXTRAS.get(funds)
    if extras is None:
        if funds != "D":
            raise _BadField("16 funds type", "BAD_FIELD", _FUNDS_EXPECTED, funds)
        count_text, _, rest = rest.partition(",")
        extras = 2 * _distribution_pairs(count_text, "16")
        fixed.append(count_text)
    tail = rest.split(",", extras + 2)
    text = tail.pop() if len(tail) == extras + 3 else None
    if len(tail) < extras + 2:
        tail += [""] * (extras + 2 - len(tail))
    fixed += tail
    return fixed, text


def _bulk_unreadable(columns: _Columns, irregular: dict[int, list[str]]) -> list[int]:
    """The indices, in order, of the pending 16 rows (``columns``) the bulk cannot read: the full reader reads them.

    A plain row is ``[type, amount, funds, bank reference, customer reference, text]`` (all six present, so not in
    ``irregular``) with a type code that signs it, a funds type with no extra fields and an amount of 1 to 24 plain
    digits. The common case, every row plain, is proved over whole columns.
    """
    type_codes, amount_texts, funds = columns[0], columns[1], columns[2]
    digits = "".join(amount_texts)
    if (not irregular and _DIRECTIONS.keys() >= set(type_codes) and _PLAIN_FUNDS.issuperset(funds)
            and all(amount_texts) and digits.isdigit() and digits.isascii()
            and max(map(len, amount_texts)) <= _AMOUNT_DIGITS_MAX):
        return []
    return [index for index, (type_code, amount_text, fund) in enumerate(zip(type_codes, amount_texts, funds))
            if index in irregular or type_code not in _DIRECTIONS or fund not in _PLAIN_FUNDS
            or not (amount_text.isdigit() and amount_text.isascii() and len(amount_text) <= _AMOUNT_DIGITS_MAX)]


def _row_ids(keys: Iterable[str]) -> list[str]:
    """:func:`recon.domain.row_id_of` of every key (the id of a first occurrence), in bulk."""
    ids = []
    append, new_digest = ids.append, ROW_ID_HASH.copy
    for key in keys:
        digest = new_digest()
        digest.update(key.encode())
        append(digest.hexdigest())
    return ids


def _is_tagged(piece: str) -> bool:
    """True when an 88's text is a ``TAG: value`` narrative (``EREF: 1111``, ``OBI:=INVOICE``)."""
    colon = piece.find(":")
    name = piece[:colon].replace(" ", "")
    return 0 < colon <= _TAG_NAME_MAX and name.isalpha() and name.isupper()


def _continued_detail(body: str, continuations: list[tuple[bool, str]],
                      variants: set[str]) -> tuple[list[str], str]:
    """A 16 with continuations: its fixed fields and its text, the text pieces joined with single spaces."""
    fixed, text = _split_detail(body)
    pieces = [] if text is None else [text]
    for is_88, piece in continuations:
        piece = _strip_slash(piece)
        if is_88 and _is_tagged(piece):
            variants.add("TAGGED_88")
        if text is None:
            body = f"{body},{piece}" if is_88 else body + piece
            fixed, text = _split_detail(body)
            if text is not None:
                pieces.append(text)
            continue
        pieces.append(piece)
    stripped = [piece.strip() for piece in pieces]
    return fixed, " ".join(piece for piece in stripped if piece)


def _plain_continued_detail(body: str, continuations: list[tuple[bool, str]], variants: set[str]) -> list[str] | None:
    """A continued 16's ``[type, amount, funds, bank reference, customer reference, text]`` when its own line is
    closed by ``/`` and its funds type has no extra fields; else None (the reader's _detail then reads it whole)."""
    if not _own_line_closed(body, continuations):
        return None
    try:
        fixed, text = _continued_detail(_strip_slash(body), continuations, variants)
    except _BadField:
        return None
    if len(fixed) != 5:
        return None
    fixed.append(text)
    return fixed


def _gather_run(account: _Account, first_line: int, lines: list[str], folds: list[list[int]], variants: set[str]) -> int:
    """Add a run's 16s (see :func:`_logical_records`) to the account's pending rows and lines; the number of 16s.

    A 16 continued by 88s keeps its record, for :meth:`_Reader._settle` to read whole if the bulk cannot."""
    numbers = account.numbers
    base = len(numbers)  # the index the run's first 16 gets among the account's pending rows
    if folds:
        sixteens: list[str] = []
        start = 0  # the index of the first line not gathered yet
        for index, count in folds:
            sixteens += lines[start:index + 1]
            numbers.extend(range(first_line + start, first_line + index + 1))
            start = index + 1 + count
        sixteens += lines[start:]
        numbers.extend(range(first_line + start, first_line + len(lines)))
    else:
        sixteens = lines
        numbers.extend(range(first_line, first_line + len(lines)))
    _add_rows(account, sixteens, base)
    eighty_eights = 0  # the 88 lines before the fold's 16
    for index, count in folds:
        row = base + index - eighty_eights
        pieces = [line[3:] for line in lines[index + 1:index + 1 + count]]
        _fold_88s(account, row, pieces, variants)
        account.continued[row] = ("16", first_line + index, lines[index][3:], [(True, piece) for piece in pieces],
                                  1 + count)
        eighty_eights += count
    return len(sixteens)


def _add_rows(account: _Account, sixteens: list[str], base: int) -> None:
    """Split plain 16 lines (``16,`` ... ``/``, no other '/') into the account's pending columns.

    When every line has exactly six commas (six fields, no comma in the text: the common case) the lines are split
    together: joined, their ``/`` + line end + ``16,`` made one comma, split once and dealt into the six columns.
    Otherwise each line is split on its own; a line of fewer than six fields is kept whole in ``irregular``.
    """
    columns = account.columns
    if set(map(str.count, sixteens, repeat(","))) == {6}:
        fields = "\n".join(sixteens)[3:-1].replace("/\n16,", ",").split(",")
        for position, column in enumerate(columns):
            column += fields[position::6]
        return
    for index, row in enumerate(map(_plain_fields, map(_plain_body, sixteens)), base):
        _add_row(account, row, index)


def _add_row(account: _Account, row: list[str], index: int) -> None:
    """Add one 16's fields, pending row ``index``, to the account's columns (blanks and ``irregular`` when short)."""
    if len(row) == 6:
        for column, value in zip(account.columns, row):
            column.append(value)
        return
    account.irregular[index] = row
    for column in account.columns:
        column.append("")


def _fold_88s(account: _Account, row: int, pieces: list[str], variants: set[str]) -> None:
    """Join the texts of the 88s ``pieces`` to the text of a plain 16, pending ``row``, as :func:`_continued_detail`
    does.

    A row that is not six fields with a funds type with no extras is left as it is: it is not plain, and is read whole
    from its record."""
    columns = account.columns
    if row in account.irregular or columns[2][row] not in _PLAIN_FUNDS:
        return
    texts = [columns[5][row].strip()]
    for piece in pieces:
        if piece[-1:] == "/":
            piece = piece[:-1]
        if ":" in piece and _is_tagged(piece):
            variants.add("TAGGED_88")
        texts.append(piece.strip())
    columns[5][row] = " ".join(filter(None, texts))


def _own_line_closed(body: str, continuations: list[tuple[bool, str]] | None) -> bool:
    """True when a 16's own physical record (wrapped lines included, 88s not) ends with ``/``."""
    last = body
    for is_88, piece in continuations or ():
        if is_88:
            break
        last = piece
    return last.endswith("/")


def _detail_parts(body: str, continuations: list[tuple[bool, str]] | None,
                  variants: set[str]) -> tuple[list[str], str]:
    """A 16's fixed fields and its text."""
    if continuations is None:
        if body.endswith("/"):
            body = body[:-1]
        else:
            variants.add("NO_SLASH_16")
        fixed, text = _split_detail(body)
        return fixed, (text.strip() if text else "")
    if not _own_line_closed(body, continuations):
        variants.add("NO_SLASH_16")
    return _continued_detail(_strip_slash(body), continuations, variants)


class _Group:
    """A group being read: its header values and what its 98 must agree with."""

    __slots__ = ("ordinal", "as_of_date", "as_of_text", "report_kind", "status", "currency", "accounts", "weight",
                 "total_49s")

    def __init__(self, ordinal: int, as_of_date: date, report_kind: str, status: str, currency: str) -> None:
        self.ordinal, self.as_of_date, self.as_of_text = ordinal, as_of_date, str(as_of_date)
        self.report_kind, self.status, self.currency = report_kind, status, currency
        self.accounts = 0
        self.weight = 0
        self.total_49s = 0


class _Account:
    """An account being read: its identity, currency and what its 49 must agree with.

    Its 16s are read in bulk: each is parsed into the pending ``columns`` (type, amount, funds, bank ref, customer
    ref, text, as written) with its line in ``numbers``, and :meth:`_Reader._settle` turns them into entries at the 49,
    before a 16 the bulk cannot read, or when the file is rejected (so that the first bad record in file order is
    reported). The entries are kept as columns too (:class:`_EntryColumns`).
    """

    __slots__ = ("ordinal", "account_id", "currency", "as_of_date", "exponent", "id_prefix", "seen", "total", "weight",
                 "balances", "entries", "columns", "irregular", "numbers", "continued")

    def __init__(self, ordinal: int, account_id: str, currency: str, as_of_date: date, places: int, id_prefix: str,
                 seen: dict[str, int]) -> None:
        self.ordinal, self.account_id, self.currency, self.as_of_date = ordinal, account_id, currency, as_of_date
        self.exponent = -places  # the currency's implied decimal places, as a power of ten
        self.id_prefix = id_prefix  # the start of its 16s' id key texts (see _Reader._add_entries)
        self.seen = seen  # the counter's index of ids with that prefix (OccurrenceCounter.scope)
        self.total = 0
        self.weight = 0
        self.balances: list[BankBalance] = []
        self.entries = _EntryColumns()
        self.columns: _Columns = ([], [], [], [], [], [])  # the 16s read and not yet settled
        self.irregular: dict[int, list[str]] = {}  # those of fewer than six fields (blank in columns), by index
        self.numbers: list[int] = []  # their lines
        self.continued: dict[int, _Record] = {}  # the rows that came from a continued 16 (by index): their records


class _EntryColumns:
    """An account's entries as they are settled, field by field (see :class:`recon.domain.BankEntries`)."""

    __slots__ = ("record_ids", "lines", "value_dates", "type_codes", "directions", "units", "funds_types",
                 "bank_references", "customer_references", "texts", "statuses")

    def __init__(self) -> None:
        self.record_ids: list[str] = []
        self.lines: list[int] = []
        self.value_dates: list[date | None] = []
        self.type_codes: list[str] = []
        self.directions: list[str] = []
        self.units: list[int] = []  # signed amounts in the currency's minor units
        self.funds_types: list[str] = []
        self.bank_references: list[str] = []
        self.customer_references: list[str] = []
        self.texts: list[str] = []
        self.statuses: list[str] = []

    def entries(self, source_file: str, account: _Account) -> BankEntries:
        """The account's entries, its own values repeated for each."""
        count = len(self.record_ids)
        return BankEntries({
            "source_file": [source_file] * count, "record_id": self.record_ids, "location": LineLocations(self.lines),
            "bank_account_id": [account.account_id] * count, "currency": [account.currency] * count,
            "as_of_date": [account.as_of_date] * count, "value_date": self.value_dates, "type_code": self.type_codes,
            "direction": self.directions, "amount": ScaledDecimals(self.units, account.exponent),
            "funds_type": self.funds_types, "bank_reference": self.bank_references,
            "customer_reference": self.customer_references, "text": self.texts, "status": self.statuses,
            "reversal": [False] * count,
        })


class _Reader:
    """Walks the logical records in order, builds the statements and proves every trailer."""

    def __init__(self, source_file: str, strict: bool, variants: set[str]) -> None:
        self.source_file = source_file
        self.strict = strict
        self.variants = variants
        self.counter = OccurrenceCounter(source_file)
        self.problems: list[Problem] = []
        self.statements: list[BankStatement] = []
        self.dates: dict[str, date] = {}
        self.header: tuple[str, str, str, date | None, str] = ("", "", "", None, "")
        self.group: _Group | None = None
        self.account: _Account | None = None
        self.groups = 0
        self.weight = 0
        self.total_98s = 0
        self.control_total = 0

    def run(self, records: Iterator[_Record]) -> Bai2File:
        """Walk the records through the state machine and return the file."""
        try:
            return self._walk(records)
        except FileRejected:
            if self.account is not None:  # a 16 read before the rejected record and not yet settled comes first
                self._settle(self.account)
            raise

    def _walk(self, records: Iterator[_Record]) -> Bai2File:
        state = _START
        handlers = {"01": self._file_header, "02": self._group_header, "03": self._account_header,
                    "49": self._account_trailer, "98": self._group_trailer, "99": self._file_trailer}
        variants = self.variants
        details = weight = 0
        account: _Account | None = None
        record: _Record = ("", 0, "", None, 0)
        for record in records:
            code, line_no, body, continuations, record_weight = record
            weight += record_weight
            if state is _ACCOUNT:
                # 16s, the bulk of a file, are parsed into the account's rows and settled in bulk (see _Account).
                if code is _RUN:
                    details += _gather_run(account, line_no, body, continuations, variants)
                    account.weight += record_weight
                    continue
                if code == "16":
                    details += 1
                    account.weight += record_weight
                    if continuations is None:
                        parts = body[:-1].split(",", 5) if body[-1:] == "/" else None
                    else:
                        parts = _plain_continued_detail(body, continuations, variants)
                        if parts is not None:
                            account.continued[len(account.numbers)] = record
                    if parts is None:
                        self._settle(account)
                        self._detail(record)
                    else:
                        _add_row(account, parts, len(account.numbers))
                        account.numbers.append(line_no)
                    continue
            elif code is _RUN:
                record = ("16", line_no, body[0][3:], None, 1)  # out of order: its first line is reported
                code = "16"
            following = _NEXT_STATE.get((state, code))
            if following is None:
                self._out_of_order(record, state)
            self.weight = weight
            handlers[code](record)
            state = following
            account = self.account
        if state is _START:
            self._reject(0, "", "record code", "NOT_BAI2", "01", "no records", "the file holds no BAI2 records")
        if state is not _END:
            self._reject(record[1], record[0], "record code", "MISSING_TRAILER", _EXPECTED_NEXT[state],
                         "end of file", "the file ends before its 99 file trailer")
        return self._result(details)

    def _settle(self, account: _Account) -> None:
        """Turn the account's pending 16 rows into entries, in file order.

        Rows the bulk can read become entries together; any other row (a funds type with extra fields, a short
        record, anything to reject: :func:`_bulk_unreadable`) goes through :meth:`_detail`, which reads it whole.
        """
        numbers, columns, irregular, continued = account.numbers, account.columns, account.irregular, account.continued
        if not numbers:
            return
        account.numbers, account.columns, account.irregular, account.continued = [], ([], [], [], [], [], []), {}, {}
        start = 0
        for index in _bulk_unreadable(columns, irregular):
            if start < index:
                self._plain_entries(account, numbers[start:index], [column[start:index] for column in columns])
            row = irregular.get(index) or [column[index] for column in columns]
            self._detail(continued.get(index) or ("16", numbers[index], ",".join(row) + "/", None, 1))
            start = index + 1
        if start == 0:
            self._plain_entries(account, numbers, columns)
        elif start < len(numbers):
            self._plain_entries(account, numbers[start:], [column[start:] for column in columns])

    def _plain_entries(self, account: _Account, numbers: Sequence[int], columns: Sequence[list[str]]) -> None:
        """The entries of plain 16 rows (see :func:`_bulk_unreadable`), given as columns."""
        type_codes, amount_texts, funds, bank_references, customer_references, texts = columns
        units = list(map(int, amount_texts))
        account.total += sum(units)
        if not _DEBIT_CODES.isdisjoint(type_codes):
            units = list(map(mul, units, map(_FACTORS.__getitem__, type_codes)))
        self._add_entries(account, numbers, type_codes, amount_texts, funds, list(map(str.strip, bank_references)),
                          list(map(str.strip, customer_references)), list(map(str.strip, texts)), units, funds,
                          [None] * len(units))

    def _add_entries(self, account: _Account, numbers: Sequence[int], type_codes: Sequence[str],
                     amount_texts: Sequence[str], funds_fields: Sequence[str], bank_references: Sequence[str],
                     customer_references: Sequence[str], texts: Sequence[str], units: Sequence[int],
                     funds: Sequence[str], value_dates: Sequence[date | None]) -> None:
        """Append the account's entries for 16s given as columns (``units``: the amounts signed, in minor units): ids,
        directions and statuses in bulk.

        An id's key is the account's prefix and the 16's fields as written (references and text stripped, the funds
        type with its extra fields); the first occurrence of a key gets the key's hash, a repeat is numbered by the
        counter, in file order (:meth:`recon.domain.OccurrenceCounter.key_id`).
        """
        keys = list(map(_id_key, zip(repeat(account.id_prefix), type_codes, amount_texts, funds_fields,
                                     bank_references, customer_references, texts)))
        record_ids = _row_ids(keys)
        seen = account.seen
        fresh = dict.fromkeys(record_ids, 1)
        if len(fresh) == len(record_ids) and seen.keys().isdisjoint(fresh):
            seen.update(fresh)
        else:
            key_id = self.counter.key_id
            record_ids = [key_id(key, seen) for key in keys]
        entries = account.entries
        entries.record_ids += record_ids
        entries.lines += numbers
        entries.value_dates += value_dates
        entries.type_codes += type_codes
        entries.directions += map(_DIRECTIONS.__getitem__, type_codes)
        entries.units += units
        entries.funds_types += funds
        entries.bank_references += bank_references
        entries.customer_references += customer_references
        entries.texts += texts
        entries.statuses += map(_STATUSES.__getitem__, type_codes)

    def _result(self, details: int) -> Bai2File:
        """The Bai2File once the 99 has been read; every 16 read is an entry of exactly one statement."""
        sender, receiver, file_id, creation_date, version = self.header
        entries = sum(len(statement.entries) for statement in self.statements)
        invariant(entries == details, f"{self.source_file}: {details} 16 records became {entries} entries")
        return Bai2File(self.source_file, sender, receiver, file_id, creation_date, version,
                        tuple(sorted(self.variants)), tuple(self.statements), Decimal(self.control_total),
                        self.groups, self.weight, tuple(self.problems))

    def _reject(self, line_no: int, record: str, field: str, code: str, expected: str, found: str,
                message: str) -> NoReturn:
        """Reject the file whole."""
        raise _rejection(self.source_file, line_no, record, _BadField(field, code, expected, found), message)

    def _out_of_order(self, record: _Record, state: str) -> NoReturn:
        """Reject a record the state machine does not expect here."""
        code, line_no = record[0], record[1]
        if state is _START:
            self._reject(line_no, code, "record code", "NOT_BAI2", "01", code, "a BAI2 file starts with an 01 record")
        self._reject(line_no, code, "record code", "RECORD_OUT_OF_ORDER", _EXPECTED_NEXT[state], code,
                     f"a {code} record cannot come here: the file expects {_EXPECTED_NEXT[state]}")

    def _date(self, text: str, line_no: int, record: str, field: str) -> date:
        """A YYMMDD date (70-99: 19xx, else 20xx); an impossible date rejects the file."""
        cached = self.dates.get(text)
        if cached is not None:
            return cached
        try:
            if len(text) != 6 or not text.isdigit() or not text.isascii():
                raise ValueError(text)
            year = int(text[:2])
            value = date(year + (1900 if year >= 70 else 2000), int(text[2:4]), int(text[4:6]))
        except ValueError:
            self._reject(line_no, record, field, "BAD_DATE", "a date YYMMDD", text,
                         f"{field} {text!r} on line {line_no} is not a date")
        self.dates[text] = value
        return value

    def _currency(self, text: str, line_no: int, record: str) -> None:
        """Check that ``text`` is an ISO 4217 code."""
        try:
            currency_places(text)
        except MoneyError:
            self._reject(line_no, record, f"{record} currency", "BAD_FIELD", "an ISO 4217 code", text,
                         f"{record} currency {text!r} on line {line_no} is not an ISO 4217 code")

    def _amount(self, text: str, currency: str, line_no: int, record: str, field: str) -> tuple[int, Decimal]:
        """An amount as a raw integer (for trailers) and as an exact Decimal with the currency's places."""
        try:
            if len(text) > _AMOUNT_DIGITS_MAX and len(text.lstrip("+-")) > _AMOUNT_DIGITS_MAX:
                raise MoneyError(text)
            value = implied_decimal(text, currency)
        except MoneyError:
            self._reject(line_no, record, field, "BAD_AMOUNT",
                         f"up to {_AMOUNT_DIGITS_MAX} digits with an optional sign", text,
                         f"{field} {text!r} on line {line_no} is not a BAI2 amount")
        return int(text), value

    def _integer(self, text: str, line_no: int, record: str, field: str, signed: bool) -> int:
        """A trailer total (signed) or count (unsigned) as a raw integer."""
        body = text[1:] if signed and text[:1] in ("+", "-") else text
        if not body.isdigit() or not body.isascii() or len(body) > _AMOUNT_DIGITS_MAX:
            expected = "digits with an optional sign" if signed else "digits"
            self._reject(line_no, record, field, "BAD_AMOUNT" if signed else "BAD_COUNT", expected, text,
                         f"{field} {text!r} on line {line_no} is not a number")
        return int(text)

    def _check(self, line_no: int, record: str, field: str, computed: int, written: int, whose: str) -> None:
        """Compare a trailer with what we counted: reject (strict) or collect (lenient) a mismatch."""
        if computed == written:
            return
        is_total = field.endswith("total")
        noun = "the amounts sum to" if is_total else "the file holds"
        problem = Problem("FILE", self.source_file, f"line {line_no} ({record})", "", field,
                          "TRAILER_TOTAL_MISMATCH" if is_total else "TRAILER_COUNT_MISMATCH", str(computed),
                          str(written), f"the {record} of {whose} says {field.split(' ', 1)[1]} {written}, "
                          f"but {noun} {computed}")
        if self.strict:
            raise FileRejected(problem)
        self.problems.append(problem)

    def _file_header(self, record: _Record) -> None:
        """01: sender, receiver, creation date, creation time, file id, record length, block size, version."""
        line_no = record[1]
        fields = _fields(record[2], record[3], 8)
        version = fields[7].strip()
        variant = _VERSIONS.get(version)
        if variant is None:
            self._reject(line_no, "01", "01 version", "UNSUPPORTED_VERSION", "2 or 3", version,
                         f"BAI version {version!r} is not supported")
        if variant:
            self.variants.add(variant)
        created = fields[2].strip()
        creation_date = self._date(created, line_no, "01", "01 creation date") if created else None
        self.header = (fields[0].strip(), fields[1].strip(), fields[4].strip(), creation_date, version)

    def _group_header(self, record: _Record) -> None:
        """02: ultimate receiver, originator, group status, as-of date, as-of time, currency, as-of-date modifier."""
        line_no = record[1]
        fields = _fields(record[2], record[3], 7)
        status, modifier = fields[2].strip(), fields[6].strip()
        if status not in _GROUP_STATUSES:
            self._reject(line_no, "02", "02 group status", "BAD_FIELD", "1, 2, 3 or 4", status,
                         f"02 group status {status!r} on line {line_no} is not 1, 2, 3 or 4")
        report_kind = _REPORT_KINDS.get(modifier)
        if report_kind is None:
            self._reject(line_no, "02", "02 as-of-date modifier", "BAD_FIELD", "1, 2, 3, 4 or blank", modifier,
                         f"02 as-of-date modifier {modifier!r} on line {line_no} is not 1, 2, 3, 4 or blank")
        currency = fields[5].strip() or "USD"
        self._currency(currency, line_no, "02")
        as_of_date = self._date(fields[3].strip(), line_no, "02", "02 as-of date")
        self.groups += 1
        self.group = _Group(self.groups, as_of_date, report_kind, status, currency)
        self.group.weight = record[4]

    def _account_header(self, record: _Record) -> None:
        """03: account number, currency, then the repeating status and summary items."""
        line_no = record[1]
        fields = _merged(record[2], record[3]).split(",")
        fields.append("")  # a bare ``03,acct/`` still has a (blank) currency
        account_id = fields[0].strip()
        if not account_id:
            self._reject(line_no, "03", "03 account number", "BAD_FIELD", "an account number", "",
                         f"the 03 on line {line_no} names no account")
        group = self.group
        currency = fields[1].strip() or group.currency
        if currency != group.currency:
            self._currency(currency, line_no, "03")
        id_prefix = f"{self.source_file}\x1f16\x1f{account_id}\x1f{currency}\x1f{group.as_of_text}"
        account = _Account(group.accounts + 1, account_id, currency, group.as_of_date, currency_places(currency),
                           id_prefix, self.counter.scope(id_prefix))
        account.weight = record[4]
        self.account = account
        self._summaries(fields[2:-1], account, line_no)

    def _summaries(self, fields: list[str], account: _Account, line_no: int) -> None:
        """The 03's repeating ``type, amount, item count, funds type [+extras]`` items; blank type fields skip."""
        i, n = 0, len(fields)
        while i < n:  # bound: i grows by at least one each turn
            type_code = fields[i]
            if not type_code:
                i += 1
                continue
            kind = _TYPE_CLASSES.get(type_code)
            if kind is None:
                self._reject(line_no, "03", "03 type code", "BAD_FIELD", "a three-digit type code", type_code,
                             f"03 type code {type_code!r} on line {line_no} is not a BAI2 type code")
            item = fields[i + 1:i + 4] + ["", "", ""]
            amount_text, count_text, funds = item[0], item[1], item[2]
            if count_text and not (count_text.isdigit() and count_text.isascii()):
                self._reject(line_no, "03", f"03 type {type_code} item count", "BAD_COUNT", "digits", count_text,
                             f"03 item count {count_text!r} of type {type_code} on line {line_no} is not a number")
            i += 4 + self._summary_extras(fields, i + 4, funds, line_no)
            if amount_text:
                self._summary_amount(account, type_code, kind, amount_text, line_no)

    def _summary_amount(self, account: _Account, type_code: str, kind: str, amount_text: str, line_no: int) -> None:
        """Add a summary amount to the account total; a status amount is also a BankBalance."""
        raw, amount = self._amount(amount_text, account.currency, line_no, "03", f"03 type {type_code} amount")
        account.total += raw
        if kind is _STATUS or kind is _BANK_STATUS:
            group = self.group
            record_id = self.counter.record_id("03", account.account_id, account.currency, group.as_of_text, type_code,
                                               str(amount))
            balance_type = _BALANCE_TYPES.get(type_code) or f"BAI{type_code}"
            account.balances.append(BankBalance(self.source_file, record_id, f"line {line_no}", account.account_id,
                                                account.currency, group.as_of_date, type_code, balance_type, amount))

    def _summary_extras(self, fields: list[str], start: int, funds: str, line_no: int) -> int:
        """How many fields follow an 03 funds type; S/D availability amounts and V dates are checked, not summed."""
        extras = _FUNDS_EXTRAS.get(funds)
        try:
            if extras is None:
                if funds != "D":
                    raise _BadField("03 funds type", "BAD_FIELD", _FUNDS_EXPECTED, funds)
                extras = 1 + 2 * _distribution_pairs(fields[start] if start < len(fields) else "", "03")
            self._check_funds(funds, fields[start:start + extras], line_no, "03")
        except _BadField as bad:
            raise _rejection(self.source_file, line_no, "03", bad, f"{bad.field} {bad.found!r} on line {line_no} "
                             f"is not valid: expected {bad.expected}") from None
        return extras

    def _check_funds(self, funds: str, extras: list[str], line_no: int, record: str) -> date | None:
        """Check a funds type's extras; return the V value date (None for other funds types or a blank date)."""
        if funds == "V":
            value_date = extras[0] if extras else ""
            return self._date(value_date, line_no, record, f"{record} value date") if value_date else None
        amounts = extras[2::2] if funds == "D" else extras
        for text in amounts:
            body = text[1:] if text[:1] in ("+", "-") else text
            if text and not (body.isdigit() and body.isascii()):
                raise _BadField(f"{record} funds type {funds} availability amount", "BAD_AMOUNT",
                                "digits with an optional sign", text)
        return None

    def _detail(self, record: _Record) -> None:
        """16 read whole (what the bulk cannot read): a transaction of the current account, appended as an entry
        with its content id. Its weight has been counted by the caller."""
        line_no = record[1]
        account = self.account
        body, value_date = record[2], None
        try:
            if record[3] is None and body[-1:] == "/":  # the common case: one physical record, closed by '/'
                fixed, text = _split_detail(body[:-1])
                text = text.strip() if text else ""
            else:
                fixed, text = _detail_parts(body, record[3], self.variants)
            funds = fixed[2]
            if funds in _FUNDS_WITH_EXTRAS:
                value_date = self._check_funds(funds, fixed[3:-2], line_no, "16")
        except _BadField as bad:
            raise _rejection(self.source_file, line_no, "16", bad, f"{bad.field} {bad.found!r} on line {line_no} "
                             f"is not valid: expected {bad.expected}") from None
        type_code, amount_text = fixed[0], fixed[1]
        kind = _TYPE_CLASSES.get(type_code)
        status = _DETAIL_STATUS.get(kind)
        if status is None:
            self._reject(line_no, "16", "16 type code", "UNKNOWN_TYPE_CODE",
                         "a transaction type code (100-699, 890, 900-999)", type_code,
                         f"16 type code {type_code!r} on line {line_no} is not a transaction code BAI2 can sign")
        if amount_text[:1] == "-" or (not amount_text and status == "BOOK"):
            self._reject(line_no, "16", "16 amount", "BAD_AMOUNT", "unsigned digits", amount_text,
                         f"16 amount {amount_text!r} on line {line_no}: detail amounts are unsigned digits")
        raw = self._amount(amount_text or "0", account.currency, line_no, "16", "16 amount")[0]
        account.total += raw
        self._add_entries(account, (line_no,), (type_code,), (amount_text,), (",".join(fixed[2:-2]),),
                          (fixed[-2].strip(),), (fixed[-1].strip(),), (text,), (raw * _FACTORS[type_code],), (funds,),
                          (value_date,))

    def _account_trailer(self, record: _Record) -> None:
        """49: account control total and record count; closes the account into a BankStatement."""
        line_no = record[1]
        account, group = self.account, self.group
        self._settle(account)
        account.weight += record[4]
        total_text, count_text = _fields(record[2], record[3], 2)[:2]
        if not total_text:
            self.variants.add("BLANK_49_AMOUNT")
        total = self._integer(total_text, line_no, "49", "49 account control total", True) if total_text else 0
        count = self._integer(count_text, line_no, "49", "49 record count", False)
        whose = f"account {account.account_id} (group {group.ordinal}, account {account.ordinal})"
        self._check(line_no, "49", "49 account control total", account.total, total, whose)
        self._check(line_no, "49", "49 record count", account.weight, count, whose)
        group.total_49s += total
        group.weight += account.weight
        group.accounts += 1
        file_id = self.header[2]
        self.statements.append(BankStatement(
            self.source_file, "BAI2", f"{file_id}/{group.ordinal}/{account.ordinal}", account.account_id,
            account.currency, group.as_of_date, group.report_kind, group.status, tuple(account.balances),
            account.entries.entries(self.source_file, account)))
        self.account = None

    def _group_trailer(self, record: _Record) -> None:
        """98: group control total, number of accounts, record count."""
        line_no = record[1]
        group = self.group
        group.weight += record[4]
        total_text, accounts_text, count_text = _fields(record[2], record[3], 3)[:3]
        total = self._integer(total_text, line_no, "98", "98 group control total", True)
        accounts = self._integer(accounts_text, line_no, "98", "98 number of accounts", False)
        count = self._integer(count_text, line_no, "98", "98 record count", False)
        whose = f"group {group.ordinal}"
        self._check(line_no, "98", "98 group control total", group.total_49s, total, whose)
        self._check(line_no, "98", "98 number of accounts", group.accounts, accounts, whose)
        self._check(line_no, "98", "98 record count", group.weight, count, whose)
        self.total_98s += total
        self.group = None

    def _file_trailer(self, record: _Record) -> None:
        """99: file control total, number of groups, record count (01 and 99 included)."""
        line_no = record[1]
        total_text, groups_text, count_text = _fields(record[2], record[3], 3)[:3]
        total = self._integer(total_text, line_no, "99", "99 file control total", True)
        groups = self._integer(groups_text, line_no, "99", "99 number of groups", False)
        count = self._integer(count_text, line_no, "99", "99 record count", False)
        whose = f"file {self.header[2]}"
        self._check(line_no, "99", "99 file control total", self.total_98s, total, whose)
        self._check(line_no, "99", "99 number of groups", self.groups, groups, whose)
        self._check(line_no, "99", "99 record count", self.weight, count, whose)
        self.control_total = total
