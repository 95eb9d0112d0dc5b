"""The mapping from an open break to the statement line it could move (``break_impact.yaml``), for the SQL models.

:func:`load_rules` reads and checks the file; :func:`rules_table` gives it as ``src_segregation__break_impact_rules``,
one row per rule and break type, in file order (``rule_order``), which ``int_seg_break_impact`` applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import yaml

from recon.errors import ConfigError

RULES_FILE = Path(__file__).with_name("break_impact.yaml")
AMOUNT_COLUMNS = ("difference", "bank_amount", "ledger_amount", "clearing_amount")
WHEN = ("ANY", "POSITIVE", "NEGATIVE")
RULES_SCHEMA = pa.schema([
    pa.field("rule_order", pa.int64(), nullable=False),
    pa.field("recon", pa.string(), nullable=False),
    pa.field("break_type", pa.string(), nullable=False),
    pa.field("reference_like", pa.string(), nullable=False),
    pa.field("amount_column", pa.string(), nullable=False),
    pa.field("when_sign", pa.string(), nullable=False),
    pa.field("sign", pa.int64(), nullable=False),
    pa.field("seg_line", pa.string(), nullable=False),
    pa.field("secured_us_line", pa.string()),
    pa.field("secured_other_line", pa.string()),
])


@dataclass(frozen=True)
class ImpactRule:
    """One rule of break_impact.yaml (see the file's header for what each field means)."""

    recon: str
    break_types: tuple[str, ...]
    reference_like: str
    amount_column: str
    when: str
    sign: int
    seg_line: str
    secured_us_line: str | None
    secured_other_line: str | None
    why: str


def _rule(number: int, raw: object) -> ImpactRule:
    where = f"{RULES_FILE.name}: rule {number}"
    if not isinstance(raw, dict) or not raw.get("recon") or not raw.get("break_types") or not raw.get("seg_line"):
        raise ConfigError(f"{where} needs recon, break_types and seg_line")
    if raw.get("amount_column") not in AMOUNT_COLUMNS:
        raise ConfigError(f"{where}: amount_column must be one of {AMOUNT_COLUMNS}, found {raw.get('amount_column')!r}")
    if raw.get("when", "ANY") not in WHEN or raw.get("sign") not in (1, -1) or not raw.get("why"):
        raise ConfigError(f"{where}: when must be one of {WHEN}, sign 1 or -1, and why must say why")
    if bool(raw.get("secured_us_line")) != bool(raw.get("secured_other_line")):
        raise ConfigError(f"{where}: give both secured_us_line and secured_other_line, or neither")
    return ImpactRule(str(raw["recon"]), tuple(str(t) for t in raw["break_types"]), str(raw.get("reference_like", "%")),
                      raw["amount_column"], raw.get("when", "ANY"), int(raw["sign"]), str(raw["seg_line"]),
                      raw.get("secured_us_line"), raw.get("secured_other_line"), str(raw["why"]))


@lru_cache(maxsize=1)
def load_rules(path: Path = RULES_FILE) -> tuple[ImpactRule, ...]:
    """The rules in file order, checked."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(rules, list) or not rules:
        raise ConfigError(f"{path.name}: rules must be a non-empty list")
    return tuple(_rule(number, raw) for number, raw in enumerate(rules, start=1))


def rules_table() -> pa.Table:
    """The rules as registered for SQL, one row per rule and break type."""
    rows = [{"rule_order": order, "recon": rule.recon, "break_type": break_type,
             "reference_like": rule.reference_like, "amount_column": rule.amount_column, "when_sign": rule.when,
             "sign": rule.sign, "seg_line": rule.seg_line, "secured_us_line": rule.secured_us_line,
             "secured_other_line": rule.secured_other_line}
            for order, rule in enumerate(load_rules(), start=1) for break_type in rule.break_types]
    return pa.Table.from_pylist(rows, schema=RULES_SCHEMA)
