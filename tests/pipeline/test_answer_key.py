"""Generated days run end to end: every planted break is found with its type and difference, decoys behave as
planted, and nothing else is reported."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from recon.generate import GenerateOptions, generate
from recon.pipeline import run_day
from recon.warehouse import DuckDBWarehouse
from segregation.invariants import check_marts

OPTIONS = GenerateOptions(start=date(2026, 11, 20), days=3, accounts=30, trades_per_day=60, seed=11)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """Three generated business days run in order into one warehouse."""
    root = tmp_path_factory.mktemp("generated")
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    generate(landing, OPTIONS)
    key = json.loads((landing / "answer_key.json").read_text())
    days = sorted({b["business_date"] for b in key["breaks"]})
    for day in days:
        assert run_day(date.fromisoformat(day), landing, warehouse).exit_code == 0
    return landing, warehouse, key


def _published(warehouse: Path, table: str) -> list[dict]:
    with DuckDBWarehouse(warehouse) as target:
        cursor = target.connection.execute(f"select * from {table} order by all")
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


CLEARING_RECONS = ("POSITION", "TRADE", "COLLATERAL")


def _key(row: dict) -> tuple:
    """A break's grain as the answer key names it: the position account counts for POSITION and TRADE."""
    account = row.get("account") if row["recon"] in CLEARING_RECONS else None
    return (str(row["business_date"]), row["recon"], row["bank_account_id"], row["currency"], row["reference"],
            account)


def test_every_planted_break_and_nothing_else(generated: tuple[Path, Path, dict]) -> None:
    """Published open breaks (pending and resolved items aside) equal the answer key: type, grain and difference,
    each as many times as it was planted (a break reported twice fails)."""
    _, warehouse, key = generated
    published = Counter((*_key(b), b["break_type"], b["difference"].normalize())
                        for b in _published(warehouse, "recon_breaks") if b["status"] in ("NEW", "OPEN"))
    planted = Counter((*_key(b), b["break_type"], Decimal(b["difference"]).normalize()) for b in key["breaks"])
    assert published == planted
    types = {(b["recon"], b["break_type"]) for b in key["breaks"]}
    assert all(sum(1 for b in key["breaks"] if (b["recon"], b["break_type"]) == t) >= 3 for t in types)
    assert len(types) == 22
    assert {r for r, _ in types} >= set(CLEARING_RECONS)


def test_decoys_inside_tolerance_match_and_outside_break(generated: tuple[Path, Path, dict]) -> None:
    """A difference exactly at the tolerance is matched (and recorded); one cent more is a break."""
    _, warehouse, key = generated
    matched = {_key(m): m["difference"] for m in _published(warehouse, "recon_matches")}
    broken = {_key(b) for b in _published(warehouse, "recon_breaks") if b["status"] in ("NEW", "OPEN")}
    for decoy in key["decoys"]:
        grain = (decoy["business_date"], decoy["recon"], decoy["bank_account_id"], decoy["currency"], decoy["reference"],
                 None)
        if decoy["expect"] == "MATCH":
            assert grain in matched and grain not in broken, decoy
        else:
            assert grain in broken and grain not in matched, decoy


def test_end_of_day_cycles_are_pending_until_their_payment_date(generated: tuple[Path, Path, dict]) -> None:
    """Each day's own end-of-day cycle is PENDING with its expected payment date, never a break that day."""
    _, warehouse, key = generated
    pending = {(str(b["business_date"]), b["bank_account_id"], b["currency"], b["reference"], str(b["expected_date"]))
               for b in _published(warehouse, "recon_breaks") if b["status"] == "PENDING"}
    planted = {(p["business_date"], p["bank_account_id"], p["currency"], p["reference"], p["expected_date"])
               for p in key["pending"]}
    assert pending == planted


def test_conservation_adds_up_per_file_on_generated_days(generated: tuple[Path, Path, dict]) -> None:
    """Per file and recon, read = matched + breaks + pending + quarantined + out of scope, count and amount."""
    _, warehouse, _ = generated
    rows = _published(warehouse, "conservation")
    assert rows
    for row in rows:
        fates = ("matched", "in_breaks", "pending", "quarantined", "out_of_scope")
        assert row["rows_read"] == sum(row[f"rows_{f}"] for f in fates), row
        assert row["amount_read"] == sum(row[f"amount_{f}"] for f in fates), row
    recons = {row["recon"] for row in rows}
    assert {"CASH", "DCO_SETTLEMENT", "BANK_BALANCE", *CLEARING_RECONS} <= recons


def test_each_cash_and_settlement_break_names_the_records_its_amounts_come_from(
        generated: tuple[Path, Path, dict]) -> None:
    """The records of every CASH and DCO_SETTLEMENT break raised on its day, resolved in the day's files with the
    project's readers (bank entries and position reports by record id, journal entries by entry id; a cycle's
    reports are its settlement amounts, their settlement account and cycle reference): each side's records add up
    to that side's amount (none when the side is absent), each carries the break's account and currency, and, but
    for an AMBIGUOUS block (whose items carry their own references), the break's reference."""
    from tests.test_generate import day_files, settlement_reports

    landing, warehouse, key = generated
    for day in sorted({b["business_date"] for b in key["breaks"]}):
        files = day_files(landing, date.fromisoformat(day))
        clearing = settlement_reports(landing, date.fromisoformat(day))
        bank = {e.record_id: (e.bank_account_id, e.currency, e.customer_reference.strip().upper(), e.amount)
                for statement in files.statements for e in statement.entries}
        ledger = {f"cash_journal:{r['entry_id']}": (r["bank_account_id"], r["currency"],
                                                   r["reference"].strip().upper(), r["amount"]) for r in files.journal}
        breaks = [b for b in _published(warehouse, "recon_breaks") if b["business_date"].isoformat() == day
                  and b["status"] == "NEW" and b["recon"] in ("CASH", "DCO_SETTLEMENT")]
        assert breaks
        for b in breaks:
            sides = [(b["bank_records"], b["bank_amount"], bank), (b["ledger_records"], b["ledger_amount"], ledger)]
            if b["recon"] == "DCO_SETTLEMENT":
                sides.append((b["clearing_records"], b["clearing_amount"], clearing))
            for records, amount, source in sides:
                rows = [source[record] for record in records]
                assert sum(row[3] for row in rows) == (amount or 0) and bool(rows) == (amount is not None), b
                assert {row[:2] for row in rows} <= {(b["bank_account_id"], b["currency"])}, b
                if b["break_type"] != "AMBIGUOUS":
                    assert {row[2] for row in rows} <= {b["reference"]}, b

def test_trade_plants_that_must_not_break_are_matched_or_out_of_scope(generated: tuple[Path, Path, dict]) -> None:
    """The REPLACE, the bunched fill (one fill against two allocations) and the average-price fills (two fills at two
    prices against one allocation at their average) match under TRADE-ECONOMICS; the NEW then CANCEL is out of scope
    on both sides; every trade record has exactly one fate."""
    _, warehouse, key = generated
    days = sorted({b["business_date"] for b in key["breaks"]})
    matches = [m for m in _published(warehouse, "recon_matches") if m["recon"] == "TRADE"]
    for day in days:
        ymd = day.replace("-", "")
        by_reference = {m["reference"]: m for m in matches}
        assert f"{ymd}90000003" in by_reference  # the REPLACE, reported before its NEW
        assert len(by_reference[f"{ymd}90000003"]["clearing_records"]) == 2
        bunch = by_reference[f"{ymd}90000004"]
        assert (len(bunch["clearing_records"]), len(bunch["ledger_records"])) == (1, 2)
        average = by_reference[f"{ymd}90000005,{ymd}90000006"]
        assert (average["rule_id"], len(average["clearing_records"]), len(average["ledger_records"])) == (
            "TRADE-ECONOMICS", 2, 1)
        assert average["clearing_amount"] == average["ledger_amount"] == -4
        assert f"{ymd}90000002" not in by_reference
    fates = [r for r in _published(warehouse, "conservation") if r["recon"] == "TRADE"]
    assert sum(r["rows_out_of_scope"] for r in fates) >= 3 * len(days)


def test_a_settlement_booked_as_two_journal_entries_matches_naming_both(generated: tuple[Path, Path, dict]) -> None:
    """Each day one DCO payment's ledger leg is two journal entries adding up to it: the cycle is one DCO-CYCLE
    match naming both entries, the bank wire and the cycle's position reports."""
    _, warehouse, key = generated
    days = sorted({b["business_date"] for b in key["breaks"]})
    split = [m for m in _published(warehouse, "recon_matches")
             if m["recon"] == "DCO_SETTLEMENT" and len(m["ledger_records"]) == 2]
    assert sorted(m["business_date"].isoformat() for m in split) == days
    for match in split:
        assert match["rule_id"] == "DCO-CYCLE" and len(match["bank_records"]) == 1 and match["clearing_records"]
        assert match["ledger_amount"] == match["clearing_amount"]

def test_an_item_break_fixed_on_day_three_ages_then_resolves_with_one_id(generated: tuple[Path, Path, dict]) -> None:
    """Day 1's CASH MISSING_LEDGER is booked late on day 3: NEW age 0, OPEN age 1, then RESOLVED, one break id;
    the late journal entry is matched against it by the carry-forward rule, and every other item break is still
    open on day 3 (it is carried, not dropped)."""
    _, warehouse, key = generated
    days = sorted({b["business_date"] for b in key["breaks"]})
    fixed = [b for b in key["breaks"] if b["recon"] == "CASH" and b["break_type"] == "MISSING_LEDGER"
             and b["business_date"] == days[0]]
    assert len(fixed) == 1
    reference = fixed[0]["reference"]
    rows = sorted((b for b in _published(warehouse, "recon_breaks") if b["reference"] == reference),
                  key=lambda b: b["business_date"])
    assert [(str(b["business_date"]), b["status"], b["age_business_days"]) for b in rows] == [
        (days[0], "NEW", 0), (days[1], "OPEN", 1), (days[2], "RESOLVED", 2)]
    assert len({b["break_id"] for b in rows}) == 1
    assert {b["first_seen_date"].isoformat() for b in rows} == {days[0]}
    assert rows[1]["difference"] == Decimal(fixed[0]["difference"]) and rows[2]["difference"] == 0
    carried = [m for m in _published(warehouse, "recon_matches") if m["reference"] == reference]
    assert [(str(m["business_date"]), m["rule_id"], len(m["ledger_records"]), m["difference"]) for m in carried] == [
        (days[2], "CASH-CARRIED", 1, 0)]
    open_day3 = {b["break_id"] for b in _published(warehouse, "recon_breaks")
                 if str(b["business_date"]) == days[2] and b["status"] == "OPEN" and b["recon"] == "CASH"}
    new_cash = [b for b in key["breaks"] if b["recon"] == "CASH" and b["status"] == "NEW"]
    assert len(open_day3) == sum(1 for b in new_cash if b["business_date"] in days[:2]) - 1


def _journal_records(landing: Path, day: str) -> dict[str, str]:
    """The day's cash journal record ids by reference (a journal record id is ``cash_journal:<entry_id>``)."""
    with (landing / day / "ledger" / "cash_journal.csv").open(newline="", encoding="utf-8") as handle:
        return {row["reference"]: f"cash_journal:{row['entry_id']}" for row in csv.DictReader(handle)}


def test_planted_subset_cases_match_or_are_ambiguous(generated: tuple[Path, Path, dict]) -> None:
    """Each day's wire booked as several journal entries is auto-matched by CASH-SUBSET naming the wire and every
    entry; the wire two pairs of entries fit is one AMBIGUOUS break naming it and all four entries, with the key's
    difference (bank - ledger over those records); no record of either is in another match or break of the day."""
    landing, warehouse, key = generated
    days = sorted({b["business_date"] for b in key["breaks"]})
    assert sorted((s["business_date"], s["expect"]) for s in key["subsets"]) == sorted(
        (day, expect) for day in days for expect in ("MATCH", "AMBIGUOUS"))
    planted = {(b["business_date"], b["reference"]): Decimal(b["difference"]) for b in key["breaks"]
               if b["break_type"] == "AMBIGUOUS" and b["status"] == "NEW"}
    for case in key["subsets"]:
        day = case["business_date"]
        journal = _journal_records(landing, day)
        entries = sorted(journal[reference] for reference in case["ledger_references"])
        matches = [m for m in _published(warehouse, "recon_matches")
                   if str(m["business_date"]) == day and m["recon"] == "CASH"]
        breaks = [b for b in _published(warehouse, "recon_breaks") if str(b["business_date"]) == day
                  and b["recon"] == "CASH" and b["status"] in ("NEW", "OPEN")]
        if case["expect"] == "MATCH":
            found = [m for m in matches if m["reference"] == case["reference"]]
            assert [(m["rule_id"], m["rule_version"], m["match_kind"], len(m["bank_records"]), m["ledger_records"],
                     m["difference"]) for m in found] == [("CASH-SUBSET", 1, "AUTO", 1, entries, 0)]
        else:
            found = [b for b in breaks if b["reference"] == case["reference"]]
            assert [(b["break_type"], b["status"], len(b["bank_records"]), b["ledger_records"], b["difference"])
                    for b in found] == [("AMBIGUOUS", "NEW", 1, entries, planted[(day, case["reference"])])]
            assert found[0]["bank_amount"] - found[0]["ledger_amount"] == found[0]["difference"]
        named = set(found[0]["bank_records"]) | set(entries)
        others = {r for row in matches + breaks if row is not found[0]
                  for r in row["bank_records"] + row["ledger_records"]}
        assert not named & others, case


def test_every_statement_line_equals_the_sum_of_its_sources_on_generated_days(
        generated: tuple[Path, Path, dict]) -> None:
    """On every generated day and for every class, each statement line with a drill-down equals the sum of its
    seg_line_sources rows to the cent, in its currency and in USD (segregation.invariants.check_marts), and the
    funds and requirement lines are built from sources, not typed in."""
    _, warehouse, key = generated
    for day in sorted({b["business_date"] for b in key["breaks"]}):
        with DuckDBWarehouse(warehouse) as target:
            lines, alerts, sources = (target.read_partition(t, date.fromisoformat(day))
                                      for t in ("seg_statement_lines", "seg_alerts", "seg_line_sources"))
        check_marts(lines, alerts, sources)
        sourced = {(s["seg_class"], s["line"]) for s in sources}
        assert {("SEG", line) for line in ("1A", "7A", "8A", "9")} <= sourced, day
        assert {seg_class for seg_class, _ in sourced} == {"SEG", "SECURED", "CLEARED_SWAPS"}, day
