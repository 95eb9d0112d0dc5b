"""Hypothesis strategies over a day's canonical tables: edits a reader could have produced, and new CASH cases.

An example starts from a generated day (every planted break, decoy and pending cycle already in it) and applies a
short list of edits drawn here: rows dropped, duplicated (a bank's genuine repeat, a second ledger entry or trade with
its own key), amounts moved by a cent, a tolerance or a little more, references re-cased, padded or swapped, dates
shifted, entries moved to an unknown or another bank account, entries taken out of scope, quantities and prices
nudged. On top come new CASH cases drawn from small pools of references and amounts, so candidates collide: one
reference on several entries, amounts one cent or one tolerance apart, a side missing or doubled. Every edited table
keeps the shape and the guarantees the parse and validate stages give (its schema, unique record ids, unique keys
where a contract keys the file, one currency per account, signs that agree with the entry's direction).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pyarrow as pa
from hypothesis import strategies as st

from tests.properties.days import Day

MONEY_DELTAS = tuple(Decimal(text) for text in ("0.01", "0.02", "0.99", "1.00", "1.01", "25.00"))
QUANTITY_DELTAS = tuple(Decimal(n) for n in (1, 2, 5))
PRICE_DELTAS = tuple(Decimal(text) for text in ("0.01", "0.25", "1.00"))
UNKNOWN_BANK_ACCOUNT = "000000009"
CASE_REFERENCES = ("PROP-1", "PROP-2", " prop-1 ", "PROP-10")
CASE_AMOUNTS = tuple(Decimal(text) for text in ("100.00", "100.01", "101.00", "101.01", "250.00", "0.01"))
CASE_SIDES = ("both", "bank", "ledger", "bank_twice", "ledger_twice")
EDITS_MAX = 12
CASES_MAX = 4

# The edits each table takes. Tables keyed by their grain (bank_balances.csv, positions.csv, collateral files) are not
# duplicated: their reader rejects a second row with the same key.
OPERATIONS = {
    "src_bank__entries": ("drop", "duplicate", "amount", "reference", "date", "account", "scope"),
    "src_ledger__cash_journal": ("drop", "duplicate", "amount", "reference", "date", "account", "type"),
    "src_bank__balances": ("amount",),
    "src_ledger__bank_balances": ("drop", "amount"),
    "src_clearing__position_reports": ("drop", "duplicate", "quantity", "price"),
    "src_clearing__position_amounts": ("amount",),
    "src_ledger__positions": ("drop", "quantity", "price"),
    "src_ledger__trades": ("drop", "duplicate", "quantity", "price", "status", "unlink"),
    "src_clearing__trade_reports": ("drop", "duplicate", "quantity", "price"),
    "src_clearing__collateral": ("drop", "amount"),
    "src_ledger__collateral_books": ("drop", "amount"),
}
MONEY_FIELD = {
    "src_bank__entries": "amount", "src_ledger__cash_journal": "amount", "src_bank__balances": "amount",
    "src_ledger__bank_balances": "book_balance", "src_clearing__position_amounts": "amount",
    "src_clearing__collateral": "market_value", "src_ledger__collateral_books": "market_value",
}
QUANTITY_FIELD = {
    "src_clearing__position_reports": "fin_long", "src_ledger__positions": "long_quantity",
    "src_ledger__trades": "quantity", "src_clearing__trade_reports": "quantity",
}
PRICE_FIELD = {
    "src_clearing__position_reports": "settlement_price", "src_ledger__positions": "settlement_price",
    "src_ledger__trades": "price", "src_clearing__trade_reports": "price",
}


@dataclass(frozen=True)
class Edit:
    """One edit: ``operation`` on row ``row`` (modulo the table's length) of ``table``; ``choice`` picks its
    parameter (which delta, which other row, which account) modulo the number of options."""

    table: str
    operation: str
    row: int
    choice: int


@dataclass(frozen=True)
class CashCase:
    """New CASH entries on the account of bank entry ``template`` (modulo the CASH entries): which sides appear,
    their references and amounts, the sign and the ledger's value-date shift in days."""

    template: int
    sides: str
    reference: str
    bank_amount: Decimal
    ledger_amount: Decimal
    negative: bool
    ledger_shift_days: int


EDITS = st.tuples(
    st.sampled_from([(table, operation) for table, operations in OPERATIONS.items() for operation in operations]),
    st.integers(0, 10**6), st.integers(0, 10**6),
).map(lambda drawn: Edit(drawn[0][0], drawn[0][1], drawn[1], drawn[2]))

CASES = st.builds(
    CashCase, st.integers(0, 10**6), st.sampled_from(CASE_SIDES), st.sampled_from(CASE_REFERENCES),
    st.sampled_from(CASE_AMOUNTS), st.sampled_from(CASE_AMOUNTS), st.booleans(), st.integers(0, 2),
)


class _Rows:
    """The day's tables as lists of row dicts while edits apply; new record ids are numbered from one counter."""

    def __init__(self, day: Day) -> None:
        self.schemas = {name: table.schema for name, table in day.sources.items()}
        self.tables = {name: table.to_pylist() for name, table in day.sources.items() if name in OPERATIONS}
        self.bank_accounts = sorted(day.sources["src_reference__bank_accounts"].column("bank_account_id").to_pylist())
        self.serial = 0

    def new_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}P{self.serial:04d}"

    def to_day(self, day: Day, edits: tuple[str, ...]) -> Day:
        sources = dict(day.sources)
        for name, rows in self.tables.items():
            sources[name] = pa.Table.from_pylist(rows, schema=self.schemas[name])
        return day.with_sources(sources, *edits)


def _moved(amount: Decimal, delta: Decimal, up: bool) -> Decimal:
    """``amount`` moved away from or towards zero by ``delta``, never across it (the sign is the direction)."""
    sign = -1 if amount < 0 else 1
    moved = amount + sign * delta if up else amount - sign * delta
    return moved if moved * sign > 0 else amount


def _duplicate(rows: _Rows, table: str, row: dict, choice: int) -> None:
    copy = dict(row)
    if table == "src_bank__entries":
        copy["record_id"] = rows.new_id(row["record_id"])  # a genuine repeat: same content, next occurrence id
    elif table == "src_ledger__cash_journal":
        copy["entry_id"] = rows.new_id(row["entry_id"])
        copy["record_id"] = f"cash_journal:{copy['entry_id']}"
    elif table == "src_ledger__trades":
        copy["trade_id"] = rows.new_id(row["trade_id"])
        copy["record_id"] = f"trades:{copy['trade_id']}"
    elif table == "src_clearing__trade_reports":
        copy["record_id"] = rows.new_id(row["record_id"])
        copy["rpt_id"] = rows.new_id(row["rpt_id"])
        if choice % 2:  # a second fill with the same economics, else a resend of the same trade
            copy["trd_id"] = rows.new_id(row["trd_id"])
            copy["exec_id"] = rows.new_id(row["exec_id"])
    elif table == "src_clearing__position_reports":
        copy["record_id"] = rows.new_id(row["record_id"])
        copy["rpt_id"] = rows.new_id(row["rpt_id"])
        amounts = rows.tables["src_clearing__position_amounts"]
        amounts += [dict(a, record_id=copy["record_id"]) for a in amounts if a["record_id"] == row["record_id"]]
    rows.tables[table].append(copy)


def _drop(rows: _Rows, table: str, row: dict) -> None:
    rows.tables[table].remove(row)
    if table == "src_clearing__position_reports":  # a report and its Amt elements go together
        amounts = rows.tables["src_clearing__position_amounts"]
        amounts[:] = [a for a in amounts if a["record_id"] != row["record_id"]]


def _apply(rows: _Rows, edit: Edit) -> None:
    table = rows.tables[edit.table]
    if not table:
        return
    row = table[edit.row % len(table)]
    operation, choice = edit.operation, edit.choice
    if operation == "drop":
        _drop(rows, edit.table, row)
    elif operation == "duplicate":
        _duplicate(rows, edit.table, row, choice)
    elif operation == "amount":
        field = MONEY_FIELD[edit.table]
        if row[field] is not None:
            row[field] = _moved(row[field], MONEY_DELTAS[choice % len(MONEY_DELTAS)], choice % 2 == 0)
    elif operation == "quantity":
        field = QUANTITY_FIELD[edit.table]
        row[field] = (row[field] or Decimal(0)) + QUANTITY_DELTAS[choice % len(QUANTITY_DELTAS)]
    elif operation == "price":
        field = PRICE_FIELD[edit.table]
        if row[field] is not None:
            row[field] = row[field] + PRICE_DELTAS[choice % len(PRICE_DELTAS)]
    else:
        _apply_cash(rows, edit, row)


def _apply_cash(rows: _Rows, edit: Edit, row: dict) -> None:
    """The edits of the cash and trade tables' own fields: references, dates, accounts, scope, types, links."""
    table, operation, choice = rows.tables[edit.table], edit.operation, edit.choice
    field = "customer_reference" if edit.table == "src_bank__entries" else "reference"
    if operation == "reference":
        if choice % 3 == 0:  # the same reference as a person types it: normalisation must still match it
            row[field] = f"  {row[field].lower()} "
        elif choice % 3 == 1:  # another entry's reference: a near miss
            row[field] = table[choice % len(table)][field]
        else:  # blank: the bank's own reference is used, the ledger has none
            row[field] = ""
    elif operation == "date":
        if edit.table == "src_bank__entries":
            row["value_date"] = row["as_of_date"] + timedelta(days=1 + choice % 3)
        else:
            row["value_date"] = row["value_date"] + timedelta(days=(1 + choice % 3) * (1 if choice % 2 else -1))
    elif operation == "account":
        accounts = [UNKNOWN_BANK_ACCOUNT, *rows.bank_accounts]
        row["bank_account_id"] = accounts[choice % len(accounts)]
    elif operation == "scope":
        row.update(({"report_kind": "INTERIM"}, {"status": "PDNG"}, {"report_kind": "SUPERSEDED"})[choice % 3])
    elif operation == "type":
        row["entry_type"] = "DCO_SETTLEMENT" if row["entry_type"] != "DCO_SETTLEMENT" else "CUSTOMER_DEPOSIT"
    elif operation == "status":
        row["status"] = "CANCELLED" if row["status"] == "ACTIVE" else "ACTIVE"
    elif operation == "unlink":  # a booked allocation with no clearing trade id: matched on economics or not at all
        row["clearing_trade_id"] = ""


def _add_case(rows: _Rows, case: CashCase, cash_entries: list[dict], journal_template: dict) -> None:
    template = cash_entries[case.template % len(cash_entries)]
    sign = -1 if case.negative else 1
    banks = {"both": 1, "bank": 1, "bank_twice": 2}.get(case.sides, 0)
    ledgers = {"both": 1, "ledger": 1, "ledger_twice": 2}.get(case.sides, 0)
    for _ in range(banks):
        rows.tables["src_bank__entries"].append(dict(
            template, record_id=rows.new_id("bank"), customer_reference=case.reference,
            bank_reference=rows.new_id("BR"), amount=sign * case.bank_amount,
            direction="DEBIT" if case.negative else "CREDIT", value_date=None))
    for _ in range(ledgers):
        entry_id = rows.new_id("J")
        rows.tables["src_ledger__cash_journal"].append(dict(
            journal_template, record_id=f"cash_journal:{entry_id}", entry_id=entry_id,
            bank_account_id=template["bank_account_id"], currency=template["currency"], reference=case.reference,
            amount=sign * case.ledger_amount,
            value_date=template["as_of_date"] + timedelta(days=case.ledger_shift_days),
            entry_type="CUSTOMER_WITHDRAWAL" if case.negative else "CUSTOMER_DEPOSIT"))


def _cash_templates(day: Day) -> tuple[list[dict], dict]:
    """The bank entries routed to CASH (final, booked, on a non-settlement account) and a customer journal row."""
    purposes = {r["bank_account_id"]: r["purpose"] for r in day.sources["src_reference__bank_accounts"].to_pylist()}
    entries = [r for r in day.sources["src_bank__entries"].to_pylist()
               if purposes.get(r["bank_account_id"]) not in (None, "SETTLEMENT") and r["report_kind"] == "FINAL"
               and r["status"] == "BOOK" and r["as_of_date"] == day.business_date]
    journal = next(r for r in day.sources["src_ledger__cash_journal"].to_pylist()
                   if r["entry_type"] == "CUSTOMER_DEPOSIT")
    return entries, journal


@st.composite
def edited_days(draw: st.DrawFn, day: Day) -> Day:
    """``day`` with up to EDITS_MAX edits and CASES_MAX new CASH cases."""
    rows = _Rows(day)
    edits = draw(st.lists(EDITS, max_size=EDITS_MAX))
    for edit in edits:
        _apply(rows, edit)
    cash_entries, journal_template = _cash_templates(day)
    cases = draw(st.lists(CASES, max_size=CASES_MAX))
    for case in cases:
        _add_case(rows, case, cash_entries, journal_template)
    return rows.to_day(day, tuple(map(repr, [*edits, *cases])))


def shuffled(day: Day, seed: int) -> Day:
    """``day`` with every table's rows in another order (the same rows)."""
    generator = random.Random(seed)
    sources = {}
    for name, table in sorted(day.sources.items()):
        order = list(range(table.num_rows))
        generator.shuffle(order)
        sources[name] = table.take(pa.array(order, pa.int64()))
    return day.with_sources(sources, f"rows shuffled with seed {seed}")
