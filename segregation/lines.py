"""The statement line table and the segregation settings, loaded from YAML for the SQL models and compute.py.

``lines.yaml`` holds every line of the three customer statements with its label and role; labels live only there.
:func:`lines_table` gives it as the Arrow table the pipeline registers as ``src_segregation__lines``;
:func:`settings_table` gives ``settings.yaml`` as ``src_segregation__settings`` (one row). :func:`source_tables`
returns both under those names, with the break impact rules (:mod:`segregation.break_impact`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import yaml

from recon.errors import ConfigError
from segregation import break_impact

LINES_FILE = Path(__file__).with_name("lines.yaml")
SETTINGS_FILE = Path(__file__).with_name("settings.yaml")
CUSTOMER_CLASSES = ("SEG", "SECURED", "CLEARED_SWAPS")
ROLES = ("REQUIRED", "FUNDS", "EXCESS", "TARGET", "OVER_TARGET")
RESIDUAL_INTEREST_DEBITS = ("NET", "GROSS")
LINES_SCHEMA = pa.schema([
    pa.field("seg_class", pa.string(), nullable=False),
    pa.field("line_order", pa.int64(), nullable=False),
    pa.field("line", pa.string(), nullable=False),
    pa.field("label", pa.string(), nullable=False),
    pa.field("role", pa.string()),
])
SETTINGS_SCHEMA = pa.schema([
    pa.field("combine_beneficial_owners", pa.bool_(), nullable=False),
    pa.field("residual_interest_debit", pa.string(), nullable=False),
])


@dataclass(frozen=True)
class Line:
    """A statement line. seg_class: SEG, SECURED or CLEARED_SWAPS. line_order: position on the statement (1-based).
    line: the code (``7A``). label: the wording printed. role: REQUIRED, FUNDS, EXCESS, TARGET, OVER_TARGET or None."""

    seg_class: str
    line_order: int
    line: str
    label: str
    role: str | None


@dataclass(frozen=True)
class Settings:
    """combine_beneficial_owners: combine the accounts of one beneficial owner within a class (default off).
    residual_interest_debit: NET (the debit net of the securities offset, the default) or GROSS."""

    combine_beneficial_owners: bool = False
    residual_interest_debit: str = "NET"


def _class_lines(seg_class: str, entries: object) -> list[Line]:
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{LINES_FILE.name}: {seg_class} must be a non-empty list of lines")
    lines = []
    for order, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("line") or not entry.get("label"):
            raise ConfigError(f"{LINES_FILE.name}: {seg_class} line {order} needs a line code and a label")
        role = entry.get("role")
        if role is not None and role not in ROLES:
            raise ConfigError(f"{LINES_FILE.name}: {seg_class} line {entry['line']}: role {role!r} is not one of {ROLES}")
        lines.append(Line(seg_class, order, str(entry["line"]), str(entry["label"]), role))
    codes = [line.line for line in lines]
    if len(codes) != len(set(codes)):
        raise ConfigError(f"{LINES_FILE.name}: {seg_class} repeats a line code")
    roles = sorted(line.role for line in lines if line.role)
    if roles != sorted(ROLES):
        raise ConfigError(f"{LINES_FILE.name}: {seg_class} must give each role {ROLES} to exactly one line")
    return lines


@lru_cache(maxsize=1)
def load_lines(path: Path = LINES_FILE) -> tuple[Line, ...]:
    """Every line of every customer statement, in class then statement order; the file is checked first."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    statements = document.get("statements") if isinstance(document, dict) else None
    if not isinstance(statements, dict) or sorted(statements) != sorted(CUSTOMER_CLASSES):
        raise ConfigError(f"{path.name}: statements must list exactly {CUSTOMER_CLASSES}")
    return tuple(line for seg_class in CUSTOMER_CLASSES for line in _class_lines(seg_class, statements[seg_class]))


@lru_cache(maxsize=1)
def load_settings(path: Path = SETTINGS_FILE) -> Settings:
    """The segregation settings, checked."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    combine = document.get("combine_beneficial_owners", False)
    debit = document.get("residual_interest_debit", "NET")
    if not isinstance(combine, bool):
        raise ConfigError(f"{path.name}: combine_beneficial_owners must be true or false, found {combine!r}")
    if debit not in RESIDUAL_INTEREST_DEBITS:
        raise ConfigError(f"{path.name}: residual_interest_debit must be one of {RESIDUAL_INTEREST_DEBITS}, found {debit!r}")
    return Settings(combine, debit)


def lines_table() -> pa.Table:
    """The line table as registered for SQL: seg_class, line_order, line, label, role."""
    lines = load_lines()
    return pa.table({
        "seg_class": [line.seg_class for line in lines],
        "line_order": [line.line_order for line in lines],
        "line": [line.line for line in lines],
        "label": [line.label for line in lines],
        "role": [line.role for line in lines],
    }, schema=LINES_SCHEMA)


def settings_table(settings: Settings | None = None) -> pa.Table:
    """The settings as one row for SQL (the loaded settings.yaml unless ``settings`` is given)."""
    settings = settings or load_settings()
    return pa.table({
        "combine_beneficial_owners": [settings.combine_beneficial_owners],
        "residual_interest_debit": [settings.residual_interest_debit],
    }, schema=SETTINGS_SCHEMA)


def source_tables(settings: Settings | None = None) -> dict[str, pa.Table]:
    """The segregation tables the pipeline registers beside the canonical sources."""
    return {"src_segregation__lines": lines_table(), "src_segregation__settings": settings_table(settings),
            "src_segregation__break_impact_rules": break_impact.rules_table()}
