"""The domain records every reader produces and every stage consumes.

Records are immutable. High-volume rows (bank entries, journal entries, trades) are ``NamedTuple`` so a reader can
build a million of them quickly; each field is documented below. Money fields are exact ``Decimal`` (see
:mod:`recon.money`); dates are ``datetime.date``.

A ``record_id`` identifies an input row by content, never by position: a hash of the source file's name, the row's
own fields and its occurrence number among identical rows. Shuffling a file's rows therefore changes no id.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import NamedTuple


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
    entries: tuple[BankEntry, ...]

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


def content_id(*parts: object) -> str:
    """A stable 16-hex-digit id from the parts' text (None as empty). Used for record, match and break ids."""
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class OccurrenceCounter:
    """Gives each row an id from its content plus how many identical rows came before it in the same file.

    Identical rows (a bank's genuine duplicate) get distinct ids; shuffling rows changes no id because identical rows
    are interchangeable.
    """

    __slots__ = ("_source", "_seen")

    def __init__(self, source_file: str) -> None:
        self._source = source_file
        self._seen: dict[tuple[object, ...], int] = {}

    def record_id(self, *fields: object) -> str:
        """The content id of a row with these fields."""
        occurrence = self._seen.get(fields, 0)
        self._seen[fields] = occurrence + 1
        return content_id(self._source, occurrence, *fields)
