"""Equality keys as rule data: the join conditions of the keyed passes are compiled from the rule files, so a change
of a pass's keys changes what matches, and a key the model's inputs do not produce is refused when the rules load."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
import yaml

from recon.errors import ConfigError
from recon.rules import KEYED_PASSES, RULES_DIR, load_rules
from recon.sqlmodels import load_models, render

DAY = date(2026, 11, 24)
_CANDIDATES = pa.schema([
    ("side", pa.string()), ("record_id", pa.string()), ("source_file", pa.string()), ("bank_account_id", pa.string()),
    ("seg_class", pa.string()), ("account_id", pa.string()), ("currency", pa.string()), ("item_date", pa.date32()),
    ("reference", pa.string()), ("amount", pa.decimal128(38, 9)), ("item_day_index", pa.int64()),
])


def item(side: str, record: str, reference: str) -> dict:
    return {"side": side, "record_id": record, "source_file": f"{side.lower()}.csv", "bank_account_id": "100200300",
            "seg_class": "SEG", "account_id": "C001" if side == "LEDGER" else None, "currency": "USD",
            "item_date": DAY, "reference": reference, "amount": Decimal("250.00"), "item_day_index": 10}


def rules_copy(tmp_path: Path, rule_id: str, change) -> Path:
    """A copy of the shipped rules with ``change`` applied to the pass ``rule_id``."""
    for path in RULES_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    for path in tmp_path.glob("*.yaml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in document.get("passes", []):
            if raw["rule_id"] == rule_id:
                change(raw)
                path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return tmp_path


def exact_pairs(rules_dir: Path) -> list[tuple]:
    """CASH-EXACT over two items equal in everything but their reference: (bank record, ledger record, rule)."""
    rules = load_rules(rules_dir)
    models = {model.name: model for model in load_models(rules=rules)}
    connection = duckdb.connect()
    try:
        connection.register("src_rule_passes", rules.passes)
        connection.register("int_cash_candidates", pa.Table.from_pylist(
            [item("BANK", "B1", "WIRE-001"), item("LEDGER", "L1", "WIRE-002")], schema=_CANDIDATES))
        for name in ("stg_rules__passes", "int_cash_exact_pairs"):
            connection.execute(f"create table {name} as {models[name].sql}")
        return connection.execute(
            "select bank_record_id, ledger_record_id, rule_id from int_cash_exact_pairs").fetchall()
    finally:
        connection.close()


def test_dropping_reference_from_the_exact_keys_lets_different_references_match(tmp_path: Path) -> None:
    """With the shipped keys the two items do not pair; without ``reference`` in CASH-EXACT's keys they do."""
    assert exact_pairs(RULES_DIR) == []
    changed = rules_copy(tmp_path, "CASH-EXACT", lambda raw: raw["keys"].remove("reference"))
    assert load_rules(changed).version != load_rules(RULES_DIR).version
    assert exact_pairs(changed) == [("B1", "L1", "CASH-EXACT")]
    passes = {row["rule_id"]: row["equality_keys"] for row in load_rules(changed).passes.to_pylist()}
    assert passes["CASH-EXACT"] == "bank_account_id,currency,amount,item_date"


def test_the_shipped_keys_compile_into_every_keyed_model() -> None:
    """Every keyed pass's model has its join compiled: no placeholder is left and each key column is compared."""
    models = {model.name: model for model in load_models()}
    for rule_id, (model, _, _) in KEYED_PASSES.items():
        assert "{{" not in models[model].sql, model
        for key in dict(load_rules().keys)[rule_id]:
            assert f".{key.right} " in models[model].sql and f".{key.left}" in models[model].sql, (rule_id, key)


@pytest.mark.parametrize("rule_id, change, message", [
    ("CASH-EXACT", lambda raw: raw["keys"].append("memo"), "CASH-EXACT.*unknown key column 'memo'"),
    ("TRADE-ID", lambda raw: raw["keys"].append({"left": "trd_id", "right": "trade_ref"}),
     "TRADE-ID.*unknown key column 'trade_ref'"),
    ("POSITION-EXACT", lambda raw: raw["keys"].append("strike; drop table x"), "POSITION-EXACT.*unknown key column"),
    ("COLLATERAL-EXACT", lambda raw: raw.update(keys=[]), "COLLATERAL-EXACT.*non-empty"),
    ("CASH-REFERENCE", lambda raw: raw.pop("keys"), "CASH-REFERENCE.*needs keys"),
    ("CASH-CARRIED", lambda raw: raw.update(keys=["reference"]), "CASH-CARRIED.*unsupported"),
])
def test_bad_keys_are_refused_when_the_rules_load(tmp_path: Path, rule_id: str, change, message: str) -> None:
    """A key column the model's inputs do not produce, no keys on a keyed pass, or keys on a pass whose SQL has no
    compiled join, is a ConfigError naming the rule, before any SQL runs."""
    with pytest.raises(ConfigError, match=message):
        load_rules(rules_copy(tmp_path, rule_id, change))



@pytest.mark.parametrize("rule_id, change, message", [
    ("CASH-REFERENCE", lambda raw: raw.update(price_tolerance="0.1"),
     r"CASH-REFERENCE: unknown settings \['price_tolerance'\]"),
    ("CASH-REFERENCE", lambda raw: raw.update(percentage_tolerance={"below": "0.1", "above": "0.1"}),
     r"CASH-REFERENCE: percentage_tolerance is unsupported on this pass \(only \['COLLATERAL-EXACT', 'DCO-CYCLE'\]"),
    ("DCO-CYCLE", lambda raw: raw.update(quantity_tolerance={"below": "1", "above": "1"}),
     "DCO-CYCLE: quantity_tolerance is unsupported on this pass"),
    ("POSITION-EXACT", lambda raw: raw.update(quantity_tolerance={"below": "-1", "above": "1"}),
     "POSITION-EXACT: quantity_tolerance must not be negative"),
    ("DCO-CYCLE", lambda raw: raw.update(percentage_tolerance="0.1"),
     "DCO-CYCLE: percentage_tolerance must be a mapping of below and above"),
    ("CASH-SUBSET", lambda raw: raw.update(date_window_business_days={"before": 1, "after": 0}),
     "CASH-SUBSET: date_window_business_days must stay 0/0 .*found 1/0"),
    ("TRADE-ECONOMICS", lambda raw: raw.update(amount_tolerance={"below": "0.25", "above": "0.25"}),
     "TRADE-ECONOMICS: amount_tolerance must stay 0/0"),
    ("CASH-REFERENCE", lambda raw: raw.update(amount_tolerance={"below": "-1.00", "above": "1.00"}),
     "CASH-REFERENCE: amount_tolerance must not be negative"),
    ("CASH-CARRIED", lambda raw: raw.update(pass_order=3), "CASH-CARRIED: pass_order must be 4 .*found 3"),
    ("CASH-EXACT", lambda raw: raw.update(max_candidates=12, max_subset_size=3),
     "CASH-EXACT: max_candidates and max_subset_size are unsupported"),
    ("CASH-SUBSET", lambda raw: [raw.pop("max_candidates"), raw.pop("max_subset_size")],
     "CASH-SUBSET: max_candidates and max_subset_size are required"),
    ("DCO-CYCLE", lambda raw: raw.update(carries_forward=True), "DCO-CYCLE: carries_forward must be false"),
    ("TRADE-CARRIED", lambda raw: raw.update(rule_id="TRADE-FUZZY"),
     "the TRADE passes the SQL models implement are .*TRADE-CARRIED.*found .*TRADE-FUZZY"),
])
def test_a_setting_the_sql_does_not_implement_is_refused_when_the_rules_load(tmp_path: Path, rule_id: str, change,
                                                                             message: str) -> None:
    """Rules promise only what the models do: an unknown setting, a pass no model runs, a pass out of the models'
    order, or a setting the pass's model never reads (a date window outside CASH-REFERENCE, a tolerance on a pass
    keyed on the amount) is a ConfigError naming the rule, before any SQL runs."""
    with pytest.raises(ConfigError, match=message):
        load_rules(rules_copy(tmp_path, rule_id, change))

def test_a_placeholder_for_a_rule_without_keys_is_refused() -> None:
    with pytest.raises(ConfigError, match="NO-SUCH-RULE"):
        render("select 1 from a join b on {{ keys('NO-SUCH-RULE', 'a', 'b') }}", "int_x", dict(load_rules().keys))
    with pytest.raises(ConfigError, match="int_x.*CASH-EXACT"):
        render("select 1 from a join b on {{ keys('CASH-EXACT', 'a', 'b') }}", "int_x", dict(load_rules().keys))
