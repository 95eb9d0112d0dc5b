"""CASH-REFERENCE never guesses: in a block of one account, currency and reference, an item that fits two items of
the other side (within the tolerance) makes the block AMBIGUOUS, one break for review naming every record, and none
of its pairs is matched; a block whose every item fits one counterpart only is matched pair by pair."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from recon.cli import main
from tests.factory import DAY, CashDay, credit, journal_row, partition_rows


def _day() -> CashDay:
    day = CashDay()
    day.bank["100200300"] = [credit("100.00", "REF-M"), credit("100.90", "REF-M"),
                             credit("200.00", "REF-N"), credit("300.00", "REF-N")]
    day.journal = [journal_row("JM1", "100.40", "REF-M"), journal_row("JM2", "100.50", "REF-M"),
                   journal_row("JN1", "200.50", "REF-N"), journal_row("JN2", "299.60", "REF-N")]
    return day


def test_a_block_with_two_fitting_pairings_is_one_ambiguous_break_and_a_unique_one_matches(tmp_path: Path) -> None:
    """REF-M: bank 100.00 fits both ledger items (100.40 and 100.50, tolerance 1.00), so either pairing would do:
    one AMBIGUOUS break with the 2 bank and 2 ledger records, difference 0.00, and no match. REF-N: 200.00 fits
    200.50 alone and 300.00 fits 299.60 alone: two CASH-REFERENCE matches, nothing else."""
    landing = _day().write(tmp_path / "landing")
    warehouse = tmp_path / "wh.duckdb"
    assert main(["run", "--date", DAY.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse),
                 "--no-documents"]) == 0
    breaks = [b for b in partition_rows(warehouse, "recon_breaks", DAY) if b["recon"] == "CASH"]
    (ambiguous,) = breaks
    assert (ambiguous["break_type"], ambiguous["reference"], ambiguous["difference"]) == (
        "AMBIGUOUS", "REF-M", Decimal("0"))
    assert (ambiguous["bank_amount"], ambiguous["ledger_amount"]) == (Decimal("200.90"), Decimal("200.90"))
    assert len(ambiguous["bank_records"]) == 2
    assert [r.rsplit(":", 1)[-1] for r in ambiguous["ledger_records"]] == ["JM1", "JM2"]
    matches = [m for m in partition_rows(warehouse, "recon_matches", DAY) if m["recon"] == "CASH"]
    assert sorted((m["rule_id"], m["reference"], m["bank_amount"], m["ledger_amount"]) for m in matches) == [
        ("CASH-REFERENCE", "REF-N", Decimal("200.00"), Decimal("200.50")),
        ("CASH-REFERENCE", "REF-N", Decimal("300.00"), Decimal("299.60"))]


def test_an_item_dated_beyond_the_calendar_window_is_a_date_mismatch_not_a_match(tmp_path: Path) -> None:
    """A journal entry valued 120 days before the bank credit of the same amount and reference: its date has no
    index in the run's calendar, which must not count as inside the rule's zero-day window."""
    from datetime import timedelta

    day = CashDay()
    day.bank["100200300"] = [credit("100.00", "REF-Q")]
    day.journal = [journal_row("JQ1", "100.00", "REF-Q", value_date=DAY - timedelta(days=120))]
    landing = day.write(tmp_path / "landing")
    warehouse = tmp_path / "wh.duckdb"
    assert main(["run", "--date", DAY.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse),
                 "--no-documents"]) == 0
    breaks = [(b["break_type"], b["difference"]) for b in partition_rows(warehouse, "recon_breaks", DAY)
              if b["recon"] == "CASH"]
    assert breaks == [("DATE_MISMATCH", Decimal("0"))]
    assert [m for m in partition_rows(warehouse, "recon_matches", DAY) if m["recon"] == "CASH"] == []
