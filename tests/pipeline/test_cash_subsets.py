"""The CASH subset pass (CASH-SUBSET): one item against a subset of the other side of its block, a unique fit matched,
contested fits AMBIGUOUS, a block over the bound left alone. The two subset models run on crafted unpaired items;
one landing area then runs end to end to show the pass's records leave the missing-leg breaks."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
import yaml

from recon.cli import main
from recon.errors import ConfigError
from recon.rules import RULES_DIR, load_rules
from recon.sqlmodels import load_models
from recon.warehouse import DuckDBWarehouse
from tests.factory import DAY, CashDay, credit, journal_row

NEXT_DAY = date(2026, 11, 25)
SUBSET_MODELS = ("stg_rules__passes", "int_cash_subset_fits", "int_cash_subset_groups")
_UNPAIRED = pa.schema([
    ("side", pa.string()), ("record_id", pa.string()), ("source_file", pa.string()), ("bank_account_id", pa.string()),
    ("seg_class", pa.string()), ("account_id", pa.string()), ("currency", pa.string()), ("item_date", pa.date32()),
    ("reference", pa.string()), ("amount", pa.decimal128(38, 9)), ("break_type", pa.string()),
])


def bank(record: str, amount: str, *, day: date = DAY, currency: str = "USD") -> dict:
    """An unpaired bank item (its ledger leg missing) on account 100200300."""
    return {"side": "BANK", "record_id": record, "source_file": "bank.bai2", "bank_account_id": "100200300",
            "seg_class": "SEG", "account_id": None, "currency": currency, "item_date": day, "reference": f"W-{record}",
            "amount": Decimal(amount), "break_type": "MISSING_LEDGER"}


def ledger(record: str, amount: str, *, day: date = DAY, break_type: str = "MISSING_BANK") -> dict:
    """An unpaired journal entry of customer C001 on account 100200300."""
    return {"side": "LEDGER", "record_id": record, "source_file": "cash_journal.csv", "bank_account_id": "100200300",
            "seg_class": "SEG", "account_id": "C001", "currency": "USD", "item_date": day, "reference": f"BK-{record}",
            "amount": Decimal(amount), "break_type": break_type}


def subset_pass(items: list[dict]) -> list[tuple]:
    """The subset models over ``items`` as int_cash_unpaired: (outcome, reference, bank records, ledger records,
    difference, rule) per group, sorted."""
    models = {model.name: model for model in load_models()}
    connection = duckdb.connect()
    connection.register("src_rule_passes", load_rules().passes)
    connection.register("int_cash_unpaired", pa.Table.from_pylist(items, schema=_UNPAIRED))
    for name in SUBSET_MODELS:
        connection.execute(f"create table {name} as {models[name].sql}")
    rows = connection.execute(
        "select outcome, reference, bank_records, ledger_records, difference, rule_id, rule_version "
        "from int_cash_subset_groups").fetchall()
    return sorted((o, r, tuple(b), tuple(l), d.normalize(), f"{rule}/{v}") for o, r, b, l, d, rule, v in rows)


MATCH, AMBIGUOUS, RULE = "MATCH", "AMBIGUOUS", "CASH-SUBSET/1"
CASES = {
    "one wire, three journal entries: matched": (
        [bank("B1", "1000.00"), ledger("L1", "500.00"), ledger("L2", "300.00"), ledger("L3", "200.00"),
         ledger("L4", "123.45")],
        [(MATCH, "W-B1", ("B1",), ("L1", "L2", "L3"), 0, RULE)]),
    "two wires, one journal entry: matched": (
        [bank("B1", "250.00"), bank("B2", "750.00"), ledger("L1", "1000.00")],
        [(MATCH, "BK-L1", ("B1", "B2"), ("L1",), 0, RULE)]),
    "two subsets fit one wire: ambiguous, naming every candidate": (
        [bank("B1", "1000.00"), ledger("L1", "300.00"), ledger("L2", "700.00"), ledger("L3", "250.00"),
         ledger("L4", "750.00"), ledger("L5", "99.00")],
        [(AMBIGUOUS, "W-B1", ("B1",), ("L1", "L2", "L3", "L4"), Decimal("-1000"), RULE)]),
    "a clean fit beside an ambiguous one in the same block: one match, one AMBIGUOUS": (
        [bank("B1", "1000.00"), ledger("L1", "600.00"), ledger("L2", "400.00"),
         bank("B2", "555.55"), ledger("L3", "300.00"), ledger("L4", "255.55"), ledger("L5", "200.00"),
         ledger("L6", "355.55")],
        [(AMBIGUOUS, "W-B2", ("B2",), ("L3", "L4", "L5", "L6"), Decimal("-555.55"), RULE),
         (MATCH, "W-B1", ("B1",), ("L1", "L2"), 0, RULE)]),
    "two wires claim one journal entry: both ambiguous, in one break": (
        [bank("B1", "1000.00"), bank("B2", "1100.00"), ledger("L1", "600.00"), ledger("L2", "400.00"),
         ledger("L3", "500.00")],
        [(AMBIGUOUS, "W-B1", ("B1", "B2"), ("L1", "L2", "L3"), Decimal("600"), RULE)]),
    "a block with more than max_candidates items on a side is not searched": (
        [bank("B1", "1000.00"), ledger("L1", "600.00"), ledger("L2", "400.00")]
        + [ledger(f"X{n:02d}", f"{n}.17") for n in range(1, 12)],
        []),
    "a subset needs more than max_subset_size items: no fit": (
        [bank("B1", "1000.00")] + [ledger(f"L{n}", "250.00") for n in range(1, 5)],
        []),
    "a single equal item is left to its missing-leg breaks": (
        [bank("B1", "1000.00"), ledger("L1", "1000.00")],
        []),
    "blocks are one date and one currency": (
        [bank("B1", "1000.00"), ledger("L1", "600.00", day=NEXT_DAY), ledger("L2", "400.00", day=NEXT_DAY),
         bank("B2", "700.00", currency="EUR"), ledger("L3", "300.00"), ledger("L4", "400.00")],
        []),
    "a duplicate is not a candidate": (
        [bank("B1", "1000.00"), ledger("L1", "600.00"), ledger("L2", "400.00", break_type="DUPLICATE")],
        []),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_subset_pass_outcomes(case: str) -> None:
    """Each block ends as the case states: matched groups, one AMBIGUOUS break per contested block, or nothing."""
    items, expected = CASES[case]
    assert subset_pass(items) == sorted(expected)


def test_the_outcome_does_not_depend_on_the_order_of_the_rows() -> None:
    """Shuffled input rows give the same groups (every candidate list has a total order)."""
    items = CASES["a clean fit beside an ambiguous one in the same block: one match, one AMBIGUOUS"][0]
    expected = subset_pass(items)
    for seed in range(3):
        shuffled = list(items)
        random.Random(seed).shuffle(shuffled)
        assert subset_pass(shuffled) == expected


@pytest.mark.parametrize("bounds", [{"max_candidates": 12, "max_subset_size": 1},
                                    {"max_candidates": 2, "max_subset_size": 3}, {"max_subset_size": 3}])
def test_subset_bounds_are_checked_when_the_rules_load(tmp_path: Path, bounds: dict) -> None:
    """max_subset_size below 2 or above max_candidates, or one bound without the other, is refused at load time."""
    for path in RULES_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    document = yaml.safe_load((RULES_DIR / "cash.yaml").read_text(encoding="utf-8"))
    subset = next(p for p in document["passes"] if p["rule_id"] == "CASH-SUBSET")
    for key in ("max_candidates", "max_subset_size"):
        subset.pop(key)
    subset.update(bounds)
    (tmp_path / "cash.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(ConfigError, match="CASH-SUBSET"):
        load_rules(tmp_path)


def test_a_run_matches_the_fit_and_reports_the_ambiguous_block_and_nothing_else(tmp_path: Path) -> None:
    """End to end: the one-to-many wire is matched under CASH-SUBSET, the ambiguous wire is one AMBIGUOUS break
    naming it and its four candidates, no record of either is also a missing-leg break, and every record has one
    fate."""
    day = CashDay()
    day.bank["100200300"] = [credit("1000.00", "WIRE-1"), credit("555.55", "WIRE-2"), credit("80.00", "WIRE-3")]
    day.closing["100200300"] = Decimal("1635.55")
    day.journal = [journal_row("J1", "600.00", "BOOK-1"), journal_row("J2", "400.00", "BOOK-2"),
                   journal_row("J3", "300.00", "BOOK-3"), journal_row("J4", "255.55", "BOOK-4"),
                   journal_row("J5", "200.00", "BOOK-5"), journal_row("J6", "355.55", "BOOK-6")]
    landing, warehouse = day.write(tmp_path / "landing"), tmp_path / "wh.duckdb"
    assert main(["run", "--date", DAY.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse)]) == 0
    with DuckDBWarehouse(warehouse) as target:
        matches = [m for m in target.read_partition("recon_matches", DAY) if m["recon"] == "CASH"]
        breaks = [b for b in target.read_partition("recon_breaks", DAY) if b["recon"] == "CASH"]
        fates = [r for r in target.read_partition("conservation", DAY) if r["recon"] == "CASH"]
    journal = "cash_journal:J{}".format
    assert [(m["rule_id"], m["reference"], len(m["bank_records"]), m["ledger_records"], m["difference"])
            for m in matches] == [("CASH-SUBSET", "WIRE-1", 1, [journal(1), journal(2)], 0)]
    assert sorted((b["break_type"], b["reference"], len(b["bank_records"]), tuple(b["ledger_records"]),
                   b["difference"]) for b in breaks) == [
        ("AMBIGUOUS", "WIRE-2", 1, tuple(journal(n) for n in (3, 4, 5, 6)), Decimal("-555.55")),
        ("MISSING_LEDGER", "WIRE-3", 1, (), Decimal("80.00"))]
    assert sum(r["rows_matched"] for r in fates) == 3 and sum(r["rows_in_breaks"] for r in fates) == 6
