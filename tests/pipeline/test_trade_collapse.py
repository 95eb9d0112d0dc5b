"""TRADE collapse: TrdCaptRpts reduce to each trade's final state (cancel removes, replace supersedes, a replace
with no original stands), the same whatever order the reports arrive in."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest

from recon.ingest import TRADE_REPORT_SCHEMA
from recon.sqlmodels import load_models

DAY = date(2026, 11, 20)
MODELS = ("stg_clearing__trade_reports", "stg_run__parameters", "int_trade_reports_collapsed")


def report(record_id: str, trd_id: str, trans_typ: str, quantity: int, rpt_id: str = "", biz_date: date = DAY) -> dict:
    """One TrdCaptRpt row as the FIXML reader lands it."""
    row = {name: "" for name in TRADE_REPORT_SCHEMA.names}
    row.update(source_file="2026-11-20/clearing/trades.xml", record_id=record_id, location=record_id,
               rpt_id=rpt_id or f"R-{record_id}", trd_id=trd_id, trans_typ=trans_typ, trade_date=DAY,
               biz_date=biz_date, side="BUY", quantity=Decimal(quantity), price=Decimal("5000.25"), exchange="CME",
               product_code="ES", security_type="FUT", contract_month="202612", strike=None, multiplier=None,
               position_account="SEG-01", origin_code="1")
    return row


def collapse(rows: list[dict]) -> dict[str, tuple]:
    """Run the collapse model over ``rows``: per TrdID (final TransTyp, quantity, cancelled, records)."""
    connection = duckdb.connect()
    try:
        connection.register("src_clearing__trade_reports", pa.Table.from_pylist(rows, schema=TRADE_REPORT_SCHEMA))
        connection.register("src_run_parameters", pa.table({"business_date": pa.array([DAY], pa.date32())}))
        for model in load_models():
            if model.name in MODELS:
                connection.execute(f"create table {model.name} as {model.sql}")
        result = connection.execute(
            "select trd_id, final_trans_typ, quantity, is_cancelled, records from int_trade_reports_collapsed"
        ).fetchall()
    finally:
        connection.close()
    return {trd_id: (typ, quantity, cancelled, tuple(records)) for trd_id, typ, quantity, cancelled, records in result}


REPORTS = [
    report("a1", "A", "NEW", 2), report("a2", "A", "CANCEL", 2),  # cancelled: removed
    report("b1", "B", "NEW", 3), report("b2", "B", "REPLACE", 4),  # replaced: the REPLACE's quantity
    report("c1", "C", "REPLACE", 5),  # a REPLACE with no original is the current state
    report("d1", "D", "NEW", 6),  # untouched
    report("e1", "E", "NEW", 1), report("e2", "E", "REPLACE", 2, "R-2"), report("e3", "E", "REPLACE", 3, "R-3"),
    report("f1", "F", "NEW", 9, biz_date=date(2026, 11, 19)),  # the previous day's report: not today's trade
]


def test_cancel_replace_and_replace_without_original() -> None:
    """A cancel removes the trade with all its reports; a replace supersedes the new; a lone replace stands; of two
    replaces the higher RptID wins; the previous day's reports are not collapsed into today's trades."""
    trades = collapse(REPORTS)
    assert trades["A"][2] is True and trades["A"][3] == ("a1", "a2")
    assert trades["B"][:3] == ("REPLACE", Decimal(4), False) and trades["B"][3] == ("b1", "b2")
    assert trades["C"][:3] == ("REPLACE", Decimal(5), False)
    assert trades["D"][:3] == ("NEW", Decimal(6), False)
    assert trades["E"][:3] == ("REPLACE", Decimal(3), False) and trades["E"][3] == ("e1", "e2", "e3")
    assert "F" not in trades


@pytest.mark.parametrize("seed", range(6))
def test_the_order_of_reports_changes_nothing(seed: int) -> None:
    """Every permutation of the reports (a sample of them) collapses to the same trades."""
    expected = collapse(REPORTS)
    permutation = list(itertools.islice(itertools.permutations(REPORTS), seed * 997, seed * 997 + 1))[0]
    assert collapse(list(reversed(permutation))) == expected
    assert collapse(list(permutation)) == expected
