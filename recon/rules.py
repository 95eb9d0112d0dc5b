"""Rules as versioned data: the YAML rule files beside the code, loaded into tables the SQL models read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import yaml

from recon.errors import ConfigError
from recon.money import MoneyError, to_decimal, to_scale

RULES_DIR = Path(__file__).resolve().parent / "rules"
_DECIMAL = pa.decimal128(38, 9)


@dataclass(frozen=True)
class Key:
    """One equality key of a pass: ``left`` on the first side the model names equal to ``right`` on the second (the
    same column unless the two sides spell it differently); ``nulls_equal`` compares with ``is not distinct from``."""

    left: str
    right: str
    nulls_equal: bool = False


# The passes whose join condition the SQL models compile from the rule's ``keys`` (recon.sqlmodels renders
# ``{{ keys('RULE-ID', 'left_alias', 'right_alias') }}``), each with the columns the model's two inputs produce
# that may be a key: (model, left side's columns, right side's columns). A key naming any other column, or ``keys``
# on a pass not listed here (its SQL has no compiled join), is refused when the rules load.
_CASH_COLUMNS = frozenset({"bank_account_id", "seg_class", "currency", "item_date", "item_day_index", "reference",
                           "amount"})
_TRADE_COLUMNS = frozenset({"trd_id", "clearing_trade_id", "trade_date", "position_account", "side", "exchange",
                            "product_code", "instrument_type", "contract_month", "put_call", "strike", "seg_class",
                            "currency", "instrument_key"})
_POSITION_COLUMNS = frozenset({"dco", "position_account", "seg_class", "exchange", "product_code", "instrument_type",
                               "contract_month", "put_call", "strike", "currency"})
_COLLATERAL_COLUMNS = frozenset({"dco", "seg_class", "asset_type", "holding_type", "cusip", "currency"})
KEYED_PASSES: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {
    "CASH-EXACT": ("int_cash_exact_pairs", _CASH_COLUMNS, _CASH_COLUMNS),
    "CASH-REFERENCE": ("int_cash_reference_pairs", _CASH_COLUMNS, _CASH_COLUMNS),
    "TRADE-ID": ("int_trade_id_pairs", _TRADE_COLUMNS, _TRADE_COLUMNS),
    "POSITION-EXACT": ("int_position_sides", _POSITION_COLUMNS, _POSITION_COLUMNS),
    "COLLATERAL-EXACT": ("int_collateral_compared", _COLLATERAL_COLUMNS, _COLLATERAL_COLUMNS),
}


# The passes the SQL models implement, per recon in the order the models run them. A rule file lists exactly its
# recon's passes with these pass_order numbers (a pass no model implements would be silently ignored, a missing one
# would leave its model without its rule). Settings a pass's model does not read must keep their neutral value, so
# that no file promises a behaviour the engine does not have: a date window other than zero outside CASH-REFERENCE,
# an amount tolerance on CASH-EXACT (amount is one of its keys) or TRADE-ECONOMICS (groups are keyed on their price),
# subset bounds outside CASH-SUBSET (where they are required), carries_forward outside the *-CARRIED passes.
ENGINE_PASSES: dict[str, tuple[str, ...]] = {
    "BANK_BALANCE": ("BANK-PROOF",),
    "CASH": ("CASH-EXACT", "CASH-REFERENCE", "CASH-SUBSET", "CASH-CARRIED"),
    "COLLATERAL": ("COLLATERAL-EXACT",),
    "DCO_SETTLEMENT": ("DCO-CYCLE", "DCO-CARRIED"),
    "POSITION": ("POSITION-EXACT",),
    "TRADE": ("TRADE-ID", "TRADE-ECONOMICS", "TRADE-CARRIED"),
}
_DATE_WINDOW_PASSES = frozenset({"CASH-REFERENCE"})
# percentage_tolerance (of the clearing amount, the larger of it and the absolute tolerance applies) and
# quantity_tolerance (contracts) are read by these passes' models only
_PERCENTAGE_PASSES = frozenset({"DCO-CYCLE", "COLLATERAL-EXACT"})
_QUANTITY_PASSES = frozenset({"POSITION-EXACT", "TRADE-ID"})
_EXACT_PASSES = frozenset({"CASH-EXACT", "TRADE-ECONOMICS"})
_SUBSET_PASSES = frozenset({"CASH-SUBSET"})
_PASS_FIELDS = frozenset({"rule_id", "version", "pass_order", "description", "keys", "amount_tolerance",
                          "date_window_business_days", "carries_forward", "auto_match", "max_candidates",
                          "max_subset_size", "percentage_tolerance", "quantity_tolerance"})
_FILE_FIELDS = frozenset({"recon", "passes", "components", "amount_sign"})


@dataclass(frozen=True)
class RuleSet:
    """The loaded rules: the passes and tiers as Arrow tables, a version (SHA-256 of the rule files) and the
    equality keys of the passes whose SQL join is compiled from them (rule id -> keys, sorted by rule id)."""

    passes: pa.Table
    tiers: pa.Table
    components: pa.Table
    version: str
    keys: tuple[tuple[str, tuple[Key, ...]], ...] = ()


def _amount(value: object, where: str) -> object:
    try:
        return to_scale(to_decimal(value, where), where)
    except MoneyError as error:
        raise ConfigError(str(error)) from None


def _pass_rows(path: Path) -> list[dict]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    _check_fields(document, _FILE_FIELDS, path.name)
    recon = document.get("recon")
    if recon not in ENGINE_PASSES:
        raise ConfigError(f"{path.name}: recon must be one of {sorted(ENGINE_PASSES)}, found {recon!r}")
    found = [raw.get("rule_id") if isinstance(raw, dict) else raw for raw in document.get("passes") or []]
    expected = list(ENGINE_PASSES[recon])
    if sorted(map(str, found)) != sorted(expected):
        raise ConfigError(f"{path.name}: the {recon} passes the SQL models implement are {expected}, found {found}")
    rows = []
    for raw in document["passes"]:
        where = f"{path.name}: {raw.get('rule_id')}"
        _check_fields(raw, _PASS_FIELDS, where)
        try:
            rows.append({
                "recon": document["recon"],
                "rule_id": raw["rule_id"],
                "rule_version": int(raw["version"]),
                "pass_order": int(raw["pass_order"]),
                "amount_tolerance_below": _amount(raw["amount_tolerance"]["below"], where + " tolerance below"),
                "amount_tolerance_above": _amount(raw["amount_tolerance"]["above"], where + " tolerance above"),
                **_optional_tolerances(raw, where),
                "date_window_before": int(raw["date_window_business_days"]["before"]),
                "date_window_after": int(raw["date_window_business_days"]["after"]),
                "carries_forward": bool(raw.get("carries_forward", False)),
                "auto_match": bool(raw.get("auto_match", True)),
                "equality_keys": _key_text(_keys(raw, where)),
                **_subset_bounds(raw, where),
            })
        except (KeyError, TypeError, ValueError) as error:
            raise ConfigError(f"{where}: invalid rule ({error})") from None
        _check_engine_settings(rows[-1], expected.index(rows[-1]["rule_id"]) + 1, where)
    return rows


def _optional_tolerances(raw: dict, where: str) -> dict[str, object]:
    """percentage_tolerance {below, above} in percent of the clearing amount, kept as the exact fraction (0.1 ->
    0.001), and quantity_tolerance {below, above} in contracts; both zero when absent."""
    values = {}
    for name, scale in (("percentage_tolerance", Decimal(100)), ("quantity_tolerance", Decimal(1))):
        setting = raw.get(name, {"below": "0", "above": "0"})
        if not isinstance(setting, dict) or set(setting) != {"below", "above"}:
            raise ConfigError(f"{where}: {name} must be a mapping of below and above, found {setting!r}")
        prefix = name.split("_")[0]
        for bound in ("below", "above"):
            amount = _amount(setting[bound], f"{where} {name} {bound}")
            values[f"{prefix}_tolerance_{bound}"] = _amount(amount / scale, f"{where} {name} {bound} / {scale}")
    return values


def _check_fields(document: object, allowed: frozenset[str], where: str) -> None:
    if not isinstance(document, dict):
        raise ConfigError(f"{where}: expected a mapping, found {type(document).__name__}")
    unknown = sorted(set(document) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown settings {unknown} (allowed: {sorted(allowed)})")


def _check_engine_settings(row: dict, order: int, where: str) -> None:
    """Refuse a pass whose order or settings the SQL models do not implement (ENGINE_PASSES)."""
    rule_id = row["rule_id"]
    if row["pass_order"] != order:
        raise ConfigError(f"{where}: pass_order must be {order} (the order the SQL models run the passes), "
                          f"found {row['pass_order']}")
    window = (row["date_window_before"], row["date_window_after"])
    if rule_id not in _DATE_WINDOW_PASSES and window != (0, 0):
        raise ConfigError(f"{where}: date_window_business_days must stay 0/0 (the pass compares no dates across "
                          f"days), found {window[0]}/{window[1]}")
    if min(window) < 0:
        raise ConfigError(f"{where}: date_window_business_days must not be negative, found {window[0]}/{window[1]}")
    tolerance = (row["amount_tolerance_below"], row["amount_tolerance_above"])
    if rule_id in _EXACT_PASSES and any(tolerance):
        raise ConfigError(f"{where}: amount_tolerance must stay 0/0 (the pass keys on the amount or price), found "
                          f"{tolerance[0]}/{tolerance[1]}")
    if min(tolerance) < 0:
        raise ConfigError(f"{where}: amount_tolerance must not be negative, found {tolerance[0]}/{tolerance[1]}")
    for prefix, passes in (("percentage", _PERCENTAGE_PASSES), ("quantity", _QUANTITY_PASSES)):
        bounds = (row[f"{prefix}_tolerance_below"], row[f"{prefix}_tolerance_above"])
        if min(bounds) < 0:
            raise ConfigError(f"{where}: {prefix}_tolerance must not be negative")
        if any(bounds) and rule_id not in passes:
            raise ConfigError(f"{where}: {prefix}_tolerance is unsupported on this pass (only {sorted(passes)})")
    if (row["max_candidates"] is not None) != (rule_id in _SUBSET_PASSES):
        raise ConfigError(f"{where}: max_candidates and max_subset_size are "
                          f"{'required' if rule_id in _SUBSET_PASSES else 'unsupported'} on this pass")
    if row["carries_forward"] != rule_id.endswith("-CARRIED"):
        raise ConfigError(f"{where}: carries_forward must be {str(rule_id.endswith('-CARRIED')).lower()} on "
                          f"this pass")


def _keys(raw: dict, where: str) -> tuple[Key, ...]:
    """A pass's equality keys, checked against the columns its model's inputs produce (KEYED_PASSES)."""
    rule_id = raw.get("rule_id")
    if "keys" not in raw:
        if rule_id in KEYED_PASSES:
            raise ConfigError(f"{where}: the pass needs keys (its SQL join is compiled from them)")
        return ()
    if rule_id not in KEYED_PASSES:
        raise ConfigError(f"{where}: keys are unsupported on this pass (its SQL has no compiled join condition)")
    entries = raw["keys"]
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{where}: keys must be a non-empty list")
    model, left_columns, right_columns = KEYED_PASSES[rule_id]
    keys = []
    for entry in entries:
        if isinstance(entry, str):
            key = Key(entry, entry)
        elif isinstance(entry, dict) and set(entry) <= {"column", "left", "right", "nulls_equal"}:
            column = entry.get("column")
            key = Key(str(entry.get("left", column)), str(entry.get("right", column)),
                      bool(entry.get("nulls_equal", False)))
        else:
            raise ConfigError(f"{where}: invalid key {entry!r} (a column name, or a mapping of column or left and "
                              f"right, and nulls_equal)")
        for column, allowed in ((key.left, left_columns), (key.right, right_columns)):
            if column not in allowed:
                raise ConfigError(f"{where}: unknown key column {column!r}: {model} compares only "
                                  f"{sorted(allowed)}")
        keys.append(key)
    if len(set(keys)) != len(keys):
        raise ConfigError(f"{where}: a key is listed twice")
    return tuple(keys)


def _key_text(keys: tuple[Key, ...]) -> str | None:
    """The keys as recorded in the passes table: ``left=right`` when the sides differ, ``?`` for nulls equal."""
    if not keys:
        return None
    return ",".join((k.left if k.left == k.right else f"{k.left}={k.right}") + ("?" if k.nulls_equal else "")
                    for k in keys)


def _subset_bounds(raw: dict, where: str) -> dict[str, int | None]:
    """A subset-search pass's bounds: the most unpaired items on either side of a block for the block to be searched
    (max_candidates) and the most items one subset may hold (max_subset_size, at least 2). Both or neither."""
    if "max_candidates" not in raw and "max_subset_size" not in raw:
        return {"max_candidates": None, "max_subset_size": None}
    candidates, size = int(raw["max_candidates"]), int(raw["max_subset_size"])
    if not 2 <= size <= candidates:
        raise ConfigError(f"{where}: a subset search needs 2 <= max_subset_size <= max_candidates, "
                          f"found max_subset_size {size} and max_candidates {candidates}")
    return {"max_candidates": candidates, "max_subset_size": size}


@lru_cache(maxsize=4)
def load_rules(rules_dir: Path = RULES_DIR) -> RuleSet:
    """Read every recon rule file and the tiers file of ``rules_dir``."""
    files = sorted(rules_dir.glob("*.yaml"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    pass_rows = [row for path in files if path.name != "tiers.yaml" for row in _pass_rows(path)]
    keys = {}
    for path in files:
        if path.name != "tiers.yaml":
            for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["passes"]:
                keys[raw["rule_id"]] = _keys(raw, f"{path.name}: {raw['rule_id']}")
    missing = sorted(set(KEYED_PASSES) - set(keys))
    if missing:
        raise ConfigError(f"rules in {rules_dir}: no pass {missing} (the SQL models compile their joins from them)")
    tiers_doc = yaml.safe_load((rules_dir / "tiers.yaml").read_text(encoding="utf-8"))
    tier_rows = [
        {"tier": t["tier"], "tier_rank": int(t["rank"]),
         "min_abs_difference": _amount(t["min_abs_difference"], f"tiers.yaml: {t['tier']}"),
         "min_age_business_days": int(t["min_age_business_days"])}
        for t in tiers_doc["tiers"]
    ]
    components = _components(rules_dir / "dco_settlement.yaml")
    passes = pa.Table.from_pylist(pass_rows, schema=pa.schema([
        ("recon", pa.string()), ("rule_id", pa.string()), ("rule_version", pa.int64()), ("pass_order", pa.int64()),
        ("amount_tolerance_below", _DECIMAL), ("amount_tolerance_above", _DECIMAL),
        ("percentage_tolerance_below", _DECIMAL), ("percentage_tolerance_above", _DECIMAL),
        ("quantity_tolerance_below", _DECIMAL), ("quantity_tolerance_above", _DECIMAL),
        ("date_window_before", pa.int64()), ("date_window_after", pa.int64()), ("carries_forward", pa.bool_()),
        ("auto_match", pa.bool_()), ("equality_keys", pa.string()),
        ("max_candidates", pa.int64()), ("max_subset_size", pa.int64()),
    ]))
    tiers = pa.Table.from_pylist(tier_rows, schema=pa.schema([
        ("tier", pa.string()), ("tier_rank", pa.int64()), ("min_abs_difference", _DECIMAL),
        ("min_age_business_days", pa.int64()),
    ]))
    return RuleSet(passes, tiers, components, digest.hexdigest(),
                   tuple(sorted((rule_id, k) for rule_id, k in keys.items() if k)))


def _components(path: Path) -> pa.Table:
    """The settlement components per class, with the sign convention of PosRpt amounts."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    sign = int(document["amount_sign"])
    if sign not in (1, -1):
        raise ConfigError(f"{path.name}: amount_sign must be 1 or -1, found {sign}")
    rows = [{"seg_class": c, "amt_type": t, "amount_sign": sign} for c, types in sorted(document["components"].items())
            for t in types]
    return pa.Table.from_pylist(rows, schema=pa.schema(
        [("seg_class", pa.string()), ("amt_type", pa.string()), ("amount_sign", pa.int64())]))
