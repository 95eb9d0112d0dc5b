"""The line table (segregation/lines.yaml) and the settings: what the statements print and how alerts find lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.errors import ConfigError
from segregation.compute import SECURED_LEAVES, SEG_FAMILY_LEAVES
from segregation.lines import LINES_SCHEMA, ROLES, load_lines, load_settings, lines_table, settings_table

SEG_CODES = ["1A", "1B", "2", "3A", "3B", "4", "5_GROSS", "5_OFFSET", "5", "6", "7A", "7B", "7C", "8A", "8B", "8C",
             "9", "10A", "10B", "11A", "11B", "11C", "12", "13", "14", "15", "16"]
SECURED_CODES = ["1A", "1B", "2", "3A", "3B", "4", "5_GROSS", "5_OFFSET", "5", "6", "0", "7", "F1A", "F1B", "F2A",
                 "F2B", "F3A", "F3B", "F3C", "F3D", "F3E", "F3", "F4A", "F4B", "F4C", "F4D", "F4E", "F4", "F5A",
                 "F5B", "F5C", "F5D", "F5E", "F5", "F6", "F7", "F8", "F9", "F10", "F11"]
ROLE_LINES = {
    "SEG": {"REQUIRED": "6", "FUNDS": "13", "EXCESS": "14", "TARGET": "15", "OVER_TARGET": "16"},
    "CLEARED_SWAPS": {"REQUIRED": "6", "FUNDS": "13", "EXCESS": "14", "TARGET": "15", "OVER_TARGET": "16"},
    "SECURED": {"REQUIRED": "7", "FUNDS": "F8", "EXCESS": "F9", "TARGET": "F10", "OVER_TARGET": "F11"},
}


@pytest.mark.parametrize("seg_class, codes", [("SEG", SEG_CODES), ("CLEARED_SWAPS", SEG_CODES),
                                              ("SECURED", SECURED_CODES)])
def test_each_statement_has_its_lines_in_order(seg_class: str, codes: list[str]) -> None:
    """The yaml lists every line of the statement, in statement order, numbered 1..n."""
    lines = [line for line in load_lines() if line.seg_class == seg_class]
    assert [line.line for line in lines] == codes
    assert [line.line_order for line in lines] == list(range(1, len(codes) + 1))
    assert all(line.label.strip() for line in lines)


@pytest.mark.parametrize("seg_class", sorted(ROLE_LINES))
def test_roles_name_the_lines_the_alerts_read(seg_class: str) -> None:
    """REQUIRED, FUNDS, EXCESS, TARGET and OVER_TARGET each sit on the spec's line."""
    roles = {line.role: line.line for line in load_lines() if line.seg_class == seg_class and line.role}
    assert roles == ROLE_LINES[seg_class]


def test_the_arithmetic_computes_only_lines_the_table_labels() -> None:
    """Every leaf line compute.py sums is a labelled line of its statement (labels and arithmetic stay in step)."""
    codes = {(line.seg_class, line.line) for line in load_lines()}
    for seg_class, leaves in (("SEG", SEG_FAMILY_LEAVES), ("CLEARED_SWAPS", SEG_FAMILY_LEAVES),
                              ("SECURED", SECURED_LEAVES)):
        assert {(seg_class, leaf) for leaf in leaves} <= codes


def test_lines_table_is_the_registered_shape() -> None:
    """lines_table() has the schema stg_segregation__lines reads, one row per line."""
    table = lines_table()
    assert table.schema == LINES_SCHEMA
    assert table.num_rows == 2 * len(SEG_CODES) + len(SECURED_CODES)
    assert settings_table().to_pylist() == [{"combine_beneficial_owners": False, "residual_interest_debit": "NET"}]


@pytest.mark.parametrize("text, message", [
    ("version: 1\nstatements: {SEG: []}\n", "exactly"),
    ("version: 1\nstatements:\n  SEG: [{line: '1A'}]\n  SECURED: [{line: '1A', label: x}]\n  CLEARED_SWAPS: [{line: '1A', label: x}]\n",
     "needs a line code and a label"),
    ("version: 1\nstatements:\n  SEG: [{line: '1A', label: x, role: FUND}]\n  SECURED: [{line: '1A', label: x}]\n"
     "  CLEARED_SWAPS: [{line: '1A', label: x}]\n", "role 'FUND'"),
    ("version: 1\nstatements:\n  SEG: [{line: '1A', label: x}, {line: '1A', label: y}]\n"
     "  SECURED: [{line: '1A', label: x}]\n  CLEARED_SWAPS: [{line: '1A', label: x}]\n", "repeats a line code"),
    ("version: 1\nstatements:\n  SEG: [{line: '1A', label: x}]\n  SECURED: [{line: '1A', label: x}]\n"
     "  CLEARED_SWAPS: [{line: '1A', label: x}]\n", "each role"),
])
def test_a_broken_line_table_is_refused(tmp_path: Path, text: str, message: str) -> None:
    """A line table with a missing class, label or role, a bad role or a repeated code stops with a ConfigError."""
    path = tmp_path / "lines.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_lines.__wrapped__(path)


@pytest.mark.parametrize("text, message", [
    ("combine_beneficial_owners: 'yes'\n", "true or false"),
    ("residual_interest_debit: NETT\n", "one of"),
])
def test_a_bad_setting_is_refused(tmp_path: Path, text: str, message: str) -> None:
    """Settings are checked: a boolean must be a boolean, the debit reading NET or GROSS."""
    path = tmp_path / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings.__wrapped__(path)


def test_every_role_is_known() -> None:
    """The roles the alerts use are the five of the spec."""
    assert ROLES == ("REQUIRED", "FUNDS", "EXCESS", "TARGET", "OVER_TARGET")
