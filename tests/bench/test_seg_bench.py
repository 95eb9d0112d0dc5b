"""`make bench`: the three segregation statements for 1M customer accounts, in SQL on DuckDB, in at most 10 s.

Not part of `make test` (marked slow). The segregation models (tests/segregation/harness.py) run over 1,000,000
accounts split across SEG, SECURED and CLEARED_SWAPS, each with a balance row in USD or EUR, plus bank balances,
custody, collateral and option reports (the worked example's). The clock covers registering the inputs, building
every segregation model as a table (as the harness does) and reading the four marts back as Arrow (5M drill-down
rows); generating the input tables before, and checking the marts' invariants after, are not timed. Prints the seconds
and writes build/bench/seg.json. Size from BENCH_SEG_ACCOUNTS (default 1,000,000).
"""

from __future__ import annotations

import json
import os
import time
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tests.conftest import REPO_ROOT
from tests.segregation.examples import DAY, bank_account, closing, worked_example
from segregation.invariants import check_marts
from tests.segregation.harness import input_tables, run_sql_tables

BENCH_DIR = REPO_ROOT / "build" / "bench"
LIMIT_SECONDS = 10.0
CLASSES = ("SEG", "SECURED", "CLEARED_SWAPS")


def _accounts_and_balances(count: int) -> tuple[pa.Table, pa.Table]:
    """``count`` customer accounts round-robin over the classes, one balance row each (every tenth in EUR)."""
    schemas = input_tables({})
    n = pa.array(range(count), pa.int64())
    ids = pc.binary_join_element_wise("A", pc.cast(n, pa.string()), "")
    seg_class = pc.take(pa.array(CLASSES), pc.subtract(n, pc.multiply(pc.divide(n, 3), 3)))
    accounts = pa.table({f.name: (ids if f.name == "account_id" else seg_class if f.name == "seg_class" else
                                  pa.array(["CUSTOMER"] * count) if f.name == "account_type" else
                                  pa.nulls(count, f.type) if f.type != pa.string() else pa.array([""] * count))
                         for f in schemas["src_reference__accounts"].schema}, schema=schemas["src_reference__accounts"].schema)

    def money(scale: int, offset: int) -> pa.Array:
        values = pc.subtract(pc.multiply(pc.add(n, 7), scale), offset)
        remainder = pc.subtract(values, pc.multiply(pc.divide(values, 1_000_003), 1_000_003))
        return pc.cast(pc.cast(remainder, pa.decimal128(38, 0)), pa.decimal128(38, 9))

    currency = pc.if_else(pc.equal(pc.subtract(n, pc.multiply(pc.divide(n, 10), 10)), 0), "EUR", "USD")
    columns = {"source_file": pa.array([f"{DAY}/ledger/balances.csv"] * count),
               "record_id": pc.binary_join_element_wise("balances:", ids, ""), "location": pa.array([""] * count),
               "account_id": ids, "currency": currency, "cash_balance": money(37, 200_000),
               "securities_value": money(11, 0), "open_trade_equity": money(53, 500_000),
               "long_option_value": money(3, 0), "short_option_value": money(5, 0),
               "initial_margin_requirement": money(29, 0), "offset_securities_value": money(13, 0)}
    schema = schemas["src_ledger__balances"].schema
    return accounts, pa.table({f.name: columns[f.name].cast(f.type) for f in schema}, schema=schema)


@pytest.mark.slow
def test_statements_for_a_million_accounts() -> None:
    """All three statements, alerts, drill-down and per-account figures for 1M accounts in <= 10 s."""
    count = int(os.environ.get("BENCH_SEG_ACCOUNTS", "1000000"))
    accounts, balances = _accounts_and_balances(count)
    rows = worked_example()
    rows["src_reference__bank_accounts"] += [bank_account("SECBANK", "SECURED"), bank_account("CSBANK", "CLEARED_SWAPS")]
    rows["int_bank_closing_balances"] += [closing("SECBANK", "1000000000"), closing("CSBANK", "1000000000")]
    tables = input_tables(rows)
    tables["src_reference__accounts"] = accounts
    tables["src_ledger__balances"] = balances
    started = time.perf_counter()
    marts = run_sql_tables(tables, DAY)
    seconds = time.perf_counter() - started
    lines = marts["seg_statement_lines"].to_pylist()
    check_marts(lines, marts["seg_alerts"].to_pylist(), marts["seg_line_sources"].to_pylist())
    excess = {r["seg_class"]: r["amount_usd"] for r in lines if r["role"] == "EXCESS" and r["currency"] == "ALL"}
    result = {"accounts": count, "seconds": round(seconds, 2), "limit_seconds": LIMIT_SECONDS,
              "line_sources": marts["seg_line_sources"].num_rows,
              "account_figures": marts["seg_account_figures"].num_rows,
              "excess_usd": {k: str(v) for k, v in sorted(excess.items())}}
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "seg.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"\nsegregation statements: {count} accounts, 3 classes in {seconds:.2f} s "
          f"({marts['seg_line_sources'].num_rows} drill-down rows)")
    assert marts["seg_account_figures"].num_rows == count
    assert set(excess) == set(CLASSES) and all(isinstance(v, Decimal) for v in excess.values())
    assert seconds <= LIMIT_SECONDS, f"expected <= {LIMIT_SECONDS} s, took {seconds:.2f} s"
