"""Synthetic landing areas with a known answer: the library behind ``fcm-recon generate``.

:func:`generate` writes a whole landing area (spec/inputs.md) for N CME business days, the previous business day's
``clearing/`` folder (so day 1 can read T-1's end-of-day position reports), and ``answer_key.json``: every break the
recons must raise, the boundary decoys, the pending settlement cycles and the CASH subset cases. It is deterministic
for a seed: one ``random.Random(seed)`` drives every choice (the subset cases draw from their own stream, seeded
from the seed and the day), nothing reads the clock, and the same options give the same bytes.
Money is exact: amounts are random integers of cents turned into ``Decimal``; prices are integers of ticks.

The story the files tell, and the conventions the recons use on it:

* CASH: every customer deposit and withdrawal (wires and ACH), bank fee, interest credit and firm transfer appears
  once on the bank statement of a non-settlement account (BAI2 16 ``customer_reference`` / camt ``EndToEndId``) and
  once in ``cash_journal.csv`` with the same reference (unique per day), signed amount and date, except the two
  subset cases a day: a wire the books hold as several journal entries, each with its own reference (``subsets`` in
  the answer key).
* DCO_SETTLEMENT: a cycle's amount per settlement key (settlement bank account, seg_class, currency) is the sum of
  FMTM + PREM (+ PAA for CLEARED_SWAPS) over its position reports; T's ITD cycle is paid on T, T's EOD cycle on the
  next settlement day (recon.calendar), as one bank entry on the settlement account and one DCO_SETTLEMENT journal
  entry, both with the reference ``CME-ITD-YYYYMMDD`` / ``CME-EOD-YYYYMMDD`` (the cycle's date). T's own EOD cycle is
  pending on T.
* Fedwire holidays CME clears (Columbus Day, Veterans Day): the day has clearing and ledger files but no bank file,
  and the books move no bank money (no customer, firm or DCO movement; cash_journal.csv has no entry, bank_balances.csv
  is the previous close less the open item breaks). The day's ITD cycle and the previous day's EOD cycle stay unpaid
  (pending on the holiday) and are paid with the holiday's EOD cycle on the next bank day. No CASH, DCO_SETTLEMENT or
  BANK_BALANCE break is planted on the holiday (the clearing recons' plants are, CME being open); the item breaks
  planted before it are listed OPEN on it.
* BANK_BALANCE: the bank's closing balance less the books' balance equals the day's bank entries less the day's
  journal entries on that account plus the planted CASH and DCO breaks still open from earlier days (exactly the sum
  of the CASH and DCO differences, today's and carried), except on the one account per day where an unexplained
  difference is planted. Differences matched within tolerance are written off by the next day.
* Aging: the planted CASH, DCO_SETTLEMENT and TRADE breaks stay open on every later day (OPEN in the answer key),
  except day 1's CASH MISSING_LEDGER, which the books book late on day 3 with its original value date: that break is
  NEW on day 1, OPEN on day 2 and RESOLVED on day 3, when the late journal entry is matched against it.
* POSITION, TRADE, COLLATERAL: consistent on both sides except for the plants below. The TRADE plants are extra
  trades written to ``clearing/trade_amendments.xml`` and ``trades.csv``; they move no position and no settlement
  amount (positions and cycles come from the day's regular trades only).

Planted each business day: CASH MISSING_BANK, MISSING_LEDGER, AMOUNT_MISMATCH, DATE_MISMATCH and DUPLICATE;
DCO_SETTLEMENT MISSING_BANK, MISSING_LEDGER, MISSING_CLEARING and AMOUNT_MISMATCH; BANK_BALANCE BALANCE_MISMATCH;
POSITION QUANTITY_MISMATCH (a ledger long quantity off) and MISSING_LEDGER (a position account's rows of one
instrument left out of positions.csv); TRADE PRICE_MISMATCH and MISSING_CLEARING, and three cases that must not
break: a NEW then CANCEL (the books cancel it too), a REPLACE (written first) superseding its NEW with the ledger's
quantity, and a bunched fill (one TrdCaptRpt, two ledger allocations with no clearing_trade_id); COLLATERAL
AMOUNT_MISMATCH (a collateral_books.csv market value off); CASH subset cases on the SEG customer-funds account: a wire
booked as two or three journal entries summing to it (matched by the subset pass) and a wire where two pairs of
journal entries each sum to it (AMBIGUOUS). The plants are chosen from the day's number (the subset cases' amounts
from a random stream of their own), never from the main random stream, so the rest of the story is the same bytes as
without them.
Decoys: CASH differences of exactly 1.00 (a match) and 1.01 (a break), both on amounts beyond float precision, and
DCO legs off by exactly 0.01 (a match) and 0.02 (a break). ``breaks`` in the answer key lists every break the recons
must raise, so the decoys that must break are in it too.

Files are streamed (``csv.writer`` and string writes), so the trade and position files scale to millions of rows.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from recon import calendar
from recon.contracts.bai2_writer import Bai2Account, Bai2Group, Bai2Transaction, write_bai2
from recon.contracts.camt_writer import CamtEntry, CamtStatement, write_camt053
from recon.contracts.fixml_writer import (
    BatchWriter, FixmlInstrument, instrument_element, position_report, trade_capture_report,
)
from recon.errors import ConfigError, invariant

ACCOUNTS_MIN = 10
DCO = "CME"
CLEARING_FIRM = "999"
RECEIVER_ID = "FCMRECON"
EFFECTIVE_FROM = date(2020, 1, 1)
LETTER_DATE = "2019-12-20"
HOUSE_TRADE_SHARE = 0.05
CASH_FLOWS_MIN = 24  # customer deposits and withdrawals a day, at least (five CASH breaks are planted among them)
CASH_TOLERANCE = Decimal("1.00")
DCO_TOLERANCE = Decimal("0.01")
FLOAT_BREAKER = Decimal("12345678901234567.89")  # decoys: no binary float holds this to the cent
FLOAT_BREAKER_EXACT = Decimal("90071992547409.93")  # an exact match beyond 2**53 cents
_CUSTOMER_ENTRY_TYPES = ("CUSTOMER_DEPOSIT", "CUSTOMER_WITHDRAWAL")
_MONTH_CODES = "FGHJKMNQUVXZ"
_QUARTERLY = (3, 6, 9, 12)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class GenerateOptions:
    """What to generate: N business days from ``start`` (moved to the first CME business day on or after it),
    ``accounts`` customer accounts (plus two house accounts), ``trades_per_day`` trades, all drawn from ``seed``."""

    start: date
    days: int
    accounts: int
    trades_per_day: int
    seed: int


@dataclass(frozen=True)
class PlantedBreak:
    """A break a recon must raise: business date, recon, break type, bank account, currency, reference (None for
    BANK_BALANCE) and difference (CASH bank - ledger; DCO leg - clearing; BANK_BALANCE the unexplained amount;
    POSITION, TRADE and COLLATERAL clearing - ledger). account: the recon_breaks ``account`` for POSITION and TRADE
    (the position account), None otherwise. status: NEW on the day it is planted; an item break (CASH,
    DCO_SETTLEMENT, TRADE) is listed again as OPEN on every later day until it is fixed, with its first_seen_date. For POSITION, TRADE and COLLATERAL bank_account_id is None and
    reference is what the recon writes: ``exchange|product|type|month|put_call|strike|measure``, the TrdID or ledger
    trade_id, ``dco|seg_class|CASH|currency`` or ``dco|seg_class|SECURITY|cusip|holding_type``."""

    business_date: date
    recon: str
    break_type: str
    bank_account_id: str | None
    currency: str
    reference: str | None
    difference: Decimal
    account: str | None = None
    status: str = "NEW"
    first_seen_date: date | None = None


@dataclass(frozen=True)
class Decoy:
    """A boundary case: a difference exactly at (expect MATCH) or just beyond (expect BREAK) the recon's tolerance."""

    business_date: date
    recon: str
    bank_account_id: str
    currency: str
    reference: str
    difference: Decimal
    expect: str


@dataclass(frozen=True)
class PlantedSubset:
    """A customer wire the books hold as several journal entries with no common reference (each has its own):
    ``expect`` MATCH when exactly one subset of the block's journal entries sums to it (the subset pass matches the
    wire and ``ledger_references``), AMBIGUOUS when two do (one AMBIGUOUS break names the wire and
    ``ledger_references``, the entries of both subsets)."""

    business_date: date
    recon: str
    bank_account_id: str
    currency: str
    reference: str
    ledger_references: tuple[str, ...]
    expect: str


@dataclass(frozen=True)
class PendingSettlement:
    """A settlement cycle unpaid at the close of ``business_date`` (its own end-of-day cycle; on a Fedwire holiday
    also its intraday cycle and the previous day's end of day), to be paid on ``expected_date``: pending, never a
    break."""

    business_date: date
    bank_account_id: str
    currency: str
    reference: str
    amount: Decimal
    expected_date: date


@dataclass(frozen=True)
class AnswerKey:
    """What ``answer_key.json`` holds: the options, and the breaks, decoys, pending cycles and subset cases, each
    sorted."""

    options: GenerateOptions
    breaks: tuple[PlantedBreak, ...]
    decoys: tuple[Decoy, ...]
    pending: tuple[PendingSettlement, ...]
    subsets: tuple[PlantedSubset, ...] = ()

    @property
    def business_days(self) -> tuple[date, ...]:
        """The business days the landing area holds, in order."""
        return tuple(calendar.business_days(self.options.start, self.options.days))

    def to_json(self) -> dict[str, object]:
        """The JSON document: dates ISO, decimals as strings, lists sorted on their serialised fields."""
        options = {"start": self.options.start.isoformat(), "days": self.options.days,
                   "accounts": self.options.accounts, "trades_per_day": self.options.trades_per_day,
                   "seed": self.options.seed}
        return {"options": options, "breaks": _json_rows(self.breaks), "decoys": _json_rows(self.decoys),
                "pending": _json_rows(self.pending), "subsets": _json_rows(self.subsets)}


def _json_value(value: object) -> object:
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # money at 2 places; a price difference finer than a cent (a ZN tick is 0.03125) as its exact digits
        return _money(value) if value == _round_cents(value) else str(value.normalize())
    return value


def _json_rows(records: Iterable[object]) -> list[dict[str, object]]:
    rows = [{name: _json_value(getattr(r, name)) for name in r.__dataclass_fields__} for r in records]
    return sorted(rows, key=lambda row: [(name, "" if v is None else str(v)) for name, v in row.items()])


def _money(amount: Decimal) -> str:
    """An amount at 2 places (``-0.00`` written ``0.00``)."""
    return f"{amount + 0:.2f}"


def _cents(cents: int) -> Decimal:
    """An exact amount from an integer of cents."""
    return Decimal(cents).scaleb(-2)


def _round_cents(amount: Decimal) -> Decimal:
    return amount.quantize(_CENT)


# ---- static reference data ----


class _Product(NamedTuple):
    """A row of products.csv, with what the generator needs to price it: tick, margin per contract, first price."""

    exchange: str
    code: str
    instrument_type: str
    multiplier: Decimal
    currency: str
    foreign_board: str
    tick: Decimal
    margin: Decimal
    price: Decimal
    months: tuple[int, ...]


_PRODUCTS = (
    _Product("CME", "ES", "FUT", Decimal(50), "USD", "N", Decimal("0.25"), Decimal(12000), Decimal(5000), _QUARTERLY),
    _Product("CME", "NQ", "FUT", Decimal(20), "USD", "N", Decimal("0.25"), Decimal(18000), Decimal(18000), _QUARTERLY),
    _Product("NYMEX", "CL", "FUT", Decimal(1000), "USD", "N", Decimal("0.01"), Decimal(6000), Decimal(75),
             tuple(range(1, 13))),
    _Product("COMEX", "GC", "FUT", Decimal(100), "USD", "N", Decimal("0.10"), Decimal(9000), Decimal(2000),
             (2, 4, 6, 8, 10, 12)),
    _Product("CBOT", "ZN", "FUT", Decimal(1000), "USD", "N", Decimal("0.03125"), Decimal(2200), Decimal(110),
             _QUARTERLY),
    _Product("CME", "ES", "OPT", Decimal(50), "USD", "N", Decimal("0.25"), Decimal(3000), Decimal(100), _QUARTERLY),
    _Product("EUREX", "FESX", "FUT", Decimal(10), "EUR", "Y", Decimal(1), Decimal(3500), Decimal(4800), _QUARTERLY),
)
# (product, contract months after the first, put/call, strike, first price): the instruments, in index order
_INSTRUMENT_SPECS = (
    (0, 0, "", "", None), (0, 1, "", "", None), (1, 0, "", "", None), (2, 0, "", "", None), (3, 0, "", "", None),
    (4, 0, "", "", None), (5, 0, "C", "4900", Decimal(150)), (5, 0, "C", "5100", Decimal(60)),
    (5, 0, "P", "4900", Decimal(55)), (5, 0, "P", "5100", Decimal(155)), (6, 0, "", "", None), (6, 1, "", "", None),
)
_POOLS = {"SEG": tuple(range(10)), "HOUSE": tuple(range(10)), "CLEARED_SWAPS": (0, 2, 5), "SECURED": (10, 11)}


class _Instrument(NamedTuple):
    """A listed instrument: its product, month, option terms, tick value, first price and step (in ticks)."""

    index: int
    product: _Product
    contract_month: str
    put_call: str
    strike: str
    symbol: str
    tick_value: Decimal
    first_ticks: int
    step_ticks: int
    xml: str

    def price(self, ticks: int) -> str:
        """The price of ``ticks`` ticks, as written in every file."""
        return str(self.product.tick * ticks)


class _BankAccount(NamedTuple):
    """A row of bank_accounts.csv, and the bank (file prefix, name, BAI2 sender id) that reports it."""

    bank_account_id: str
    bank: str
    depository: str
    sender_id: str
    seg_class: str
    purpose: str
    currency: str
    statement_format: str
    letter_date: str


_BANKS = {"fcb": ("First Continental Bank", "041000124"), "ssb": ("Second Street Bank", "073000228")}
# (number, bank, seg_class, purpose, currency, format, acknowledgment letter on file)
_BANK_ACCOUNT_SPECS = (
    ("410000101", "fcb", "SEG", "SETTLEMENT", "USD", "BAI2", True),
    ("410000102", "fcb", "SEG", "CUSTOMER_FUNDS", "USD", "BAI2", True),
    ("410000103", "fcb", "SEG", "CUSTOMER_FUNDS", "EUR", "CAMT053", True),
    ("410000201", "fcb", "SECURED", "SETTLEMENT", "USD", "BAI2", True),
    ("410000202", "fcb", "SECURED", "CUSTOMER_FUNDS", "USD", "BAI2", True),
    ("410000203", "fcb", "SECURED", "CUSTOMER_FUNDS", "EUR", "CAMT053", True),
    ("410000204", "fcb", "SECURED", "SETTLEMENT", "EUR", "CAMT053", True),
    ("410000301", "fcb", "CLEARED_SWAPS", "SETTLEMENT", "USD", "BAI2", True),
    ("410000302", "fcb", "CLEARED_SWAPS", "CUSTOMER_FUNDS", "USD", "BAI2", True),
    ("410000303", "fcb", "CLEARED_SWAPS", "CUSTOMER_FUNDS", "EUR", "CAMT053", True),
    ("410000401", "fcb", "HOUSE", "OPERATING", "USD", "BAI2", True),
    ("410000402", "fcb", "HOUSE", "SETTLEMENT", "USD", "BAI2", True),
    ("730000501", "ssb", "SEG", "CUSTOMER_FUNDS", "USD", "BAI2", False),
)
SECOND_BANK_ACCOUNT = "730000501"  # small SEG account at a second bank with no acknowledgment letter
SEG_FUNDS_ACCOUNT = "410000102"  # SEG customer funds, USD: the float-precision decoys and the house top-up land here
HOUSE_OPERATING_ACCOUNT = "410000401"
MISSING_CLEARING_ACCOUNT = "410000201"  # SECURED USD settlement: SECURED trades only EUR, so it has no USD reports
# (position account, origin code, seg_class, currency, settlement bank account)
_CLEARING_SPECS = (
    ("SEG-01", "1", "SEG", "USD", "410000101"), ("SEG-02", "1", "SEG", "USD", "410000101"),
    ("SEG-03", "1", "SEG", "USD", "410000101"), ("SEG-04", "1", "SEG", "USD", "410000101"),
    ("SEC-01", "1", "SECURED", "USD", "410000201"), ("SEC-01", "1", "SECURED", "EUR", "410000204"),
    ("CSW-01", "1", "CLEARED_SWAPS", "USD", "410000301"), ("HOUSE-01", "2", "HOUSE", "USD", "410000402"),
)


class _Account(NamedTuple):
    """A trading account (customer or house) and the profile that shapes its balances.

    profile: NORMAL (cash moves with its deposits and withdrawals), DEFICIT (net liquidating equity is -deficit)
    or UNDERMARGINED (net liquidating equity is initial margin x margin_factor). currencies: those it holds.
    """

    index: int
    account_id: str
    seg_class: str
    account_type: str
    owner_id: str
    position_account: str
    origin: str
    instruments: tuple[int, ...]
    currencies: tuple[str, ...]
    profile: str = "NORMAL"
    deficit: Decimal = Decimal(0)
    margin_factor: Decimal = Decimal(0)
    offset_value: Decimal = Decimal(0)

    @property
    def primary_currency(self) -> str:
        """The currency its positions and any planted deficit are in."""
        return "EUR" if self.seg_class == "SECURED" else "USD"


class _Movement(NamedTuple):
    """One movement of money with its bank leg and its journal leg; a planted break removes or changes a leg.

    bank_amount / ledger_amount: signed (+ into the bank account), None when that leg is absent.
    bank_copies: 2 when the bank reports it twice.  account_index: the customer's, -1 for firm-level entries.
    ledger_parts: the number of journal entries the ledger leg is booked as (they add up to ledger_amount).
    """

    bank_account_id: str
    currency: str
    seg_class: str
    reference: str
    entry_type: str
    account_index: int
    account_id: str
    counterparty: str
    description: str
    channel: str
    bank_reference: str
    bank_amount: Decimal | None
    bank_copies: int
    ledger_amount: Decimal | None
    value_date: date
    ledger_parts: int = 1


class _Holding(NamedTuple):
    """A security held for a class: where, which, face quantity and price per 100 (market value = face x price/100)."""

    seg_class: str
    holding_type: str
    cusip: str
    description: str
    instrument_class: str
    face: int
    price: Decimal

    def market_value(self, accrual: Decimal = Decimal(0)) -> Decimal:
        """Market value at the price plus ``accrual`` (per 100)."""
        return _round_cents(Decimal(self.face) * (self.price + accrual) / 100)


# ---- the generator's state ----


class _World:
    """Everything the generator knows: reference data built once, and the state that moves day by day
    (prices, positions, customer cash, bank balances, FX) and the answer key collected so far."""

    def __init__(self, options: GenerateOptions, days: list[date]) -> None:
        self.options = options
        self.days = days
        self.rng = random.Random(options.seed)
        self.effective_from = min(EFFECTIVE_FROM, calendar.previous_business_day(days[0]))
        self.instruments = _build_instruments(days[0])
        self.bank_accounts = [_BankAccount(n, b, _BANKS[b][0], _BANKS[b][1], c, p, ccy, f, LETTER_DATE if ack else "")
                              for n, b, c, p, ccy, f, ack in _BANK_ACCOUNT_SPECS]
        self.bank_by_id = {b.bank_account_id: b for b in self.bank_accounts}
        self.position_accounts = {pa: (origin, cls) for pa, origin, cls, _ccy, _bank in _CLEARING_SPECS}
        self.settlement_keys = {(pa, ccy): (bank, cls, ccy) for pa, _o, cls, ccy, bank in _CLEARING_SPECS}
        self.accounts: list[_Account] = []
        self.normal_customers: list[_Account] = []
        self.net: dict[tuple[int, int], int] = {}
        self.cash: dict[tuple[int, str], Decimal] = {}
        self.securities: dict[int, Decimal] = {}
        self.settle = [i.first_ticks for i in self.instruments]
        self.prev_settle = list(self.settle)
        self.itd = list(self.settle)
        self.bank_balance: dict[str, Decimal] = {}
        self.collateral_cash: dict[str, Decimal] = {}
        self.holdings: list[_Holding] = []
        self.custody: list[_Holding] = []
        self.targets: list[tuple[str, str, str]] = []
        self.other_fcm = Decimal(0)
        self.fx_nanos = {"USD": 1_000_000_000, "EUR": 1_085_000_000, "GBP": 1_270_000_000}
        self.sequence = 0
        # the settlement cycles not paid yet: (cycle, cycle date, settlement key, clearing amount), in order
        self.due: list[tuple[str, date, tuple[str, str, str], Decimal]] = []
        self.prev_day = calendar.previous_business_day(days[0])
        self.breaks: list[PlantedBreak] = []
        # bank - ledger of the planted item breaks still open, per bank account: the books carry them day to day
        self.outstanding: dict[str, Decimal] = {}
        # the day-1 CASH MISSING_LEDGER movement, booked late on day 3; its break is fixed then
        self.late_booking: _Movement | None = None
        self.fixed: dict[tuple[str, str | None, str | None], date] = {}
        self.decoys: list[Decoy] = []
        self.pending: list[PendingSettlement] = []
        self.subsets: list[PlantedSubset] = []

    @property
    def customers(self) -> list[_Account]:
        """The customer accounts (the house accounts come last)."""
        return self.accounts[: self.options.accounts]

    def next_reference(self, prefix: str, day: date) -> str:
        """A reference unique in the day: ``PREFIX-YYYYMMDD-NNNNNN``."""
        self.sequence += 1
        return f"{prefix}-{day:%Y%m%d}-{self.sequence:06d}"


# ---- the entry point ----


def generate(out: Path, options: GenerateOptions) -> AnswerKey:
    """Write the landing area for ``options`` under ``out`` and ``out/answer_key.json``; return the answer key."""
    _check_options(options)
    days = calendar.business_days(options.start, options.days)
    if len(days) != options.days:
        raise ConfigError(f"only {len(days)} CME business days from {options.start} lie in the calendar's range")
    world = _World(options, days)
    _build_accounts(world)
    _size_funds(world)
    _write_reference(out / "reference", world)
    world.due = _unpaid_cycles(world.prev_day, _clearing_day(out, world, world.prev_day, 0))
    for number, day in enumerate(days, start=1):
        _business_day(out, world, day, number)
    key = AnswerKey(options, tuple(world.breaks) + _carried_breaks(world), tuple(world.decoys), tuple(world.pending),
                    tuple(world.subsets))
    text = json.dumps(key.to_json(), sort_keys=True, indent=1) + "\n"
    (out / "answer_key.json").write_text(text, encoding="utf-8")
    return key


ITEM_RECONS = ("CASH", "DCO_SETTLEMENT", "TRADE")
LATE_BOOKING_DAY = 3


def _carried_breaks(world: _World) -> tuple[PlantedBreak, ...]:
    """Every planted item break again as OPEN on each later business day, up to the day it is fixed."""
    carried = []
    for planted in world.breaks:
        if planted.recon not in ITEM_RECONS:
            continue
        fixed = world.fixed.get((planted.recon, planted.bank_account_id, planted.reference))
        carried += [replace(planted, business_date=day, status="OPEN", first_seen_date=planted.business_date)
                    for day in world.days if planted.business_date < day and (fixed is None or day < fixed)]
    return tuple(carried)


def _check_options(options: GenerateOptions) -> None:
    if options.days < 1:
        raise ConfigError(f"days must be at least 1, found {options.days}")
    if options.accounts < ACCOUNTS_MIN:
        raise ConfigError(f"accounts must be at least {ACCOUNTS_MIN} (every class needs one), found {options.accounts}")
    if options.trades_per_day < 0:
        raise ConfigError(f"trades_per_day must not be negative, found {options.trades_per_day}")


def _clearing_day(out: Path, world: _World, day: date, number: int) -> dict[tuple[str, str, str], list[Decimal]]:
    """Move prices, write the day's clearing files (and, on a business day of the run, the ledger's trades and
    positions); return the settlement cycles by key: [ITD amount, EOD amount]."""
    folder = out / day.isoformat()
    (folder / "clearing").mkdir(parents=True, exist_ok=True)
    ledger = folder / "ledger" if number else None
    if ledger is not None:
        ledger.mkdir(parents=True, exist_ok=True)
    _advance_prices(world)
    start_of_day = dict(world.net)
    activity = _write_trades(world, day, folder / "clearing" / "trades.xml", ledger)
    cycles = _write_position_reports(world, day, start_of_day, activity, folder / "clearing" / "positions.xml")
    collateral = _collateral_rows(world, number)
    _write_csv(folder / "clearing" / "collateral.csv", _COLLATERAL_HEADER, collateral)
    if ledger is not None:
        _write_csv(ledger / "collateral_books.csv", _COLLATERAL_HEADER, _plant_collateral(world, day, number, collateral))
        _write_csv(ledger / "positions.csv", _POSITIONS_HEADER, _plant_positions(world, day, number))
        _plant_trades(world, day, number, folder / "clearing" / "trade_amendments.xml", ledger / "trades.csv")
    return cycles


def _unpaid_cycles(day: date, cycles: dict[tuple[str, str, str], list[Decimal]]
                   ) -> list[tuple[str, date, tuple[str, str, str], Decimal]]:
    """The cycles of ``day`` still unpaid at its close: its EOD cycles, and its ITD cycles too when it is not a bank
    day."""
    sessions = [("EOD", 1)] if calendar.is_bank_day(day) else [("ITD", 0), ("EOD", 1)]
    return [(cycle, day, key, amounts[slot]) for cycle, slot in sessions for key, amounts in cycles.items()]


def _business_day(out: Path, world: _World, day: date, number: int) -> None:
    """One business day of the run: clearing, cash movements with the day's plants, bank files and the books; on a
    Fedwire holiday (no bank day) clearing and books only."""
    cycles = _clearing_day(out, world, day, number)
    world.sequence = 0
    if not calendar.is_bank_day(day):
        _holiday(out, world, day, number, cycles)
        return
    outstanding = dict(world.outstanding)
    flows = [_customer_flow(world, day) for _ in range(max(CASH_FLOWS_MIN, world.options.accounts // 10))]
    flows = _plant_cash(world, day, flows)
    if world.late_booking is None:  # the first bank day of the run
        missing = next(b for b in world.breaks if b.recon == "CASH" and b.break_type == "MISSING_LEDGER")
        world.late_booking = next(f for f in flows if f.reference == missing.reference)
    movements = flows + _firm_movements(world, day) + _cash_decoys(world, day)
    late = world.late_booking
    if number >= LATE_BOOKING_DAY and ("CASH", late.bank_account_id, late.reference) not in world.fixed:
        movements.append(_book_late(world, day))
    movements += _plant_dco(world, day, _dco_items(world, day, cycles))
    mismatch = _plant_balance(world, day, movements)
    movements += _plant_cash_subsets(world, day, number)
    _apply_customer_flows(world, movements)
    folder = out / day.isoformat()
    openings = dict(world.bank_balance)
    _write_bank_files(folder / "bank", world, day, number, movements)
    _write_books(folder / "ledger", world, day, movements, openings, outstanding, mismatch)
    _write_valuations(folder, world, number)
    world.due = _unpaid_cycles(day, cycles)
    _record_pending(world, day)


def _holiday(out: Path, world: _World, day: date, number: int,
             cycles: dict[tuple[str, str, str], list[Decimal]]) -> None:
    """A Fedwire holiday CME clears: no bank file, and books that move no bank money (an empty cash journal, the bank
    balances of the previous close less the item breaks still open); the day's cycles wait for the next bank day."""
    folder = out / day.isoformat()
    _write_books(folder / "ledger", world, day, [], dict(world.bank_balance), dict(world.outstanding), {})
    _write_valuations(folder, world, number)
    world.due += _unpaid_cycles(day, cycles)
    _record_pending(world, day)


def _write_valuations(folder: Path, world: _World, number: int) -> None:
    """The day's files that move no money: customer balances, custody, equities at other FCMs and the FX rates."""
    _write_csv(folder / "ledger" / "balances.csv", _BALANCES_HEADER, _balance_rows(world))
    _write_csv(folder / "ledger" / "custody.csv", _CUSTODY_HEADER, _custody_rows(world, number))
    _write_csv(folder / "ledger" / "other_fcm_equities.csv", _OTHER_FCM_HEADER,
               [("OTHER FCM LLC", "SEG", "USD", _money(world.other_fcm), "0.00", "0.00")])
    (folder / "reference").mkdir(parents=True, exist_ok=True)
    _write_csv(folder / "reference" / "fx_rates.csv", ("currency", "usd_per_unit"), _fx_rows(world))


# ---- reference data ----


def _contract_month(start: date, months: tuple[int, ...], skip: int) -> tuple[int, int]:
    """The (year, month) of the listed month ``skip`` places after the first listed month after ``start``'s."""
    year, month, found = start.year, start.month, 0
    while True:
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
        if month in months:
            if found == skip:
                return year, month
            found += 1


def _build_instruments(start: date) -> list[_Instrument]:
    """The listed instruments, with months counted from ``start``."""
    instruments = []
    for index, (product_index, skip, put_call, strike, first_price) in enumerate(_INSTRUMENT_SPECS):
        product = _PRODUCTS[product_index]
        year, month = _contract_month(start, product.months, skip)
        symbol = f"{product.code}{_MONTH_CODES[month - 1]}{year % 10}"
        if put_call:
            symbol = f"{symbol} {put_call}{strike}"
        first_ticks = int((first_price or product.price) / product.tick)
        fixml = FixmlInstrument(product.code, symbol, product.instrument_type, f"{year}{month:02d}", product.exchange,
                                str(product.multiplier), put_call, strike)
        tick_value = product.tick * product.multiplier
        invariant(_round_cents(tick_value) == tick_value, f"{product.code}: a tick must be worth whole cents")
        instruments.append(_Instrument(index, product, f"{year}{month:02d}", put_call, strike, symbol,
                                       _round_cents(tick_value), first_ticks, max(2, first_ticks // 250),
                                       instrument_element(fixml)))
    return instruments


def _class_of(ordinal: int) -> str:
    """Customer n's class: 8 in 10 SEG, 1 SECURED, 1 CLEARED_SWAPS."""
    return {8: "SECURED", 9: "CLEARED_SWAPS"}.get(ordinal % 10, "SEG")


def _build_accounts(world: _World) -> None:
    """The customer and house accounts, their positions, profiles and starting cash."""
    rng = world.rng
    seg_seen = 0
    for index in range(world.options.accounts + 2):
        house = index >= world.options.accounts
        seg_class = "HOUSE" if house else _class_of(index)
        account_id = f"H{index - world.options.accounts + 1:06d}" if house else f"C{index + 1:06d}"
        owner = account_id
        if seg_class == "SEG":
            seg_seen += 1
            if seg_seen % 20 == 0:
                owner = world.accounts[-1].owner_id if world.accounts[-1].seg_class == "SEG" else owner
        pool = _POOLS[seg_class]
        count = {"HOUSE": 4, "SECURED": rng.randint(1, 2)}.get(seg_class, rng.randint(1, 3))
        instruments = tuple(sorted(rng.sample(pool, min(count, len(pool)))))
        currencies = {"SECURED": ("EUR", "USD")}.get(seg_class, ("USD",))
        if seg_class == "SEG" and rng.random() < 0.15:
            currencies = ("EUR", "USD")
        position_account = {"SEG": f"SEG-0{seg_seen % 4 + 1}", "SECURED": "SEC-01", "CLEARED_SWAPS": "CSW-01",
                            "HOUSE": "HOUSE-01"}[seg_class]
        world.accounts.append(_Account(index, account_id, seg_class, "PROPRIETARY" if house else "CUSTOMER", owner,
                                       position_account, "2" if house else "1", instruments, currencies))
        for instrument in instruments:
            size = rng.randint(1, 25) * (4 if house else 1)
            world.net[(index, instrument)] = size if rng.random() < 0.6 else -size
    _assign_profiles(world)
    world.normal_customers = [a for a in world.customers if a.profile == "NORMAL"]
    _starting_cash(world)


def _assign_profiles(world: _World) -> None:
    """A few SEG accounts liquidate to a deficit (the first has offset securities); several are undermargined,
    and one in SECURED and CLEARED_SWAPS when those classes have three accounts or more."""
    rng = world.rng
    seg = [a.index for a in world.customers if a.seg_class == "SEG"]
    chosen = rng.sample(seg, min(len(seg) - 1, max(3, len(seg) // 50) + max(4, len(seg) // 25)))
    deficits = chosen[: max(3, len(seg) // 50)]
    undermargined = chosen[len(deficits):]
    for cls in ("SECURED", "CLEARED_SWAPS"):
        members = [a.index for a in world.customers if a.seg_class == cls]
        if len(members) >= 3:
            undermargined.append(rng.choice(members))
    for number, index in enumerate(deficits):
        deficit = _cents(rng.randint(500_000, 20_000_000))
        offset = _round_cents(deficit * Decimal("0.6")) if number == 0 else Decimal(0)
        world.accounts[index] = world.accounts[index]._replace(profile="DEFICIT", deficit=deficit, offset_value=offset)
    for index in undermargined:
        factor = Decimal(rng.randint(30, 80)).scaleb(-2)
        world.accounts[index] = world.accounts[index]._replace(profile="UNDERMARGINED", margin_factor=factor)


def _starting_cash(world: _World) -> None:
    """Each NORMAL account's cash per currency before the first day: well above its initial margin."""
    rng = world.rng
    for account in world.accounts:
        if account.profile != "NORMAL":
            continue
        figures = _account_figures(world, account)
        for currency in account.currencies:
            ote, long_value, short_value, margin = figures.get(currency, (Decimal(0),) * 4)
            if currency == account.primary_currency:
                factor = Decimal(rng.randint(150, 300)).scaleb(-2) * (2 if account.seg_class == "HOUSE" else 1)
                cash = _round_cents(margin * factor) + short_value + _cents(rng.randint(1_000_000, 50_000_000))
            else:
                cash = _cents(rng.randint(1_000_000, 100_000_000))
            world.cash[(account.index, currency)] = cash


def _size_funds(world: _World) -> None:
    """Opening bank balances, collateral, custody, securities and targets sized on each class's requirement."""
    required: dict[tuple[str, str], Decimal] = {}
    for account in world.customers:
        for currency, nle in _net_liquidating_equity(world, account).items():
            key = (account.seg_class, currency)
            required[key] = required.get(key, Decimal(0)) + max(Decimal(0), nle)
    for bank in world.bank_accounts:
        need = required.get((bank.seg_class, bank.currency), Decimal(0))
        share = {"CUSTOMER_FUNDS": Decimal("0.45"), "SETTLEMENT": Decimal("0.05")}.get(bank.purpose, Decimal(0))
        world.bank_balance[bank.bank_account_id] = _round_cents(need * share) + _cents(100_000_000)
    world.bank_balance[SECOND_BANK_ACCOUNT] = _cents(25_000_000)
    world.bank_balance[HOUSE_OPERATING_ACCOUNT] = _cents(2_500_000_000)
    house_margin = sum((_account_figures(world, a).get("USD", (0, 0, 0, Decimal(0)))[3]
                        for a in world.accounts[world.options.accounts:]), Decimal(0))
    for cls in ("SEG", "SECURED", "CLEARED_SWAPS", "HOUSE"):
        need = house_margin if cls == "HOUSE" else required.get((cls, "USD"), Decimal(0)) + _eur_in_usd(
            world, required.get((cls, "EUR"), Decimal(0)))
        world.collateral_cash[cls] = _round_cents(need * Decimal("0.30")) + _cents(50_000_000)
        _size_holdings(world, cls, need)
    seg_need = required.get(("SEG", "USD"), Decimal(0))
    secured_need = required.get(("SECURED", "USD"), Decimal(0)) + _eur_in_usd(
        world, required.get(("SECURED", "EUR"), Decimal(0)))
    world.targets = [
        ("SEG", _money(max(_cents(10_000_000), _round_to(seg_need * Decimal("0.02"), 10_000))), "0.03"),
        ("SECURED", _money(max(_cents(5_000_000), _round_to(secured_need * Decimal("0.03"), 10_000))), ""),
        ("CLEARED_SWAPS", "", "0.04"),
    ]
    world.other_fcm = _round_to(seg_need * Decimal("0.02"), 100) + _cents(10_000_000)


def _eur_in_usd(world: _World, amount: Decimal | int) -> Decimal:
    return _round_cents(Decimal(amount) * Decimal(world.fx_nanos["EUR"]).scaleb(-9))


def _round_to(amount: Decimal, unit: int) -> Decimal:
    """``amount`` rounded down to a multiple of ``unit`` (whole currency units)."""
    return Decimal(int(amount) // unit * unit)


def _cusip(base: str) -> str:
    """A CUSIP: the eight characters given and their check digit."""
    total = 0
    for position, char in enumerate(base):
        value = int(char) if char.isdigit() else ord(char) - 55
        value = value * 2 if position % 2 else value
        total += value // 10 + value % 10
    return base + str((10 - total % 10) % 10)


_CLASS_NUMBER = {"SEG": 1, "SECURED": 2, "CLEARED_SWAPS": 3, "HOUSE": 4}


def _size_holdings(world: _World, cls: str, need: Decimal) -> None:
    """A T-bill invested at the DCO and in custody, and customer-owned notes at both, shared out to customers."""
    rng = world.rng
    number = _CLASS_NUMBER[cls]
    face = max(10_000, int(need * Decimal("0.15")) // 10_000 * 10_000)
    world.holdings.append(_Holding(cls, "INVESTMENT", _cusip(f"912797N{number}"), "US TREASURY BILL", "TBILL", face,
                                   Decimal("98.7500")))
    if cls == "HOUSE":
        return
    world.custody.append(_Holding(cls, "INVESTMENT", _cusip(f"912797P{number}"), "US TREASURY BILL", "TBILL",
                                  max(10_000, int(need * Decimal("0.10")) // 10_000 * 10_000), Decimal("98.9000")))
    owned = [a for a in world.customers if a.seg_class == cls and a.profile == "NORMAL"]
    if not owned:
        return
    dco_face = max(10_000, int(need * Decimal("0.03")) // 10_000 * 10_000)
    custody_face = max(10_000, int(need * Decimal("0.02")) // 10_000 * 10_000)
    world.holdings.append(_Holding(cls, "CUSTOMER_OWNED", _cusip(f"91282CK{number}"), "US TREASURY NOTE", "TNOTE",
                                   dco_face, Decimal("99.5000")))
    world.custody.append(_Holding(cls, "CUSTOMER_OWNED", _cusip(f"91282CL{number}"), "US TREASURY NOTE", "TNOTE",
                                  custody_face, Decimal("100.2500")))
    total_cents = int((world.holdings[-1].market_value() + world.custody[-1].market_value()) * 100)
    holders = sorted(rng.sample([a.index for a in owned], max(1, len(owned) // 10)))
    weights = [rng.randint(1, 100) for _ in holders]
    given = 0
    for holder, weight in zip(holders[:-1], weights):
        share = total_cents * weight // sum(weights)
        world.securities[holder] = _cents(share)
        given += share
    world.securities[holders[-1]] = _cents(total_cents - given)


_ACCOUNTS_HEADER = ("account_id", "account_name", "seg_class", "account_type", "beneficial_owner_id",
                    "clearing_account", "effective_from", "effective_to")
_BANK_ACCOUNTS_HEADER = ("bank_account_id", "depository", "depository_type", "country", "seg_class", "purpose",
                         "currency", "statement_format", "acknowledgment_letter_date", "effective_from", "effective_to")
_CLEARING_HEADER = ("dco", "position_account", "origin_code", "seg_class", "settlement_bank_account_id", "currency",
                    "effective_from", "effective_to")
_PRODUCTS_HEADER = ("exchange", "product_code", "instrument_type", "multiplier", "price_factor", "currency",
                    "foreign_board")
_TARGETS_HEADER = ("seg_class", "target_amount_usd", "target_pct_of_requirement", "approved_by", "approved_on",
                   "effective_from", "effective_to")


def _write_reference(folder: Path, world: _World) -> None:
    """reference/: accounts, bank accounts, clearing accounts, products and targets, in force from one date."""
    folder.mkdir(parents=True, exist_ok=True)
    since = world.effective_from.isoformat()
    _write_csv(folder / "accounts.csv", _ACCOUNTS_HEADER, (
        (a.account_id, f"{'House' if a.seg_class == 'HOUSE' else 'Customer'} {a.account_id}", a.seg_class,
         a.account_type, a.owner_id, a.position_account, since, "") for a in world.accounts))
    _write_csv(folder / "bank_accounts.csv", _BANK_ACCOUNTS_HEADER, (
        (b.bank_account_id, b.depository, "BANK", "US", b.seg_class, b.purpose, b.currency, b.statement_format,
         b.letter_date, since, "") for b in world.bank_accounts))
    _write_csv(folder / "clearing_accounts.csv", _CLEARING_HEADER, (
        (DCO, pa, origin, cls, bank, ccy, since, "") for pa, origin, cls, ccy, bank in _CLEARING_SPECS))
    _write_csv(folder / "products.csv", _PRODUCTS_HEADER, (
        (p.exchange, p.code, p.instrument_type, str(p.multiplier), "1", p.currency, p.foreign_board)
        for p in _PRODUCTS))
    approved = min(date(2019, 12, 16), world.effective_from).isoformat()
    _write_csv(folder / "targets.csv", _TARGETS_HEADER, (
        (cls, amount, pct, "Board of Directors", approved, since, "") for cls, amount, pct in world.targets))


# ---- market, trades and position reports ----


def _advance_prices(world: _World) -> None:
    """Yesterday's settlement becomes the previous price; an intraday mark and today's settlement follow."""
    rng = world.rng
    world.prev_settle = list(world.settle)
    for instrument in world.instruments:
        step = instrument.step_ticks
        floor = 4 if instrument.product.instrument_type == "OPT" else step * 10
        itd = max(floor, world.prev_settle[instrument.index] + (rng.randint(1, step) * rng.choice((-1, 1))))
        world.itd[instrument.index] = itd
        world.settle[instrument.index] = max(floor, itd + (rng.randint(1, step) * rng.choice((-1, 1))))


_TRADES_HEADER = ("trade_id", "trade_date", "account_id", "exchange", "product_code", "instrument_type",
                  "contract_month", "put_call", "strike", "side", "quantity", "price", "status", "clearing_trade_id",
                  "exec_id")


def _write_trades(world: _World, day: date, xml_path: Path, ledger: Path | None) -> dict[tuple[str, int], list[int]]:
    """Write the day's TrdCaptRpts (and the ledger's trades.csv); move positions; return per (position account,
    instrument) the signed quantity traded and the signed sum of quantity x price in ticks."""
    draw, count = world.rng.random, world.options.trades_per_day  # random() draws: cheap, and still the seed's
    customers, house = world.customers, world.accounts[world.options.accounts:]
    activity: dict[tuple[str, int], list[int]] = {}
    ymd, day_text = f"{day:%Y%m%d}", day.isoformat()
    with xml_path.open("w", encoding="utf-8") as xml_file, BatchWriter(xml_file, count) as batch, \
            _OptionalCsv(ledger / "trades.csv" if ledger else None, _TRADES_HEADER) as rows:
        for number in range(1, count + 1):
            group = house if draw() < HOUSE_TRADE_SHARE else customers
            account = group[int(draw() * len(group))]
            instrument = world.instruments[account.instruments[int(draw() * len(account.instruments))]]
            quantity = 1 + int(draw() * 10)
            side = "BUY" if draw() < 0.5 else "SELL"
            spread = instrument.step_ticks
            ticks = max(1, world.settle[instrument.index] + int(draw() * (2 * spread + 1)) - spread)
            signed = quantity if side == "BUY" else -quantity
            world.net[(account.index, instrument.index)] += signed
            totals = activity.setdefault((account.position_account, instrument.index), [0, 0])
            totals[0] += signed
            totals[1] += signed * ticks
            price, trd_id = instrument.price(ticks), f"{ymd}{number:08d}"
            batch.write(trade_capture_report(f"TR{trd_id}", trd_id, f"EX{trd_id}", day, side, quantity, price,
                                             instrument.xml, CLEARING_FIRM, account.position_account, account.origin))
            if rows is not None:
                product = instrument.product
                rows.writerow((f"T{ymd}-{number:08d}", day_text, account.account_id, product.exchange,
                               product.code, product.instrument_type, instrument.contract_month, instrument.put_call,
                               instrument.strike, side, quantity, price, "ACTIVE", trd_id, f"EX{trd_id}"))
    return activity


class _OptionalCsv:
    """A context manager giving a csv.writer on ``path`` with ``header`` written, or None when path is None."""

    def __init__(self, path: Path | None, header: Sequence[str]) -> None:
        self._path, self._header, self._handle = path, header, None

    def __enter__(self) -> object:
        if self._path is None:
            return None
        self._handle = self._path.open("w", newline="", encoding="utf-8")
        writer = csv.writer(self._handle, lineterminator="\n")
        writer.writerow(self._header)
        return writer

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()


def _position_totals(world: _World, start_of_day: dict[tuple[int, int], int]) -> dict[tuple[str, int], list[int]]:
    """Per (position account, instrument): [SOD long, SOD short, FIN long, FIN short], customer positions gross."""
    totals: dict[tuple[str, int], list[int]] = {}
    for (account_index, instrument_index), net in world.net.items():
        before = start_of_day[(account_index, instrument_index)]
        row = totals.setdefault((world.accounts[account_index].position_account, instrument_index), [0, 0, 0, 0])
        row[0] += max(before, 0)
        row[1] += max(-before, 0)
        row[2] += max(net, 0)
        row[3] += max(-net, 0)
    return dict(sorted(totals.items()))


def _report_amounts(world: _World, instrument: _Instrument, seg_class: str, net_start: int,
                    traded: list[int]) -> tuple[list[tuple[str, Decimal]], list[tuple[str, Decimal]]]:
    """The ITD and EOD Amt lists of one position: FMTM on futures, PREM on option trades, PAA on cleared swaps."""
    value = instrument.tick_value
    index = instrument.index
    quantity, quantity_ticks = traded
    zero = Decimal("0.00")
    if instrument.product.instrument_type == "FUT":
        itd_fmtm = value * (net_start * (world.itd[index] - world.prev_settle[index]))
        eod_fmtm = value * (net_start * (world.settle[index] - world.itd[index])
                            + world.settle[index] * quantity - quantity_ticks)
        itd, eod = [("FMTM", itd_fmtm), ("PREM", zero)], [("FMTM", eod_fmtm), ("PREM", zero)]
    else:
        itd, eod = [("FMTM", zero), ("PREM", zero)], [("FMTM", zero), ("PREM", value * -quantity_ticks)]
    if seg_class == "CLEARED_SWAPS":
        itd.append(("PAA", zero))
        eod.append(("PAA", _cents(world.rng.randint(-500_000, 500_000))))
    return itd, eod


def _write_position_reports(world: _World, day: date, start_of_day: dict[tuple[int, int], int],
                            activity: dict[tuple[str, int], list[int]], path: Path
                            ) -> dict[tuple[str, str, str], list[Decimal]]:
    """Write an ITD and an EOD PosRpt per position account and instrument; return the cycles by settlement key."""
    totals = _position_totals(world, start_of_day)
    cycles: dict[tuple[str, str, str], list[Decimal]] = {}
    ymd = f"{day:%Y%m%d}"
    with path.open("w", encoding="utf-8") as handle, BatchWriter(handle, 2 * len(totals)) as batch:
        for number, ((position_account, index), (sod_long, sod_short, fin_long, fin_short)) in enumerate(
                totals.items(), start=1):
            instrument = world.instruments[index]
            origin, seg_class = world.position_accounts[position_account]
            currency = instrument.product.currency
            traded = activity.get((position_account, index), [0, 0])
            itd, eod = _report_amounts(world, instrument, seg_class, sod_long - sod_short, traded)
            quantities = (("SOD", sod_long, sod_short), ("FIN", fin_long, fin_short))
            cycle = cycles.setdefault(world.settlement_keys[(position_account, currency)], [Decimal(0), Decimal(0)])
            for session, amounts, ticks, slot in (("ITD", itd, world.itd, 0), ("EOD", eod, world.settle, 1)):
                batch.write(position_report(
                    f"P{ymd}{session}{number:06d}", day, session, currency, instrument.price(ticks[index]), DCO,
                    CLEARING_FIRM, position_account, origin, instrument.xml, quantities, amounts))
                cycle[slot] += sum((amount for _typ, amount in amounts), Decimal(0))
    return dict(sorted(cycles.items()))


_POSITIONS_HEADER = ("account_id", "exchange", "product_code", "instrument_type", "contract_month", "put_call",
                     "strike", "long_quantity", "short_quantity", "settlement_price", "currency")


def _position_rows(world: _World, long_extra: dict[tuple[int, int], int] | None = None,
                   left_out: tuple[str, int] | None = None,
                   ticks_off: tuple[int, int] | None = None) -> Iterable[tuple[object, ...]]:
    """ledger/positions.csv: every account's position in each instrument it trades, at today's settlement; with
    ``long_extra`` added to some long quantities, the rows of the (position account, instrument) ``left_out``, and
    the (account, instrument) ``ticks_off`` booked one tick above the settlement price."""
    for (account_index, instrument_index), net in world.net.items():
        account = world.accounts[account_index]
        if left_out == (account.position_account, instrument_index):
            continue
        instrument = world.instruments[instrument_index]
        product = instrument.product
        extra = (long_extra or {}).get((account_index, instrument_index), 0)
        ticks = world.settle[instrument_index] + (1 if ticks_off == (account_index, instrument_index) else 0)
        yield (account.account_id, product.exchange, product.code, product.instrument_type,
               instrument.contract_month, instrument.put_call, instrument.strike, max(net, 0) + extra, max(-net, 0),
               instrument.price(ticks), product.currency)


def _instrument_key(instrument: _Instrument) -> str:
    """The instrument as the POSITION recon writes it: exchange|product|type|month|put_call|strike."""
    product = instrument.product
    return "|".join((product.exchange, product.code, product.instrument_type, instrument.contract_month,
                     instrument.put_call, instrument.strike))


def _plant_positions(world: _World, day: date, number: int) -> list[tuple[object, ...]]:
    """positions.csv with a POSITION QUANTITY_MISMATCH (one account's long quantity ``number`` too high), a
    MISSING_LEDGER (every row of another position account and instrument left out, a grain whose net is not flat), a
    PRICE_MISMATCH (a third such grain's account booked one tick above the settlement price) and a MISSING_CLEARING
    (a long of 3 booked in an instrument the clearing house reports for no account of that position account)."""
    grains: dict[tuple[str, int], int] = {}
    for (account_index, instrument_index), net in sorted(world.net.items()):
        grain = (world.accounts[account_index].position_account, instrument_index)
        grains[grain] = grains.get(grain, 0) + net
    keys = sorted(world.net)
    account_index, instrument_index = keys[(number * 7) % len(keys)]
    changed = (world.accounts[account_index].position_account, instrument_index)
    instrument = world.instruments[instrument_index]
    world.breaks.append(PlantedBreak(day, "POSITION", "QUANTITY_MISMATCH", None, instrument.product.currency,
                                     f"{_instrument_key(instrument)}|LONG", Decimal(-number), changed[0]))
    candidates = [g for g in sorted(grains) if grains[g] != 0 and g != changed]
    left_out = candidates[(number * 5) % len(candidates)]
    missing = world.instruments[left_out[1]]
    world.breaks.append(PlantedBreak(day, "POSITION", "MISSING_LEDGER", None, missing.product.currency,
                                     f"{_instrument_key(missing)}|POSITION", Decimal(grains[left_out]), left_out[0]))
    priced = next(key for key in keys[(number * 3) % len(keys):] + keys
                  if (world.accounts[key[0]].position_account, key[1]) in candidates
                  and (world.accounts[key[0]].position_account, key[1]) != left_out)
    off = world.instruments[priced[1]]
    world.breaks.append(PlantedBreak(day, "POSITION", "PRICE_MISMATCH", None, off.product.currency,
                                     f"{_instrument_key(off)}|PRICE", -off.product.tick,
                                     world.accounts[priced[0]].position_account))
    rows = list(_position_rows(world, {(account_index, instrument_index): number}, left_out, priced))
    # a future that no account of the position account holds (positions.csv lists every held one)
    held: dict[str, set[int]] = {}
    for a, i in world.net:
        held.setdefault(world.accounts[a].position_account, set()).add(i)
    start = (number * 11) % len(keys)
    for holder in (world.accounts[a] for a, _i in keys[start:] + keys[:start]):
        extra = next((i for i in world.instruments
                      if i.index not in held[holder.position_account] and i.product.instrument_type == "FUT"), None)
        if extra is not None:
            rows.append((holder.account_id, extra.product.exchange, extra.product.code,
                         extra.product.instrument_type, extra.contract_month, extra.put_call, extra.strike, 3, 0,
                         extra.price(world.settle[extra.index]), extra.product.currency))
            world.breaks.append(PlantedBreak(day, "POSITION", "MISSING_CLEARING", None, extra.product.currency,
                                             f"{_instrument_key(extra)}|POSITION", Decimal(-3),
                                             holder.position_account))
            break
    return rows


def _plant_collateral(world: _World, day: date, number: int,
                      collateral: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """collateral_books.csv: the DCO's rows with one market value booked too high (a COLLATERAL AMOUNT_MISMATCH),
    another left out (MISSING_LEDGER), and EUR cash the DCO does not report (MISSING_CLEARING). The statements read
    the DCO's file, so none of these moves them."""
    rows = list(collateral)
    index = (number - 1) % len(rows)
    dco, seg_class, asset_type, holding_type, cusip, currency, quantity, market_value = rows[index]
    extra = _cents(number * 10_000 + 37)
    rows[index] = (dco, seg_class, asset_type, holding_type, cusip, currency, quantity,
                   _money(Decimal(str(market_value)) + extra))
    world.breaks.append(PlantedBreak(day, "COLLATERAL", "AMOUNT_MISMATCH", None, str(currency),
                                     _collateral_reference(rows[index]), -extra))
    invariant(len(rows) > 1, f"{day}: one collateral row cannot carry two plants")
    left_out = rows.pop((index + 1) % len(rows))
    world.breaks.append(PlantedBreak(day, "COLLATERAL", "MISSING_LEDGER", None, str(left_out[5]),
                                     _collateral_reference(left_out), Decimal(str(left_out[7]))))
    unreported = _cents(number * 100_000 + 11)
    rows.append((dco, "SEG", "CASH", "", "", "EUR", "", _money(unreported)))
    world.breaks.append(PlantedBreak(day, "COLLATERAL", "MISSING_CLEARING", None, "EUR",
                                     _collateral_reference(rows[-1]), -unreported))
    return rows


def _collateral_reference(row: tuple[object, ...]) -> str:
    """The COLLATERAL recon's reference of a collateral row: dco|class|CASH|currency or
    dco|class|SECURITY|cusip|holding_type."""
    dco, seg_class, asset_type, holding_type, cusip, currency = row[:6]
    asset = f"CASH|{currency}" if asset_type == "CASH" else f"SECURITY|{cusip}|{holding_type}"
    return f"{dco}|{seg_class}|{asset}"


_TRANS_TYP = {"NEW": "0", "CANCEL": "1", "REPLACE": "2"}


def _amended_report(trans_typ: str, rpt_id: str, trd_id: str, day: date, side: str, quantity: int, price: str,
                    instrument: _Instrument, account: _Account) -> str:
    """A TrdCaptRpt with its TransTyp (the writer writes new reports only: the attribute is set here)."""
    message = trade_capture_report(rpt_id, trd_id, f"EX{trd_id}", day, side, quantity, price, instrument.xml,
                                   CLEARING_FIRM, account.position_account, account.origin)
    return message.replace(' TransTyp="0" ', f' TransTyp="{_TRANS_TYP[trans_typ]}" ', 1)


def _plant_trades(world: _World, day: date, number: int, xml_path: Path, trades_csv: Path) -> None:
    """The day's TRADE plants, outside the position story: PRICE_MISMATCH, MISSING_CLEARING, a NEW then CANCEL,
    a REPLACE (written before its NEW) with the ledger's quantity, a bunched fill with two allocations, two
    average-price fills (SELL 2 at two prices) allocated as one SELL 4 at their average price, a QUANTITY_MISMATCH
    (BUY 5 cleared, 4 booked against its TrdID) and a MISSING_LEDGER (BUY 1 cleared, never booked)."""
    ymd, day_text = f"{day:%Y%m%d}", day.isoformat()
    customers = [a for a in world.customers if a.seg_class == "SEG"]
    account = customers[number % len(customers)]
    partner = next((a for a in customers if a.position_account == account.position_account and a != account), account)
    instrument = world.instruments[account.instruments[0]]
    product, ticks = instrument.product, world.settle[instrument.index]
    price, higher, lower = instrument.price(ticks), instrument.price(ticks + 1), instrument.price(ticks - 1)
    ids = {name: f"{ymd}9{slot:07d}" for slot, name in enumerate(
        ("PRICE", "CANCEL", "REPLACE", "BUNCH", "AVERAGE1", "AVERAGE2", "QUANTITY", "UNBOOKED"), start=1)}
    average = str((Decimal(price) + Decimal(higher)) / 2)
    messages = [
        _amended_report("NEW", f"TR{ids['PRICE']}", ids["PRICE"], day, "BUY", 5, price, instrument, account),
        _amended_report("NEW", f"TR{ids['CANCEL']}", ids["CANCEL"], day, "SELL", 2, price, instrument, account),
        _amended_report("CANCEL", f"TR{ids['CANCEL']}C", ids["CANCEL"], day, "SELL", 2, price, instrument, account),
        _amended_report("REPLACE", f"TR{ids['REPLACE']}R", ids["REPLACE"], day, "SELL", 4, lower, instrument,
                        account),
        _amended_report("NEW", f"TR{ids['REPLACE']}", ids["REPLACE"], day, "SELL", 3, lower, instrument, account),
        _amended_report("NEW", f"TR{ids['BUNCH']}", ids["BUNCH"], day, "BUY", 7, higher, instrument, account),
        _amended_report("NEW", f"TR{ids['AVERAGE1']}", ids["AVERAGE1"], day, "SELL", 2, price, instrument, account),
        _amended_report("NEW", f"TR{ids['AVERAGE2']}", ids["AVERAGE2"], day, "SELL", 2, higher, instrument, account),
        _amended_report("NEW", f"TR{ids['QUANTITY']}", ids["QUANTITY"], day, "BUY", 5, price, instrument, account),
        _amended_report("NEW", f"TR{ids['UNBOOKED']}", ids["UNBOOKED"], day, "BUY", 1, lower, instrument, account),
    ]
    with xml_path.open("w", encoding="utf-8") as handle, BatchWriter(handle, len(messages)) as batch:
        for message in messages:
            batch.write(message)

    def row(trade_id: str, who: _Account, side: str, quantity: int, trade_price: str, status: str,
            clearing_trade_id: str) -> tuple[object, ...]:
        return (trade_id, day_text, who.account_id, product.exchange, product.code, product.instrument_type,
                instrument.contract_month, instrument.put_call, instrument.strike, side, quantity, trade_price,
                status, clearing_trade_id, f"EX{clearing_trade_id}" if clearing_trade_id else "")

    rows = [
        row(f"T{ymd}-P{number:07d}", account, "BUY", 5, higher, "ACTIVE", ids["PRICE"]),
        row(f"T{ymd}-M{number:07d}", account, "BUY", 6, price, "ACTIVE", ""),
        row(f"T{ymd}-C{number:07d}", account, "SELL", 2, price, "CANCELLED", ids["CANCEL"]),
        row(f"T{ymd}-R{number:07d}", account, "SELL", 4, lower, "ACTIVE", ids["REPLACE"]),
        row(f"T{ymd}-B{number:07d}1", account, "BUY", 3, higher, "ACTIVE", ""),
        row(f"T{ymd}-B{number:07d}2", partner, "BUY", 4, higher, "ACTIVE", ""),
        row(f"T{ymd}-A{number:07d}", account, "SELL", 4, average, "ACTIVE", ""),
        row(f"T{ymd}-Q{number:07d}", account, "BUY", 4, price, "ACTIVE", ids["QUANTITY"]),
    ]
    with trades_csv.open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    currency = product.currency
    world.breaks.append(PlantedBreak(day, "TRADE", "PRICE_MISMATCH", None, currency, ids["PRICE"],
                                     Decimal(price) - Decimal(higher), account.position_account))
    world.breaks.append(PlantedBreak(day, "TRADE", "MISSING_CLEARING", None, currency, f"T{ymd}-M{number:07d}",
                                     Decimal(-6), account.position_account))
    world.breaks.append(PlantedBreak(day, "TRADE", "QUANTITY_MISMATCH", None, currency, ids["QUANTITY"], Decimal(1),
                                     account.position_account))
    world.breaks.append(PlantedBreak(day, "TRADE", "MISSING_LEDGER", None, currency, ids["UNBOOKED"], Decimal(1),
                                     account.position_account))


_COLLATERAL_HEADER = ("dco", "seg_class", "asset_type", "holding_type", "cusip", "currency", "quantity",
                      "market_value")


def _collateral_rows(world: _World, number: int) -> list[tuple[object, ...]]:
    """Margin collateral at the DCO: cash per class, the T-bill invested (accreting daily), customer-owned notes."""
    rows: list[tuple[object, ...]] = [(DCO, cls, "CASH", "", "", "USD", "", _money(amount))
                                      for cls, amount in world.collateral_cash.items()]
    accrual = Decimal(number).scaleb(-4) * 25
    for holding in world.holdings:
        mark = accrual if holding.holding_type == "INVESTMENT" else Decimal(0)
        rows.append((DCO, holding.seg_class, "SECURITY", holding.holding_type, holding.cusip, "USD", holding.face,
                     _money(holding.market_value(mark))))
    return rows


_CUSTODY_HEADER = ("seg_class", "depository_account_id", "holding_type", "cusip", "description", "instrument_class",
                   "quantity", "market_value", "currency")


def _custody_rows(world: _World, number: int) -> list[tuple[object, ...]]:
    """Securities held for the classes at their customer-funds banks (USD account)."""
    accrual = Decimal(number).scaleb(-4) * 20
    rows = []
    for holding in world.custody:
        depository = next(b.bank_account_id for b in world.bank_accounts if b.seg_class == holding.seg_class
                          and b.purpose == "CUSTOMER_FUNDS" and b.currency == "USD")
        mark = accrual if holding.holding_type == "INVESTMENT" else Decimal(0)
        rows.append((holding.seg_class, depository, holding.holding_type, holding.cusip, holding.description,
                     holding.instrument_class, holding.face, _money(holding.market_value(mark)), "USD"))
    return rows


# ---- cash movements and the planted breaks ----


def _movement(world: _World, day: date, bank_account_id: str, prefix: str, entry_type: str, amount: Decimal,
              channel: str, account: _Account | None = None, reference: str = "", description: str = "") -> _Movement:
    """A movement whose bank and journal legs agree."""
    bank = world.bank_by_id[bank_account_id]
    reference = reference or world.next_reference(prefix, day)
    world.sequence += 1
    return _Movement(
        bank_account_id, bank.currency, bank.seg_class, reference, entry_type,
        -1 if account is None else account.index, "" if account is None else account.account_id,
        bank.depository if account is None else f"Customer {account.account_id}", description, channel,
        f"{bank.bank.upper()}{day:%y%m%d}{world.sequence:07d}", amount, 1, amount, day)


def _customer_bank_account(world: _World, seg_class: str, currency: str) -> str:
    """The class's customer-funds account in the currency (SEG USD sometimes the second bank's)."""
    if seg_class == "SEG" and currency == "USD" and world.rng.random() < 0.15:
        return SECOND_BANK_ACCOUNT
    return next(b.bank_account_id for b in world.bank_accounts if b.seg_class == seg_class
                and b.purpose == "CUSTOMER_FUNDS" and b.currency == currency and b.letter_date)


def _customer_flow(world: _World, day: date) -> _Movement:
    """A deposit or withdrawal by a NORMAL customer account, by wire or ACH."""
    rng = world.rng
    normal = world.normal_customers
    account = normal[rng.randrange(len(normal))]
    currency = "USD"
    if len(account.currencies) > 1 and rng.random() < 0.4:
        currency = "EUR"
    bank_account_id = _customer_bank_account(world, account.seg_class, currency)
    cents = rng.randint(100_000, 75_000_000)
    channel = "WIRE" if cents > 5_000_000 or rng.random() < 0.5 else "ACH"
    if rng.random() < 0.6:
        return _movement(world, day, bank_account_id, "DEP", "CUSTOMER_DEPOSIT", _cents(cents), channel, account,
                         description=f"{channel} deposit")
    return _movement(world, day, bank_account_id, "WDL", "CUSTOMER_WITHDRAWAL", _cents(-cents), channel, account,
                     description=f"{channel} withdrawal")


def _firm_movements(world: _World, day: date) -> list[_Movement]:
    """Bank fees and interest on every customer-funds and operating account, and a house top-up of SEG."""
    rng = world.rng
    movements = []
    for bank in world.bank_accounts:
        if bank.purpose not in ("CUSTOMER_FUNDS", "OPERATING"):
            continue
        movements.append(_movement(world, day, bank.bank_account_id, "FEE", "FEE", _cents(-rng.randint(2_500, 50_000)),
                                   "ACH", description="bank service fee"))
        movements.append(_movement(world, day, bank.bank_account_id, "INT", "INTEREST",
                                   _cents(rng.randint(1_000, 500_000)), "ACH", description="interest credit"))
    amount = _cents(rng.randint(10_000_000, 200_000_000))
    reference = world.next_reference("FTR", day)
    movements.append(_movement(world, day, HOUSE_OPERATING_ACCOUNT, "FTR", "FIRM_TRANSFER", -amount, "WIRE",
                               reference=reference, description="residual interest to SEG"))
    movements.append(_movement(world, day, SEG_FUNDS_ACCOUNT, "FTR", "FIRM_TRANSFER", amount, "WIRE",
                               reference=reference, description="residual interest from house"))
    return movements


def _add_break(world: _World, day: date, recon: str, break_type: str, movement: _Movement,
               difference: Decimal) -> None:
    world.breaks.append(PlantedBreak(day, recon, break_type, movement.bank_account_id, movement.currency,
                                     movement.reference, difference))


def _outstanding(world: _World, movement: _Movement) -> None:
    """A planted item break stays in the books' difference from the bank (bank - ledger) until it is fixed."""
    difference = (movement.bank_amount or 0) * movement.bank_copies - (movement.ledger_amount or 0)
    world.outstanding[movement.bank_account_id] = world.outstanding.get(movement.bank_account_id, 0) + difference


def _book_late(world: _World, day: date) -> _Movement:
    """The day-1 deposit or withdrawal the books missed, booked today with its original value date: it resolves
    day 1's CASH MISSING_LEDGER break."""
    late = world.late_booking._replace(bank_amount=None, ledger_amount=world.late_booking.bank_amount)
    world.fixed[("CASH", late.bank_account_id, late.reference)] = day
    _outstanding(world, late)
    return late


def _plant_cash(world: _World, day: date, flows: list[_Movement]) -> list[_Movement]:
    """One of each CASH break on five customer flows, recorded in the answer key."""
    rng = world.rng
    chosen = rng.sample(range(len(flows)), 5)
    kinds = ("MISSING_BANK", "MISSING_LEDGER", "AMOUNT_MISMATCH", "DATE_MISMATCH", "DUPLICATE")
    for kind, index in zip(kinds, chosen):
        flow = flows[index]
        amount = flow.bank_amount
        if kind == "MISSING_BANK":
            flow, difference = flow._replace(bank_amount=None), -amount
        elif kind == "MISSING_LEDGER":
            flow, difference = flow._replace(ledger_amount=None), amount
        elif kind == "AMOUNT_MISMATCH":
            delta = _cents(rng.randint(200, max(201, int(abs(amount) * 25)))) * rng.choice((-1, 1))
            flow, difference = flow._replace(ledger_amount=amount + delta), -delta
        elif kind == "DATE_MISMATCH":
            flow, difference = flow._replace(value_date=calendar.next_business_day(day)), Decimal("0.00")
        else:
            flow, difference = flow._replace(bank_copies=2), amount
        flows[index] = flow
        _add_break(world, day, "CASH", kind, flow, difference)
        _outstanding(world, flow)
    return flows


def _plant_cash_subsets(world: _World, day: date, number: int) -> list[_Movement]:
    """Two customer wires on the SEG customer-funds account that the books hold as journal entries with their own
    references: one whose entries (two or three) are the only subset of the day's unpaired entries summing to it
    (matched), and one where two pairs of entries each sum to it (a + b = c + d = wire: AMBIGUOUS, difference
    wire - (a + b + c + d), open until someone decides). Amounts come from their own random stream and the wires
    are written after every other movement of the day, so the rest of the story keeps its bytes."""
    rng = random.Random(f"cash-subsets-{world.options.seed}-{number}")
    customers = [a for a in world.normal_customers if a.seg_class == "SEG"]
    account = customers[number % len(customers)]
    deposit = rng.randint(1_000_000, 50_000_000)
    cuts = sorted(rng.sample(range(1, deposit), rng.randint(1, 2)))
    parts = [high - low for low, high in zip([0, *cuts], [*cuts, deposit])]
    matched = _booked_in_parts(world, day, account, deposit, parts)
    disputed = rng.randint(1_000_000, 50_000_000)
    # a and c below half the wire, b and d above it: four distinct entries, and no other two or three of them sum
    # to it
    a, c = rng.sample(range(disputed // 10, disputed // 2), 2)
    ambiguous = _booked_in_parts(world, day, account, disputed, [a, disputed - a, c, disputed - c])
    _add_break(world, day, "CASH", "AMBIGUOUS", ambiguous[0], -_cents(disputed))
    for movement in ambiguous:
        _outstanding(world, movement)
    for (wire, *entries), expect in ((matched, "MATCH"), (ambiguous, "AMBIGUOUS")):
        world.subsets.append(PlantedSubset(day, "CASH", wire.bank_account_id, wire.currency, wire.reference,
                                           tuple(entry.reference for entry in entries), expect))
    return matched + ambiguous


def _booked_in_parts(world: _World, day: date, account: _Account, whole: int, parts: list[int]) -> list[_Movement]:
    """A deposit wire of ``whole`` cents with no journal entry of its own, then one journal entry (no bank leg, its
    own reference) per part."""
    wire = _movement(world, day, SEG_FUNDS_ACCOUNT, "DEP", "CUSTOMER_DEPOSIT", _cents(whole), "WIRE", account,
                     description="WIRE deposit")
    entries = [_movement(world, day, SEG_FUNDS_ACCOUNT, "BKG", "CUSTOMER_DEPOSIT", _cents(part), "WIRE", account,
                         description="deposit booked in part") for part in parts]
    return [wire._replace(ledger_amount=None)] + [entry._replace(bank_amount=None) for entry in entries]


def _cash_decoys(world: _World, day: date) -> list[_Movement]:
    """Wires beyond float precision: an exact pair, one 1.00 off (a match) and one 1.01 off (a break)."""
    account = world.normal_customers[world.rng.randrange(len(world.normal_customers))]
    seg_funds = SEG_FUNDS_ACCOUNT
    if account.seg_class != "SEG":
        account = next(a for a in world.normal_customers if a.seg_class == "SEG")
    movements = [
        _movement(world, day, seg_funds, "DEP", "CUSTOMER_DEPOSIT", FLOAT_BREAKER_EXACT, "WIRE", account,
                  description="WIRE deposit"),
        _movement(world, day, seg_funds, "WDL", "CUSTOMER_WITHDRAWAL", -FLOAT_BREAKER_EXACT, "WIRE", account,
                  description="WIRE withdrawal"),
    ]
    within = _movement(world, day, seg_funds, "DEP", "CUSTOMER_DEPOSIT", FLOAT_BREAKER, "WIRE", account,
                       description="WIRE deposit")
    within = within._replace(ledger_amount=FLOAT_BREAKER + CASH_TOLERANCE)
    beyond = _movement(world, day, seg_funds, "WDL", "CUSTOMER_WITHDRAWAL", -FLOAT_BREAKER, "WIRE", account,
                       description="WIRE withdrawal")
    beyond = beyond._replace(bank_amount=-FLOAT_BREAKER - CASH_TOLERANCE - _CENT)
    for movement, expect in ((within, "MATCH"), (beyond, "BREAK")):
        difference = movement.bank_amount - movement.ledger_amount
        world.decoys.append(Decoy(day, "CASH", seg_funds, movement.currency, movement.reference, difference, expect))
    _add_break(world, day, "CASH", "AMOUNT_MISMATCH", beyond, beyond.bank_amount - beyond.ledger_amount)
    _outstanding(world, beyond)
    return movements + [within, beyond]


def _settlement_movement(world: _World, day: date, key: tuple[str, str, str], cycle: str, cycle_date: date,
                         amount: Decimal) -> _Movement:
    """A DCO payment of one cycle on its settlement account: a wire in when positive, out when negative."""
    movement = _movement(world, day, key[0], "", "DCO_SETTLEMENT", amount, "WIRE",
                         reference=f"{DCO}-{cycle}-{cycle_date:%Y%m%d}", description=f"{DCO} {cycle} settlement")
    return movement._replace(counterparty=f"{DCO} Clearing")


def _dco_items(world: _World, day: date, cycles: dict[tuple[str, str, str], list[Decimal]]
               ) -> list[tuple[_Movement, Decimal]]:
    """Today's payments with their clearing amounts: T's ITD cycles and the cycles still unpaid (T-1's EOD cycles;
    after a Fedwire holiday also the holiday's cycles and the EOD cycles of the day before it)."""
    items = [(_settlement_movement(world, day, key, "ITD", day, amounts[0]), amounts[0])
             for key, amounts in cycles.items()]
    items += [(_settlement_movement(world, day, key, cycle, cycle_date, amount), amount)
              for cycle, cycle_date, key, amount in world.due]
    return items


def _plant_dco(world: _World, day: date, items: list[tuple[_Movement, Decimal]]) -> list[_Movement]:
    """MISSING_BANK, MISSING_LEDGER and AMOUNT_MISMATCH on three payments, decoys 0.01 and 0.02 on two more, a
    payment whose ledger leg is booked as two journal entries (it matches, naming both), and a payment with no
    position reports behind it (MISSING_CLEARING)."""
    rng = world.rng
    invariant(len(items) >= 6, f"{day}: only {len(items)} settlement payments to plant six cases on")
    kinds = ("MISSING_BANK", "MISSING_LEDGER", "AMOUNT_MISMATCH", "DECOY_MATCH", "DECOY_BREAK")
    movements = [movement for movement, _clearing in items]
    planted = rng.sample(range(len(items)), 5)
    split = min(set(range(len(items))) - set(planted))
    movements[split] = movements[split]._replace(ledger_parts=2)
    for kind, index in zip(kinds, planted):
        movement, clearing = items[index]
        if kind in ("MISSING_BANK", "MISSING_LEDGER"):
            leg = "bank_amount" if kind == "MISSING_BANK" else "ledger_amount"
            movements[index] = movement._replace(**{leg: None})
            _add_break(world, day, "DCO_SETTLEMENT", kind, movement, -clearing)
            _outstanding(world, movements[index])
            continue
        delta = {"DECOY_MATCH": DCO_TOLERANCE, "DECOY_BREAK": DCO_TOLERANCE * 2}.get(
            kind, _cents(rng.randint(10_000, 1_000_000))) * rng.choice((-1, 1))
        leg = "bank_amount" if rng.random() < 0.5 else "ledger_amount"
        movements[index] = movement._replace(**{leg: clearing + delta})
        if kind != "DECOY_MATCH":
            _add_break(world, day, "DCO_SETTLEMENT", "AMOUNT_MISMATCH", movement, delta)
            _outstanding(world, movements[index])
        if kind != "AMOUNT_MISMATCH":
            world.decoys.append(Decoy(day, "DCO_SETTLEMENT", movement.bank_account_id, movement.currency,
                                      movement.reference, delta, "MATCH" if kind == "DECOY_MATCH" else "BREAK"))
    orphan = _settlement_movement(world, day, (MISSING_CLEARING_ACCOUNT, "SECURED", "USD"), "ITD", day,
                                  _cents(rng.randint(100_000, 10_000_000) * rng.choice((-1, 1))))
    _add_break(world, day, "DCO_SETTLEMENT", "MISSING_CLEARING", orphan, orphan.bank_amount)
    return movements + [orphan]


def _plant_balance(world: _World, day: date, movements: list[_Movement]) -> dict[str, Decimal]:
    """An unexplained book-versus-bank difference on one account that has no other planted case today."""
    touched = {b.bank_account_id for b in world.breaks if b.business_date == day}
    touched |= {d.bank_account_id for d in world.decoys if d.business_date == day}
    candidates = [b for b in world.bank_accounts if b.bank_account_id not in touched]
    bank = candidates[world.rng.randrange(len(candidates))]
    difference = _cents(world.rng.randint(10_000, 5_000_000) * world.rng.choice((-1, 1)))
    world.breaks.append(PlantedBreak(day, "BANK_BALANCE", "BALANCE_MISMATCH", bank.bank_account_id, bank.currency,
                                     None, difference))
    return {bank.bank_account_id: difference}


def _apply_customer_flows(world: _World, movements: list[_Movement]) -> None:
    """The books' customer cash moves with every customer entry they booked."""
    for movement in movements:
        if movement.account_index >= 0 and movement.ledger_amount is not None:
            key = (movement.account_index, movement.currency)
            world.cash[key] = world.cash.get(key, Decimal(0)) + movement.ledger_amount


def _record_pending(world: _World, day: date) -> None:
    """The cycles unpaid at the close of ``day`` (the answer key's pending items), each with its payment date."""
    expected = calendar.next_settlement_day(day)
    for cycle, cycle_date, (bank_account_id, _cls, currency), amount in world.due:
        world.pending.append(PendingSettlement(day, bank_account_id, currency, f"{DCO}-{cycle}-{cycle_date:%Y%m%d}",
                                               amount, expected))


# ---- bank files and the books ----


def _type_code(amount: Decimal, channel: str) -> str:
    """BAI2 detail type: 195 wire in, 165 ACH credit, 495 wire out, 455 ACH debit."""
    if amount >= 0:
        return "195" if channel == "WIRE" else "165"
    return "495" if channel == "WIRE" else "455"


def _bank_entries(movements: Iterable[_Movement]) -> dict[str, list[_Movement]]:
    """The bank legs per bank account, a duplicate reported twice."""
    entries: dict[str, list[_Movement]] = {}
    for movement in movements:
        if movement.bank_amount is not None:
            entries.setdefault(movement.bank_account_id, []).extend([movement] * movement.bank_copies)
    return entries


def _write_bank_files(folder: Path, world: _World, day: date, number: int, movements: list[_Movement]) -> None:
    """One BAI2 file per bank (final previous-day, as of ``day``) and one camt.053 per bank with CAMT053 accounts."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = _bank_entries(movements)
    for bank_code, (name, sender_id) in _BANKS.items():
        bai2_accounts, statements = [], []
        for bank in (b for b in world.bank_accounts if b.bank == bank_code):
            items = entries.get(bank.bank_account_id, [])
            opening = world.bank_balance[bank.bank_account_id]
            closing = opening + sum((m.bank_amount for m in items), Decimal(0))
            world.bank_balance[bank.bank_account_id] = closing
            if bank.statement_format == "BAI2":
                transactions = [Bai2Transaction(_type_code(m.bank_amount, m.channel), abs(m.bank_amount),
                                                m.bank_reference, m.reference, m.description.upper()) for m in items]
                bai2_accounts.append(Bai2Account(bank.bank_account_id, bank.currency,
                                                 {"010": opening, "015": closing}, transactions))
            else:
                statements.append(CamtStatement(
                    f"{bank.bank_account_id}-{day:%Y%m%d}", number, bank.bank_account_id, bank.currency, day,
                    opening, closing, [CamtEntry(m.bank_amount, day, day, m.bank_reference, m.reference,
                                                 m.description) for m in items]))
        if bai2_accounts:
            text = write_bai2(f"{day:%y%m%d}{bank_code.upper()}", sender_id, RECEIVER_ID, day,
                              [Bai2Group(sender_id, day, bai2_accounts)])
            (folder / f"{bank_code}.bai2").write_text(text, encoding="utf-8")
        if statements:
            text = write_camt053(f"{bank_code.upper()}-{day:%Y%m%d}", datetime.combine(day, time(18)), statements)
            (folder / f"{bank_code}_camt053.xml").write_text(text, encoding="utf-8")


_JOURNAL_HEADER = ("entry_id", "value_date", "account_id", "bank_account_id", "seg_class", "entry_type",
                   "counterparty", "currency", "amount", "reference", "description")


def _write_books(folder: Path, world: _World, day: date, movements: list[_Movement], openings: dict[str, Decimal],
                 outstanding: dict[str, Decimal], mismatch: dict[str, Decimal]) -> None:
    """cash_journal.csv, and bank_balances.csv: the bank's opening less the item breaks still open from earlier days,
    plus the day's journal entries, less any planted unexplained difference."""
    books = {account: opening - outstanding.get(account, 0) for account, opening in openings.items()}
    rows = []
    for movement in movements:
        if movement.ledger_amount is None:
            continue
        books[movement.bank_account_id] += movement.ledger_amount
        first = _cents(int(movement.ledger_amount * 100) // 3) if movement.ledger_parts == 2 else None
        parts = [movement.ledger_amount] if first is None else [first, movement.ledger_amount - first]
        for part in parts:
            rows.append((f"J{day:%Y%m%d}-{len(rows) + 1:07d}", movement.value_date.isoformat(),
                         movement.account_id, movement.bank_account_id, movement.seg_class, movement.entry_type,
                         movement.counterparty, movement.currency, _money(part), movement.reference,
                         movement.description))
    _write_csv(folder / "cash_journal.csv", _JOURNAL_HEADER, rows)
    _write_csv(folder / "bank_balances.csv", ("bank_account_id", "currency", "book_balance"), (
        (b.bank_account_id, b.currency, _money(books[b.bank_account_id] - mismatch.get(b.bank_account_id, 0)))
        for b in world.bank_accounts))


# ---- customer balances ----


def _account_figures(world: _World, account: _Account) -> dict[str, tuple[Decimal, Decimal, Decimal, Decimal]]:
    """Per currency: open trade equity (from each instrument's first price), long and short option value, margin."""
    figures: dict[str, list[Decimal]] = {}
    for index in account.instruments:
        instrument = world.instruments[index]
        net = world.net[(account.index, index)]
        row = figures.setdefault(instrument.product.currency, [Decimal(0)] * 4)
        settle = world.settle[index]
        if instrument.product.instrument_type == "FUT":
            row[0] += instrument.tick_value * (net * (settle - instrument.first_ticks))
            row[3] += instrument.product.margin * abs(net)
        elif net > 0:
            row[1] += instrument.tick_value * (net * settle)
        else:
            row[2] += instrument.tick_value * (-net * settle)
            row[3] += instrument.product.margin * -net
    return {currency: tuple(row) for currency, row in figures.items()}


def _balance_figures(world: _World, account: _Account) -> list[tuple[str, Decimal, Decimal, Decimal, Decimal, Decimal,
                                                                      Decimal, Decimal]]:
    """Per currency held: cash, securities, open trade equity, long and short option value, margin, offset."""
    figures = _account_figures(world, account)
    zero = Decimal(0)
    rows = []
    for currency in account.currencies:
        ote, long_value, short_value, margin = figures.get(currency, (zero, zero, zero, zero))
        securities = world.securities.get(account.index, zero) if currency == "USD" else zero
        equity = securities + ote + long_value - short_value
        if account.profile == "NORMAL":
            cash = world.cash[(account.index, currency)]
        elif currency != account.primary_currency:
            cash = -equity
        elif account.profile == "DEFICIT":
            cash = -account.deficit - equity
        else:
            cash = _round_cents(margin * account.margin_factor) - equity
        offset = account.offset_value if currency == account.primary_currency else zero
        rows.append((currency, cash, securities, ote, long_value, short_value, margin, offset))
    return rows


def _net_liquidating_equity(world: _World, account: _Account) -> dict[str, Decimal]:
    """Net liquidating equity per currency at today's prices."""
    return {row[0]: row[1] + row[2] + row[3] + row[4] - row[5] for row in _balance_figures(world, account)}


_BALANCES_HEADER = ("account_id", "currency", "cash_balance", "securities_value", "open_trade_equity",
                    "long_option_value", "short_option_value", "initial_margin_requirement",
                    "offset_securities_value")


def _balance_rows(world: _World) -> Iterable[tuple[object, ...]]:
    """ledger/balances.csv: every account (house included), per currency it holds."""
    for account in world.accounts:
        for currency, *amounts in _balance_figures(world, account):
            yield (account.account_id, currency, *(_money(a) for a in amounts))


def _fx_rows(world: _World) -> list[tuple[str, str]]:
    """Today's closing rates: USD 1; EUR and GBP move a little each day (9 places)."""
    for currency in ("EUR", "GBP"):
        world.fx_nanos[currency] += world.rng.randint(-3_000_000, 3_000_000)
    return [(currency, f"{Decimal(nanos).scaleb(-9):.9f}") for currency, nanos in world.fx_nanos.items()]


_OTHER_FCM_HEADER = ("fcm", "seg_class", "currency", "net_liquidating_equity", "investments_value",
                     "customer_securities_value")


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A UTF-8 CSV with a header row and LF line ends, streamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
