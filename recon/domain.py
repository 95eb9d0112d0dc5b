"""The domain records every reader produces and every stage consumes.

Records are immutable. High-volume rows (bank entries, journal entries, trades) are ``NamedTuple`` so a reader can
build a million of them quickly; a BAI2 statement's entries are held as columns (:class:`BankEntries`) that give the
same tuples on demand. Each field is documented below. Money fields are exact ``Decimal`` (see
:mod:`recon.money`); dates are ``datetime.date``.

A ``record_id`` identifies an input row by content, never by position: a hash of the source file's name, the row's
own fields and its occurrence number among identical rows. Shuffling a file's rows therefore changes no id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from itertools import repeat
from operator import eq
from typing import NamedTuple, overload


class Problem(NamedTuple):
    """A data problem found while reading or validating input: the unit of the ``quarantine`` table.

    scope: ``FILE`` (the whole file is rejected) or ``ROW`` (one row is quarantined).
    source_file: the file's path relative to the landing root.
    location: where in the file: ``line 12``, ``record 7 (49)``, ``/Document/BkToCstmrStmt/Stmt[2]``.
    record_id: the content id of the quarantined row ('' for a file-level problem).
    field: the field or trailer concerned ('' when the whole record is unreadable).
    code: a stable reason code in upper snake case, e.g. ``TRAILER_TOTAL_MISMATCH``.
    expected / found: what the contract expected and what the file holds.
    message: one sentence for a person.
    """

    scope: str
    source_file: str
    location: str
    record_id: str
    field: str
    code: str
    expected: str
    found: str
    message: str

    def describe(self) -> str:
        """One line naming file, location, field, expected and found."""
        parts = [f"{self.source_file}: {self.location}" if self.location else self.source_file]
        if self.field:
            parts.append(f"field {self.field}")
        parts.append(f"{self.code}: {self.message}")
        if self.expected or self.found:
            parts.append(f"expected {self.expected!s}, found {self.found!s}")
        return "; ".join(parts)


class BankBalance(NamedTuple):
    """A balance a bank reports for an account on its statement.

    source_file: path relative to the landing root.  record_id: content id.  location: e.g. ``line 3``.
    bank_account_id: the account number as the bank's file names it.  currency: ISO 4217.
    as_of_date: the date the balance is for.  type_code: BAI2 type code (``015``) or camt balance code (``CLBD``).
    balance_type: canonical code: OPBD, CLBD, OPAV, CLAV, PRCD, ITBD or ``BAI<code>`` for other BAI2 status codes.
    amount: signed exact amount.
    """

    source_file: str
    record_id: str
    location: str
    bank_account_id: str
    currency: str
    as_of_date: date
    type_code: str
    balance_type: str
    amount: Decimal


class BankEntry(NamedTuple):
    """One transaction on a bank statement (BAI2 16 record, camt ``Ntry``).

    amount: signed as the bank reports it: credits positive, debits negative.
    direction: ``CREDIT`` or ``DEBIT``.  status: ``BOOK``, ``PDNG`` or ``INFO`` (BAI2 entries are ``BOOK``).
    type_code: BAI2 type code or camt bank transaction code.  funds_type: BAI2 funds type ('' for camt).
    bank_reference / customer_reference: BAI2 16 reference fields; camt AcctSvcrRef / EndToEndId.
    text: narrative (BAI2 text with its 88 continuations, camt AddtlNtryInf or RmtInf).
    value_date: the value date when the file states one, else None.  reversal: camt RvslInd.
    """

    source_file: str
    record_id: str
    location: str
    bank_account_id: str
    currency: str
    as_of_date: date
    value_date: date | None
    type_code: str
    direction: str
    amount: Decimal
    funds_type: str
    bank_reference: str
    customer_reference: str
    text: str
    status: str
    reversal: bool



class LineLocations(Sequence[str]):
    """The locations ``line N`` of a statement's entries, kept as line numbers and formatted when asked for."""

    __slots__ = ("numbers",)

    def __init__(self, numbers: list[int]) -> None:
        self.numbers = numbers

    def __len__(self) -> int:
        return len(self.numbers)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return list(map("line {}".format, self.numbers[index]))
        return f"line {self.numbers[index]}"

    def __iter__(self) -> Iterator[str]:
        return map("line {}".format, self.numbers)


class ScaledDecimals(Sequence[Decimal]):
    """Exact amounts kept as integers at one power of ten (amount = unit x 10**exponent), each made a Decimal when
    asked for: ``Decimal(unit).scaleb(exponent)``, the value and exponent a reader of implied decimals gives."""

    __slots__ = ("units", "exponent")

    def __init__(self, units: list[int], exponent: int) -> None:
        self.units, self.exponent = units, exponent

    def __len__(self) -> int:
        return len(self.units)

    @overload
    def __getitem__(self, index: int) -> Decimal: ...
    @overload
    def __getitem__(self, index: slice) -> list[Decimal]: ...
    def __getitem__(self, index: int | slice) -> Decimal | list[Decimal]:
        if isinstance(index, slice):
            return [Decimal(unit).scaleb(self.exponent) for unit in self.units[index]]
        return Decimal(self.units[index]).scaleb(self.exponent)

    def __iter__(self) -> Iterator[Decimal]:
        return map(Decimal.scaleb, map(Decimal, self.units), repeat(self.exponent))


_new_bank_entry = partial(tuple.__new__, BankEntry)  # a BankEntry from a tuple of exactly its fields


class BankEntries(Sequence[BankEntry]):
    """A statement's entries held column by column: what a reader of a large file builds.

    ``columns`` maps every :class:`BankEntry` field to a sequence of one value per entry. A reader builds the columns
    in bulk and the parse stage turns each into an Arrow column at once; the locations may be
    :class:`LineLocations` and the amounts :class:`ScaledDecimals`, which that stage reads without formatting a
    string or making a Decimal per entry. Indexing or iterating gives BankEntry tuples, equal to the entries built one
    by one; equality is element-wise, with a tuple of entries too.
    """

    __slots__ = ("columns",)

    def __init__(self, columns: Mapping[str, Sequence]) -> None:
        lengths = {name: len(columns[name]) for name in BankEntry._fields}
        if len(set(lengths.values())) != 1:
            raise ValueError(f"bank entry columns of different lengths: {lengths}")
        self.columns = {name: columns[name] for name in BankEntry._fields}

    def __len__(self) -> int:
        return len(self.columns["record_id"])

    @overload
    def __getitem__(self, index: int) -> BankEntry: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[BankEntry, ...]: ...
    def __getitem__(self, index: int | slice) -> BankEntry | tuple[BankEntry, ...]:
        if isinstance(index, slice):
            return tuple(map(self.__getitem__, range(*index.indices(len(self)))))
        return _new_bank_entry(column[index] for column in self.columns.values())

    def __iter__(self) -> Iterator[BankEntry]:
        return map(_new_bank_entry, zip(*self.columns.values()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(map(eq, self, other))

    def __hash__(self) -> int:
        return hash(tuple(self))


class BankStatement(NamedTuple):
    """One account's report for one as-of date, from a BAI2 group/account or a camt Stmt/Rpt/Ntfctn.

    fmt: ``BAI2``, ``CAMT053``, ``CAMT052`` or ``CAMT054``.
    statement_id: BAI2 ``<file id>/<group n>/<account n>``; camt ``Stmt/Id`` (with ``ElctrncSeqNb`` when present).
    report_kind: ``FINAL`` (statement of record: BAI2 as-of modifier 2 or blank, camt.053) or ``INTERIM``.
    group_status: BAI2 02 group status (1 update, 2 deletion, 3 correction, 4 test only); '' for camt.
    """

    source_file: str
    fmt: str
    statement_id: str
    bank_account_id: str
    currency: str
    as_of_date: date
    report_kind: str
    group_status: str
    balances: tuple[BankBalance, ...]
    entries: Sequence[BankEntry]  # a tuple, or BankEntries (a reader's columns)

    @property
    def is_statement_of_record(self) -> bool:
        """Only a final previous-day report is reconciled as the day's statement."""
        return self.report_kind == "FINAL"


class CashJournalEntry(NamedTuple):
    """A row of ledger/cash_journal.csv: a movement of money the books record.

    amount: signed, positive = money into the FCM's bank account.  account_id: '' for firm-level entries.
    entry_type: DCO_SETTLEMENT, CUSTOMER_DEPOSIT, CUSTOMER_WITHDRAWAL, FIRM_TRANSFER, FEE, INTEREST, COLLATERAL_MOVE.
    """

    source_file: str
    record_id: str
    location: str
    entry_id: str
    value_date: date
    account_id: str
    bank_account_id: str
    seg_class: str
    entry_type: str
    counterparty: str
    currency: str
    amount: Decimal
    reference: str
    description: str


SEG_CLASSES = ("SEG", "SECURED", "CLEARED_SWAPS", "HOUSE")
CUSTOMER_SEG_CLASSES = ("SEG", "SECURED", "CLEARED_SWAPS")
ENTRY_TYPES = (
    "DCO_SETTLEMENT", "CUSTOMER_DEPOSIT", "CUSTOMER_WITHDRAWAL", "FIRM_TRANSFER", "FEE", "INTEREST", "COLLATERAL_MOVE",
)


# The empty 8-byte BLAKE2b every row id starts from. Readers copy it and update the copy (never this object): a copy
# costs half of building a new hash object, which parses its parameters each time.
ROW_ID_HASH = hashlib.blake2b(digest_size=8)


def row_id_of(key: str) -> str:
    """16 hex digits of the 8-byte BLAKE2b of ``key`` (UTF-8): the id of a first occurrence (OccurrenceCounter)."""
    digest = ROW_ID_HASH.copy()
    digest.update(key.encode())
    return digest.hexdigest()


def content_id(*parts: object) -> str:
    """A stable 16-hex-digit id from the parts' text (None as empty). Used for record, match and break ids."""
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class OccurrenceCounter:
    """Gives each row an id from its content plus how many identical rows came before it in the same file.

    Identical rows (a bank's genuine duplicate) get distinct ids; shuffling rows changes no id because identical rows
    are interchangeable. An id is 16 hex digits of BLAKE2b (8-byte digest) over the row's key text, which starts with
    the source file: the first occurrence's id is the key's hash, a repeat's the hash of the key and its occurrence
    number. Only the ids seen are kept (the id of a first occurrence is its own index key), not the rows' fields.
    """

    __slots__ = ("_source", "_seen", "_scopes")

    def __init__(self, source_file: str) -> None:
        self._source = source_file
        self._seen: dict[str, int] = {}
        self._scopes: dict[str, dict[str, int]] = {}

    @property
    def source_file(self) -> str:
        """The file whose rows this counter numbers (every key text starts with it)."""
        return self._source

    def record_id(self, *fields: object) -> str:
        """The content id of a row with these fields (None as empty)."""
        parts = [self._source]
        parts += ["" if field is None else str(field) for field in fields]
        return self.key_id("\x1f".join(parts))

    def scope(self, prefix: str) -> dict[str, int]:
        """The index of the ids whose key texts start with ``prefix`` (the same dict for the same prefix).

        Identical rows have identical keys, so rows of different prefixes are never repeats of each other: a reader
        that knows a row's prefix (a BAI2 account) numbers it in that prefix's small index, which stays in the CPU's
        cache where one index of millions of ids would not. Pass it to :meth:`key_id` as ``seen``.
        """
        seen = self._scopes.get(prefix)
        if seen is None:
            seen = self._scopes[prefix] = {}
        return seen

    def key_id(self, key: str, seen: dict[str, int] | None = None) -> str:
        """The content id of a row whose key text (source file first, fields joined by \\x1f) is ``key``.

        ``seen``: the index of the key's prefix (:meth:`scope`), else the counter's own.
        """
        first = row_id_of(key)
        if seen is None:
            seen = self._seen
        occurrence = seen.get(first)
        if occurrence is None:
            seen[first] = 1
            return first
        seen[first] = occurrence + 1
        return row_id_of(f"{key}\x1f#{occurrence}")


class TradeReport(NamedTuple):
    """One trade (or one leg of a multi-leg trade) from a CME FIXML ``TrdCaptRpt``.

    source_file: path relative to the landing root.  record_id: content id.
    location: XPath-like place in the file, e.g. ``Batch[1]/TrdCaptRpt[3]`` or ``.../TrdCaptRpt[3]/TrdLeg[2]``.
    rpt_id: ``RptID``, CME's id of this report.  trd_id: ``TrdID``, the clearing trade id (the parent's for a leg).
    exec_id: ``ExecID`` ('' when absent).
    trans_typ: ``NEW``, ``CANCEL`` or ``REPLACE`` from ``TransTyp`` 0/1/2 (absent = ``NEW``); other codes are kept
    as ``TRANSTYP_<n>``.
    trade_date: ``TrdDt``.  biz_date: ``BizDt``, the clearing business date.
    side: ``BUY`` or ``SELL`` from ``RptSide@Side`` 1/2 (a leg: the leg's own ``Leg@Side`` when given).
    quantity: ``LastQty`` (a leg: ``TrdLeg@Qty``), never negative.  price: ``LastPx`` (a leg: ``TrdLeg@LastPx``).
    exchange: ``Instrmt@Exch``.  product_code: ``Instrmt@ID`` (e.g. ``NG``).  symbol: ``Instrmt@Sym`` (``NGZ4``).
    security_type: ``Instrmt@SecTyp`` (FUT, OPT, MLEG, ...; from the CFI code when SecTyp is absent).
    contract_month: ``MMY`` as written (``YYYYMM``, ``YYYYMMDD`` or with a week code).
    put_call: ``P`` or ``C`` for options (FIX ``PutCall`` 0/1, else the CFI code), '' otherwise.
    strike: ``StrkPx`` (a leg: ``Strk``) or None.  multiplier: ``Mult`` or None.
    position_account: the account the message names: ``Pty R="38"``, else ``Pty R="24" Src="C"`` (never CME's
    ``Src="H"`` alias), else an ``R="24"`` without ``Src``, else the ``Acct`` attribute; '' when none.
    origin_code: ``Sub Typ="26"`` of that party, else ``AcctTyp``, else ''.
    clearing_firm: ``Pty R="4"``.  leg: '' for a single trade, else the leg number (``TrdLeg@LegNo``).
    mleg_report_type: ``MLegRptTyp`` as written (1 single, 2 individual leg, 3 multi-leg).
    leg_ref_id: ``TrdLeg@RefID``, CME's id of the leg trade ('' for a single trade).
    """

    source_file: str
    record_id: str
    location: str
    rpt_id: str
    trd_id: str
    exec_id: str
    trans_typ: str
    trade_date: date
    biz_date: date
    side: str
    quantity: Decimal
    price: Decimal
    exchange: str
    product_code: str
    symbol: str
    security_type: str
    contract_month: str
    put_call: str
    strike: Decimal | None
    multiplier: Decimal | None
    position_account: str
    origin_code: str
    clearing_firm: str
    leg: str
    mleg_report_type: str
    leg_ref_id: str


class PositionReport(NamedTuple):
    """One position and its settlement amounts from a CME FIXML ``PosRpt``.

    source_file / record_id / location: as for :class:`TradeReport` (``Batch[1]/PosRpt[7]``).
    rpt_id: ``RptID``.  biz_date: ``BizDt``.
    settl_session: ``SetSesID`` as written: ``ITD`` (intraday cycle), ``EOD`` (end of day), '' when absent.
    position_account / origin_code / clearing_firm: as for :class:`TradeReport`.  dco: ``Pty R="21"``.
    currency: ``Ccy``.  settlement_price: ``SetPx`` or None.
    exchange, product_code, symbol, security_type, contract_month, put_call, strike, multiplier: the ``Instrmt``,
    as for :class:`TradeReport`.
    quantities: ``(qty_type, long, short)`` per ``Qty`` in file order (SOD, FIN, day's activity, ...); a missing
    ``Long`` or ``Short`` is 0.
    amounts: ``(amt_type, amount, currency)`` per ``Amt`` in file order (FMTM, TVAR, SMTM, PREM, ...), signed as the
    DCO writes them; a missing ``Ccy`` is the report's ``Ccy``.
    """

    source_file: str
    record_id: str
    location: str
    rpt_id: str
    biz_date: date
    settl_session: str
    position_account: str
    origin_code: str
    clearing_firm: str
    dco: str
    currency: str
    settlement_price: Decimal | None
    exchange: str
    product_code: str
    symbol: str
    security_type: str
    contract_month: str
    put_call: str
    strike: Decimal | None
    multiplier: Decimal | None
    quantities: tuple[tuple[str, Decimal, Decimal], ...]
    amounts: tuple[tuple[str, Decimal, str], ...]


class AllocationReport(NamedTuple):
    """One allocation (give-up) from a CME FIXML ``AllocRpt``: parsed and shown, not reconciled.

    source_file / record_id / location: as for :class:`TradeReport` (``FIXML/AllocRpt[1]/Alloc[1]``).
    rpt_id: ``RptID``.  report_type: ``RptTyp`` as written (15 to the executing firm, 16 to the claiming firm, ...).
    trans_typ: as for :class:`TradeReport`.  trd_id: ``AllExc@TrdID``, else ``TrdID``, else ''.
    alloc_id: the ``Alloc``'s ``IndAllocID2``, else ``IndAllocID``, else ''.
    trade_date: ``TrdDt``.  biz_date: ``BizDt``, else ``ClrDt``.  side: ``BUY``/``SELL`` from ``Side``.
    quantity: the ``Alloc``'s ``Qty``, else the report's ``Qty``.  price: ``AvgPx``, else ``AllExc@LastPx``, or None.
    exchange .. multiplier: the ``Instrmt``, as for :class:`TradeReport`.
    position_account / origin_code / clearing_firm: the report's own parties, as for :class:`TradeReport`.
    claiming_firm: ``Pty R="4"`` inside the ``Alloc`` (the firm on the other side of the give-up as CME names it).
    alloc_account: ``Pty R="24"`` inside the ``Alloc``.
    """

    source_file: str
    record_id: str
    location: str
    rpt_id: str
    report_type: str
    trans_typ: str
    trd_id: str
    alloc_id: str
    trade_date: date | None
    biz_date: date | None
    side: str
    quantity: Decimal
    price: Decimal | None
    exchange: str
    product_code: str
    symbol: str
    security_type: str
    contract_month: str
    put_call: str
    strike: Decimal | None
    multiplier: Decimal | None
    position_account: str
    origin_code: str
    clearing_firm: str
    claiming_firm: str
    alloc_account: str


class SettlementPrice(NamedTuple):
    """One price from a CME FIXML ``MktDataFull`` (settlement-price file): a price reference, not reconciled.

    source_file / record_id / location: as for :class:`TradeReport` (``Batch[1]/MktDataFull[2]/Full[1]``).
    biz_date: ``MktDataFull@BizDt``.
    exchange .. strike: the ``Instrmt``, as for :class:`TradeReport`.
    price_type: ``Full@Typ`` as written (FIX MDEntryType: ``6`` settlement price, ``4`` opening, ``N`` session high
    bid, ...).  price: ``Full@Px``.  price_date: ``Full@Dt`` when given, else None.
    """

    source_file: str
    record_id: str
    location: str
    biz_date: date | None
    exchange: str
    product_code: str
    symbol: str
    security_type: str
    contract_month: str
    put_call: str
    strike: Decimal | None
    price_type: str
    price: Decimal
    price_date: date | None
