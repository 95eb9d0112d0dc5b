"""The Great Expectations suites: a bad row is quarantined, a bad bank file rejected, a clean day passes."""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from recon.contracts.ledger import BALANCES, DAY_CONTRACTS
from recon.contracts.reference import REFERENCE_CONTRACTS
from recon.domain import Problem
from recon.errors import ConfigError
from recon.ingest import (
    BANK_BALANCE_SCHEMA,
    BANK_ENTRY_SCHEMA,
    POSITION_AMOUNT_SCHEMA,
    POSITION_REPORT_SCHEMA,
    TRADE_REPORT_SCHEMA,
    ingest,
)
from recon.validate import EXPECTATIONS_DIR, SEVERITIES, load_suites, run_suites, run_suites_of_days

LEDGER_FILE = "2026-11-24/ledger/balances.csv"
BANK_FILE = "2026-11-24/bank/bankone.bai2"
OTHER_BANK_FILE = "2026-11-24/bank/banktwo.xml"
THIRD_BANK_FILE = "2026-11-24/bank/bankthree.xml"
BALANCES_SCHEMA = BALANCES.empty_frame().to_arrow().schema
CLEARING_TABLES = {"src_clearing__position_reports": POSITION_REPORT_SCHEMA,
                   "src_clearing__position_amounts": POSITION_AMOUNT_SCHEMA,
                   "src_clearing__trade_reports": TRADE_REPORT_SCHEMA}
SCHEMAS = {**{name: contract.empty_frame().to_arrow().schema for name, (_, contract) in DAY_CONTRACTS.items()},
           **{f"src_reference__{name}": contract.empty_frame().to_arrow().schema
              for name, (contract, _) in REFERENCE_CONTRACTS.items()},
           **CLEARING_TABLES}
SUITE_TABLES = {"src_bank__entries", "src_bank__balances", *SCHEMAS}


def balance(line: int, account_id: str, currency: str = "USD", **money: str) -> dict:
    """A ledger balance row as the balances contract stages it; every money column 0 unless given."""
    columns = ("cash_balance", "securities_value", "open_trade_equity", "long_option_value", "short_option_value",
               "initial_margin_requirement", "offset_securities_value")
    return {"source_file": LEDGER_FILE, "record_id": f"balances:{account_id}|{currency}|{line}",
            "location": f"line {line}", "account_id": account_id, "currency": currency,
            **{c: Decimal(money.get(c, "0")) for c in columns}}


def entry(number: int, direction: str, amount: str, *, source_file: str = BANK_FILE, status: str = "BOOK") -> dict:
    """A bank entry row as the bank readers stage it."""
    return {"source_file": source_file, "record_id": f"entry-{number}", "location": f"record {number}",
            "bank_account_id": "100200300", "currency": "USD", "as_of_date": date(2026, 11, 24), "value_date": None,
            "type_code": "195", "direction": direction, "amount": Decimal(amount), "funds_type": "0",
            "bank_reference": f"B{number}", "customer_reference": f"R{number}", "text": "", "status": status,
            "reversal": False, "statement_id": "1/1/1", "fmt": "BAI2", "report_kind": "FINAL"}


def bank_balance(number: int, balance_type: str | None, amount: str | None) -> dict:
    return {"source_file": BANK_FILE, "record_id": f"balance-{number}", "location": f"record {number}",
            "bank_account_id": "100200300", "currency": "USD", "as_of_date": date(2026, 11, 24), "type_code": "015",
            "balance_type": balance_type, "amount": None if amount is None else Decimal(amount),
            "statement_id": "1/1/1", "fmt": "BAI2", "report_kind": "FINAL"}


# A valid value for each coded column; every other string is "<column>-<n>", every decimal 1, every date the day.
CODES = {"currency": "USD", "put_call": "", "seg_class": "SEG", "instrument_type": "FUT", "side": "BUY",
         "status": "ACTIVE", "entry_type": "FEE", "holding_type": "INVESTMENT", "asset_type": "SECURITY",
         "depository_type": "FCM", "account_type": "CUSTOMER", "purpose": "SETTLEMENT", "statement_format": "BAI2",
         "foreign_board": "N", "amt_type": "FMTM", "settl_session": "EOD", "trans_typ": "NEW"}
CLEAN_ROW = {"src_reference__fx_rates": {"currency": "EUR"}, "src_reference__targets": {"seg_class": "SECURED"}}


def source_file(table: str) -> str:
    folder, name = table.removeprefix("src_").split("__")
    return f"2026-11-24/{folder}/{name}.{'xml' if table in CLEARING_TABLES else 'csv'}"


def row(table: str, n: int, **values: object) -> dict:
    """A row of ``table`` that keeps every rule of its suite, with ``values`` put in (strings become decimals
    where the column is one)."""
    out: dict = {}
    for field in SCHEMAS[table]:
        if pa.types.is_decimal(field.type):
            out[field.name] = Decimal("1")
        elif pa.types.is_date(field.type):
            out[field.name] = date(2026, 11, 24)
        elif pa.types.is_boolean(field.type):
            out[field.name] = False
        else:
            out[field.name] = CODES.get(field.name, f"{field.name}-{n}")
    out |= {"source_file": source_file(table), "record_id": f"{table}:{n}"}
    out |= {"location": f"line {n}"} if "location" in out else {}
    for name, value in values.items():
        out[name] = Decimal(value) if isinstance(value, str) and pa.types.is_decimal(
            SCHEMAS[table].field(name).type) else value
    return out


def new_table(table: str, *bad: dict) -> pa.Table:
    """A clean row (line 1) and the bad rows (line 2, ...) of ``table``."""
    rows = [row(table, 1, **CLEAN_ROW.get(table, {}))] + [row(table, n, **values) for n, values in enumerate(bad, 2)]
    return pa.Table.from_pylist(rows, schema=SCHEMAS[table])


# One bad row per new suite: (table, the bad row's values, field, scope, expected, found). A ROW problem names line 2
# and its record; a FILE problem (reject) names the file, its first failing line (line 1 for a duplicate record id,
# whose twin is the clean row) and no record.
NEW_CASES = [
    ("src_ledger__cash_journal", {"entry_type": "WIRE"}, "entry_type", "ROW", "one of DCO_SETTLEMENT|", "WIRE"),
    ("src_ledger__bank_balances", {"bank_account_id": ""}, "bank_account_id", "ROW", "not blank", ""),
    ("src_ledger__positions", {"short_quantity": "-1"}, "short_quantity", "ROW", ">= 0", "-1"),
    ("src_ledger__trades", {"quantity": "-5"}, "quantity", "ROW", ">= 0", "-5"),
    ("src_ledger__custody", {"market_value": "-0.01"}, "market_value", "ROW", ">= 0", "-0.01"),
    ("src_ledger__collateral_books", {"cusip": ""}, "cusip", "ROW", "not blank when asset_type == SECURITY", ""),
    ("src_clearing__collateral", {"holding_type": "OWNED"}, "holding_type", "ROW", "one of INVESTMENT|", "OWNED"),
    ("src_ledger__other_fcm_equities", {"investments_value": "-1"}, "investments_value", "ROW", ">= 0", "-1"),
    ("src_ledger__foreign_depository_equities", {"securities_value": "-0.000000001"}, "securities_value", "ROW",
     ">= 0", "-0.000000001"),
    ("src_ledger__foreign_requirements", {"amount": "-100"}, "amount", "ROW", ">= 0", "-100"),
    ("src_clearing__position_reports", {"fin_short": "-2"}, "fin_short", "ROW", ">= 0", "-2"),
    ("src_clearing__trade_reports", {"multiplier": "0"}, "multiplier", "ROW", "> 0", "0"),
    ("src_reference__fx_rates", {"usd_per_unit": "0"}, "usd_per_unit", "FILE", "> 0", "0"),
    ("src_reference__accounts", {"account_type": "NONCUSTOMER"}, "seg_class", "ROW",
     "one of HOUSE when account_type == NONCUSTOMER", "SEG"),
    ("src_reference__bank_accounts", {"statement_format": "MT940"}, "statement_format", "ROW", "one of BAI2|", "MT940"),
    ("src_reference__clearing_accounts", {"dco": "dco-1", "position_account": "position_account-1",
                                          "record_id": "src_reference__clearing_accounts:1"},
     "record_id", "FILE", "unique record_id", "src_reference__clearing_accounts:1 (and 1 more rows)"),
    ("src_reference__products", {"price_factor": "-0.5"}, "price_factor", "ROW", "> 0", "-0.5"),
    ("src_reference__targets", {"record_id": "src_reference__targets:1"}, "record_id", "FILE", "unique record_id",
     "src_reference__targets:1 (and 1 more rows)"),
]
NEW_BAD = {table: new_table(table, bad) for table, bad, *_ in NEW_CASES}
NEW_CLEAN = {table: new_table(table) for table in SCHEMAS if table not in ("src_ledger__balances",)}

CLEAN = {
    **NEW_CLEAN,
    "src_ledger__balances": pa.Table.from_pylist(
        [balance(2, "C001", cash_balance="-12345678901234567.89", short_option_value="0"),
         balance(3, "C001", "EUR", long_option_value="10.5"),
         balance(4, "C002", initial_margin_requirement="1000")], schema=BALANCES_SCHEMA),
    "src_bank__entries": pa.Table.from_pylist(
        [entry(1, "CREDIT", "100.00"), entry(2, "DEBIT", "-250.00"), entry(3, "CREDIT", "0", status="INFO"),
         entry(4, "DEBIT", "-1.00", source_file=OTHER_BANK_FILE, status="PDNG")], schema=BANK_ENTRY_SCHEMA),
    "src_bank__balances": pa.Table.from_pylist([bank_balance(5, "CLBD", "-7.00")], schema=BANK_BALANCE_SCHEMA),
}
BAD = {
    "src_ledger__balances": pa.Table.from_pylist(
        [balance(2, "C001", short_option_value="-0.01"),
         balance(3, "C002"), balance(4, "C002"),
         balance(5, "C003", "usd"),
         balance(6, "C004", long_option_value="-0.000000001", initial_margin_requirement="-5")], schema=BALANCES_SCHEMA),
    "src_bank__entries": pa.Table.from_pylist(
        [entry(1, "CREDIT", "100.00"), entry(2, "DEBIT", "250.00"), entry(3, "DEBIT", "1.00"),
         entry(4, "CREDIT", "5.00", status="FUTR", source_file=THIRD_BANK_FILE),
         entry(5, "DEBIT", "-1.00", source_file=OTHER_BANK_FILE),
         entry(6, "CREDIT", "7.00", status="FUTR")], schema=BANK_ENTRY_SCHEMA),
    "src_bank__balances": pa.Table.from_pylist([bank_balance(6, "CLBD", None)], schema=BANK_BALANCE_SCHEMA),
    "src_run__notes": pa.table({"account_id": ["no suite: not validated"]}),
    **NEW_BAD,
}


@pytest.fixture(scope="module")
def found() -> list[Problem]:
    """One GX run over a day with every planted problem (GX costs seconds to import and set up)."""
    return run_suites(BAD)


def test_a_negative_short_option_value_is_quarantined_naming_record_and_expectation(found: list[Problem]) -> None:
    """The row, not the file: a ROW problem with the row's file, line, record id, field and exact value."""
    [problem] = [p for p in found if p.field == "short_option_value" and p.source_file == LEDGER_FILE]
    assert problem == Problem(
        "ROW", LEDGER_FILE, "line 2", "balances:C001|USD|2", "short_option_value",
        "GX_EXPECT_COLUMN_VALUES_TO_BE_BETWEEN", ">= 0", "-0.01", problem.message)
    assert "src_ledger__balances" in problem.message and "expect_column_values_to_be_between" in problem.message


def test_a_duplicate_account_and_currency_quarantines_both_rows(found: list[Problem]) -> None:
    """Neither duplicate is picked: both rows are quarantined, each naming the compound key."""
    duplicates = [p for p in found
                  if p.code == "GX_EXPECT_COMPOUND_COLUMNS_TO_BE_UNIQUE" and p.source_file == LEDGER_FILE]
    assert [(p.scope, p.location, p.field, p.found) for p in duplicates] == [
        ("ROW", "line 3", "account_id,currency", "account_id=C002, currency=USD"),
        ("ROW", "line 4", "account_id,currency", "account_id=C002, currency=USD"),
    ]
    assert {p.expected for p in duplicates} == {"unique (account_id, currency)"}


@pytest.mark.parametrize(("field", "location", "found_value"), [
    ("currency", "line 5", "usd"),
    ("long_option_value", "line 6", "-0.000000001"),
    ("initial_margin_requirement", "line 6", "-5"),
])
def test_every_ledger_balance_rule_quarantines_its_row(found: list[Problem], field: str, location: str,
                                                       found_value: str) -> None:
    """Table-driven: currency ISO and the non-negative money columns; found is the exact decimal, never a float."""
    assert [(p.scope, p.location, p.found) for p in found if p.field == field and p.source_file == LEDGER_FILE] == [
        ("ROW", location, found_value)]


def test_a_debit_with_a_positive_amount_rejects_its_bank_file_whole(found: list[Problem]) -> None:
    """Reject severity: one FILE problem for the file (two bad debits), none for the other bank file."""
    signs = [p for p in found if p.code == "GX_EXPECT_COLUMN_VALUES_TO_BE_BETWEEN" and p.source_file == BANK_FILE]
    assert [(p.location, p.record_id, p.expected, p.found) for p in signs] == [
        ("record 2", "", "<= 0 when direction == DEBIT", "250 (and 1 more rows)")]
    assert "2 row(s) fail" in signs[0].message and "src_bank__entries" in signs[0].message
    assert not [p for p in found if p.source_file == OTHER_BANK_FILE]


def test_an_unknown_entry_status_is_quarantined_and_a_balance_with_no_amount_rejects(found: list[Problem]) -> None:
    """status FUTR is one row's problem (entry-6's file is rejected, so only the rejection speaks for it); a
    balance with no amount is never read as zero: the file goes."""
    status = [p for p in found if p.field == "status" and p.source_file.startswith("2026-11-24/bank/")]
    assert [(p.scope, p.source_file, p.record_id, p.found) for p in status] == [
        ("ROW", THIRD_BANK_FILE, "entry-4", "FUTR")]
    [missing] = [p for p in found if p.code == "GX_EXPECT_COLUMN_VALUES_TO_NOT_BE_NULL" and p.source_file == BANK_FILE]
    assert (missing.scope, missing.source_file, missing.field, missing.found) == ("FILE", BANK_FILE, "amount", "null")


def test_nothing_else_is_found_and_the_order_is_sorted(found: list[Problem]) -> None:
    """Exactly the planted problems (tables without a suite are not validated), in a total order."""
    assert len(found) == 9 + len(NEW_CASES) and found == sorted(found)


def test_a_clean_day_gives_no_problem() -> None:
    """Every suite passes on rows that keep every rule (a zero INFO credit, a negative closing balance; one row of
    every canonical table)."""
    assert run_suites(CLEAN) == []


def test_shuffled_rows_give_the_same_problems(found: list[Problem]) -> None:
    """Determinism: the problems do not depend on row order."""
    shuffled = {name: table.take(list(reversed(range(table.num_rows)))) for name, table in BAD.items()
                if name not in NEW_BAD}  # one GX run less: the new suites' cases have one bad row each
    found = [p for p in found if p.source_file not in {source_file(table) for table in NEW_BAD}]
    assert run_suites(shuffled) == found


def test_days_checked_together_get_the_problems_each_gets_alone(found: list[Problem]) -> None:
    """A backfill validates its days in one batch: a clean day stays clean beside a bad one, each bad day gets
    exactly its own problems (a file rejected once per day, not once for both), and the same rows on two days are
    no duplicates of each other (uniqueness is within a day)."""
    shuffled = {name: table.take(list(reversed(range(table.num_rows)))) for name, table in BAD.items()}
    assert run_suites_of_days([CLEAN, BAD, CLEAN, shuffled, {}]) == [[], found, [], found, []]


def test_empty_tables_pass_without_importing_great_expectations(monkeypatch: pytest.MonkeyPatch) -> None:
    """A day with no rows to check never pays for the GX import."""
    monkeypatch.setitem(sys.modules, "great_expectations", None)  # any import of it now raises
    empty = {name: table.schema.empty_table() for name, table in CLEAN.items()}
    assert run_suites(empty) == []


def test_the_suites_load_from_expectations_and_every_expectation_has_a_severity() -> None:
    """One GX JSON suite per staged source table; each expectation says quarantine or reject, and why."""
    suites = load_suites()
    assert set(suites) == SUITE_TABLES
    assert {path.stem for path in EXPECTATIONS_DIR.glob("*.json")} == SUITE_TABLES
    for name, suite in suites.items():
        assert suite["name"] == name and suite["expectations"], name
        for expectation in suite["expectations"]:
            assert expectation["meta"]["severity"] in SEVERITIES and expectation["meta"]["reason"], expectation


def test_the_suites_round_trip_through_great_expectations() -> None:
    """Each file is exactly what GX writes for the suite it loads (no hand-edited drift GX would rewrite)."""
    import great_expectations as gx

    for name, suite in load_suites().items():
        assert gx.ExpectationSuite(**json.loads(json.dumps(suite))).to_json_dict() == suite, name


def test_a_suite_without_severity_or_with_a_float_money_bound_is_refused(tmp_path: Path) -> None:
    """Configuration errors, not silent passes: a missing severity, or a money rule GX would judge in floats."""
    suite = json.loads((EXPECTATIONS_DIR / "src_ledger__balances.json").read_text())
    del suite["expectations"][0]["meta"]["severity"]
    (tmp_path / "src_ledger__balances.json").write_text(json.dumps(suite))
    with pytest.raises(ConfigError, match="needs meta.severity"):
        load_suites(tmp_path)
    suite["expectations"] = [{"type": "expect_column_values_to_be_between",
                              "kwargs": {"column": "cash_balance", "max_value": 1000000.01},
                              "meta": {"severity": "quarantine", "reason": "a limit"}}]
    (tmp_path / "float").mkdir()
    (tmp_path / "float" / "src_ledger__balances.json").write_text(json.dumps(suite))
    with pytest.raises(ConfigError, match="through a float"):
        run_suites({"src_ledger__balances": CLEAN["src_ledger__balances"]}, directory=tmp_path / "float")


@pytest.mark.parametrize(("table", "bad", "field", "scope", "expected", "found_value"), NEW_CASES,
                         ids=[case[0] for case in NEW_CASES])
def test_one_bad_row_per_new_suite_is_quarantined_or_rejects_its_file(
        found: list[Problem], table: str, bad: dict, field: str, scope: str, expected: str, found_value: str) -> None:
    """Table-driven: each new suite's bad row gives exactly one problem, naming the record (ROW) or the file
    (FILE, reject) and the expectation; the clean row beside it gives none of its own."""
    [problem] = [p for p in found if p.source_file == source_file(table)]
    assert (problem.scope, problem.location, problem.field) == (scope, "line 1" if field == "record_id" else "line 2", field)
    assert problem.record_id == (f"{table}:2" if scope == "ROW" else "")
    assert problem.expected.startswith(expected) and problem.found.startswith(found_value), problem
    assert problem.code.startswith("GX_EXPECT_") and f"suite {table}, expect_" in problem.message
    suite = load_suites()[table]
    assert {e["meta"]["severity"] for e in suite["expectations"] if e["type"] == problem.code[3:].lower()
            and ",".join([e["kwargs"]["column"]] if "column" in e["kwargs"] else e["kwargs"]["column_list"]) == field
            } == {"quarantine" if scope == "ROW" else "reject"}


def test_a_position_amount_with_no_type_is_quarantined() -> None:
    """A blank amt_type quarantines the amount, naming its position report's record."""
    [problem] = run_suites({"src_clearing__position_amounts": new_table("src_clearing__position_amounts",
                                                                        {"amt_type": ""})})
    assert (problem.scope, problem.record_id, problem.field) == (
        "ROW", "src_clearing__position_amounts:2", "amt_type")


def test_every_canonical_table_the_parse_stage_writes_has_a_suite() -> None:
    """Every src_<folder>__<name> table recon.ingest writes (ledger and day contracts, reference, clearing, bank)
    has a suite in expectations/, and no suite names a table it does not write."""
    written = set(ingest([], date(2026, 11, 24), []).tables) - {"src_quarantined_rows"}
    assert set(DAY_CONTRACTS) | {f"src_reference__{name}" for name in REFERENCE_CONTRACTS} | set(CLEARING_TABLES) \
        <= written
    assert set(load_suites()) == written == SUITE_TABLES


def test_the_fx_rate_and_product_positive_rules_are_strict() -> None:
    """usd_per_unit, multiplier and price_factor are "> 0": min 0 with strict_min (a sign test the money guard
    allows), never a positive float bound."""
    suites = load_suites()
    for table, column in [("src_reference__fx_rates", "usd_per_unit"), ("src_reference__products", "multiplier"),
                          ("src_reference__products", "price_factor")]:
        [rule] = [e["kwargs"] for e in suites[table]["expectations"]
                  if e["type"] == "expect_column_values_to_be_between" and e["kwargs"]["column"] == column]
        assert (rule["min_value"], rule.get("strict_min"), rule.get("max_value")) == (0, True, None), table
