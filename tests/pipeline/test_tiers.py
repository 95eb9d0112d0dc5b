"""Materiality tiers (recon/rules/tiers.yaml, sql/marts/recon_breaks.sql): thresholds are US dollars, so a money
difference is converted at the day's rate before it is compared; a currency with no rate reaches every threshold;
POSITION and TRADE differences (contracts, price points) are tiered by age alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pyarrow as pa

from recon.rules import load_rules
from recon.sqlmodels import load_models

DAY = date(2026, 11, 24)
_DECIMAL = pa.decimal128(38, 9)
_BREAKS = pa.schema([
    ("break_id", pa.string()), ("recon", pa.string()), ("break_type", pa.string()), ("seg_class", pa.string()),
    ("bank_account_id", pa.string()), ("account", pa.string()), ("currency", pa.string()),
    ("reference", pa.string()), ("clearing_amount", _DECIMAL), ("bank_amount", _DECIMAL),
    ("ledger_amount", _DECIMAL), ("difference", _DECIMAL), ("expected_date", pa.date32()),
    ("first_seen_date", pa.date32()), ("age_business_days", pa.int64()), ("status", pa.string()),
    ("clearing_records", pa.list_(pa.string())), ("bank_records", pa.list_(pa.string())),
    ("ledger_records", pa.list_(pa.string())), ("source_files", pa.list_(pa.string())),
])


def _break(break_id: str, recon: str, currency: str, difference: str, age: int = 0, status: str = "NEW") -> dict:
    return {"break_id": break_id, "recon": recon, "break_type": "AMOUNT_MISMATCH", "seg_class": "SEG",
            "bank_account_id": "100200300", "account": None, "currency": currency, "reference": break_id,
            "clearing_amount": None, "bank_amount": None, "ledger_amount": None, "difference": Decimal(difference),
            "expected_date": None, "first_seen_date": DAY, "age_business_days": age, "status": status,
            "clearing_records": [], "bank_records": [], "ledger_records": [], "source_files": []}


def _tiers(breaks: list[dict], rates: dict[str, str]) -> dict[str, tuple[str, Decimal | None]]:
    """recon_breaks' tier and difference_usd of each break, the model run on ``breaks`` as int_breaks_aged and
    ``rates`` as the day's USD per unit."""
    models = {model.name: model for model in load_models()}
    connection = duckdb.connect()
    try:
        connection.register("src_tiers", load_rules().tiers)
        connection.execute(f"create table stg_rules__tiers as {models['stg_rules__tiers'].sql}")
        connection.register("int_breaks_aged", pa.Table.from_pylist(breaks, schema=_BREAKS))
        connection.execute("create table stg_run__scope as select true as reconciles")
        connection.execute("create table int_seg_break_impact (break_id varchar, seg_line varchar, "
                           "seg_impact_usd decimal(38, 9))")
        connection.execute("create table stg_warehouse__decisions (decision_id varchar, business_date date, "
                           "action varchar, target_id varchar, decided_by varchar, decided_at timestamp, "
                           "reason varchar)")
        connection.execute("create table int_seg_rates (currency varchar, usd_per_unit decimal(38, 9))")
        connection.executemany("insert into int_seg_rates values (?, ?)", [[c, Decimal(r)] for c, r in rates.items()])
        connection.execute(f"create table recon_breaks as {models['recon_breaks'].sql}")
        return {break_id: (tier, usd) for break_id, tier, usd in
                connection.execute("select break_id, tier, difference_usd from recon_breaks").fetchall()}
    finally:
        connection.close()


def test_tier_thresholds_are_us_dollars_and_quantities_are_tiered_by_age() -> None:
    """90,000 EUR at 1.15 is 103,500 USD: CRITICAL, where 99,999.99 USD is HIGH; 90,000 JPY at 0.0065 is 585 USD:
    MEDIUM. A CHF difference with no CHF rate is CRITICAL (its size is unknown), unless it is zero. An 80-contract
    POSITION difference is LOW when new and HIGH at two days old, as its age says; a resolved one stays LOW."""
    breaks = [
        _break("eur", "CASH", "EUR", "-90000.00"),
        _break("usd", "DCO_SETTLEMENT", "USD", "99999.99"),
        _break("jpy", "COLLATERAL", "JPY", "90000"),
        _break("chf", "CASH", "CHF", "12.00"),
        _break("chf-zero", "BANK_BALANCE", "CHF", "0", status="RESOLVED"),
        _break("contracts", "POSITION", "USD", "80"),
        _break("contracts-old", "TRADE", "USD", "80", age=2),
        _break("contracts-resolved", "POSITION", "USD", "250000", age=5, status="RESOLVED"),
    ]
    tiers = _tiers(breaks, {"USD": "1", "EUR": "1.15", "JPY": "0.0065"})
    assert {break_id: tier for break_id, (tier, _usd) in tiers.items()} == {
        "eur": "CRITICAL", "usd": "HIGH", "jpy": "MEDIUM", "chf": "CRITICAL", "chf-zero": "LOW",
        "contracts": "LOW", "contracts-old": "HIGH", "contracts-resolved": "LOW"}
    assert {break_id: usd for break_id, (_tier, usd) in tiers.items()} == {
        "eur": Decimal("-103500"), "usd": Decimal("99999.99"), "jpy": Decimal("585"), "chf": None, "chf-zero": None,
        "contracts": None, "contracts-old": None, "contracts-resolved": None}


def test_the_usd_difference_is_rounded_once_half_even() -> None:
    """0.000000005 and 0.000000015 at 0.1 USD are half a nano-dollar from two values: to the even one (0 and
    0.000000002), as int_seg_contributions_usd rounds, where a plain cast would round away from zero."""
    tiers = _tiers([_break("down", "CASH", "XYZ", "0.000000005"), _break("up", "CASH", "XYZ", "-0.000000015")],
                   {"USD": "1", "XYZ": "0.1"})
    assert {break_id: usd for break_id, (_tier, usd) in tiers.items()} == {
        "down": Decimal("0"), "up": Decimal("-0.000000002")}
