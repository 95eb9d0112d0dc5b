"""The Great Expectations suites: a bad row is quarantined, a bad bank file rejected, a clean day passes."""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from recon.contracts.ledger import BALANCES
from recon.domain import Problem
from recon.errors import ConfigError
from recon.ingest import BANK_BALANCE_SCHEMA, BANK_ENTRY_SCHEMA
from recon.validate import EXPECTATIONS_DIR, SEVERITIES, load_suites, run_suites

LEDGER_FILE = "2026-11-24/ledger/balances.csv"
BANK_FILE = "2026-11-24/bank/bankone.bai2"
OTHER_BANK_FILE = "2026-11-24/bank/banktwo.xml"
THIRD_BANK_FILE = "2026-11-24/bank/bankthree.xml"
BALANCES_SCHEMA = BALANCES.empty_frame().to_arrow().schema
SUITE_TABLES = {"src_ledger__balances", "src_bank__entries", "src_bank__balances"}


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


CLEAN = {
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
    "src_reference__accounts": pa.table({"account_id": ["no suite: not validated"]}),
}


@pytest.fixture(scope="module")
def found() -> list[Problem]:
    """One GX run over a day with every planted problem (GX costs seconds to import and set up)."""
    return run_suites(BAD)


def test_a_negative_short_option_value_is_quarantined_naming_record_and_expectation(found: list[Problem]) -> None:
    """The row, not the file: a ROW problem with the row's file, line, record id, field and exact value."""
    [problem] = [p for p in found if p.field == "short_option_value"]
    assert problem == Problem(
        "ROW", LEDGER_FILE, "line 2", "balances:C001|USD|2", "short_option_value",
        "GX_EXPECT_COLUMN_VALUES_TO_BE_BETWEEN", ">= 0", "-0.01", problem.message)
    assert "src_ledger__balances" in problem.message and "expect_column_values_to_be_between" in problem.message


def test_a_duplicate_account_and_currency_quarantines_both_rows(found: list[Problem]) -> None:
    """Neither duplicate is picked: both rows are quarantined, each naming the compound key."""
    duplicates = [p for p in found if p.code == "GX_EXPECT_COMPOUND_COLUMNS_TO_BE_UNIQUE"]
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
    assert [(p.scope, p.location, p.found) for p in found if p.field == field] == [("ROW", location, found_value)]


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
    status = [p for p in found if p.field == "status"]
    assert [(p.scope, p.source_file, p.record_id, p.found) for p in status] == [
        ("ROW", THIRD_BANK_FILE, "entry-4", "FUTR")]
    [missing] = [p for p in found if p.code == "GX_EXPECT_COLUMN_VALUES_TO_NOT_BE_NULL"]
    assert (missing.scope, missing.source_file, missing.field, missing.found) == ("FILE", BANK_FILE, "amount", "null")


def test_nothing_else_is_found_and_the_order_is_sorted(found: list[Problem]) -> None:
    """Exactly the planted problems (tables without a suite are not validated), in a total order."""
    assert len(found) == 9 and found == sorted(found)


def test_a_clean_day_gives_no_problem() -> None:
    """Every suite passes on rows that keep every rule (a zero INFO credit, a negative closing balance)."""
    assert run_suites(CLEAN) == []


def test_shuffled_rows_give_the_same_problems(found: list[Problem]) -> None:
    """Determinism: the problems do not depend on row order."""
    shuffled = {name: table.take(list(reversed(range(table.num_rows)))) for name, table in BAD.items()}
    assert run_suites(shuffled) == found


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
