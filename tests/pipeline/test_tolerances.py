"""Percentage and quantity tolerances, asymmetric, end to end: on a generated day, a rule file that widens only the
side a planted difference lies on absorbs it (the grain matches), and the mirror-image rule file leaves it a break."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from recon.cli import main
from recon.generate import GenerateOptions, generate
from recon.rules import RULES_DIR
from tests.factory import partition_rows

DAY = date(2026, 11, 20)
# (rule, setting, the planted break it absorbs when widened below zero (negative) or above (positive)):
# collateral -100.37 (clearing - ledger), DCO legs -9,974.36 and -0.02 (leg - clearing), a long position -1
# (clearing - ledger), a trade +1 (clearing - ledger)
WIDENED = {
    "COLLATERAL-EXACT": ("percentage_tolerance", "below"),
    "DCO-CYCLE": ("percentage_tolerance", "below"),
    "POSITION-EXACT": ("quantity_tolerance", "below"),
    "TRADE-ID": ("quantity_tolerance", "above"),
}
WIDTH = {"percentage_tolerance": "100", "quantity_tolerance": "1"}


def _rules(folder: Path, mirrored: bool) -> Path:
    """A copy of the shipped rules with each pass of WIDENED widened on its side, or on the other one."""
    folder.mkdir()
    for path in RULES_DIR.glob("*.yaml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in document.get("passes", []):
            if raw["rule_id"] in WIDENED:
                setting, side = WIDENED[raw["rule_id"]]
                if mirrored:
                    side = "above" if side == "below" else "below"
                raw[setting] = {bound: WIDTH[setting] if bound == side else "0" for bound in ("below", "above")}
        (folder / path.name).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return folder


def _breaks(landing: Path, warehouse: Path, rules: Path | None) -> set[tuple]:
    extra = ["--rules", str(rules)] if rules else []
    assert main(["run", "--date", DAY.isoformat(), "--landing", str(landing), "--warehouse", str(warehouse),
                 "--no-documents", *extra]) == 0
    return {(b["recon"], b["break_type"], b["difference"].normalize())
            for b in partition_rows(warehouse, "recon_breaks", DAY) if b["status"] == "NEW"}


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tolerances") / "landing"
    generate(root, GenerateOptions(start=DAY, days=1, accounts=10, trades_per_day=10, seed=1))
    return root


def test_a_widened_side_absorbs_the_planted_difference_and_the_other_side_does_not(landing: Path,
                                                                                   tmp_path: Path) -> None:
    absorbed = {("COLLATERAL", "AMOUNT_MISMATCH", Decimal("-100.37")),
                ("DCO_SETTLEMENT", "AMOUNT_MISMATCH", Decimal("-9974.36")),
                ("DCO_SETTLEMENT", "AMOUNT_MISMATCH", Decimal("-0.02")),
                ("POSITION", "QUANTITY_MISMATCH", Decimal("-1")),
                ("TRADE", "QUANTITY_MISMATCH", Decimal("1"))}
    shipped = _breaks(landing, tmp_path / "shipped.duckdb", None)
    assert absorbed <= shipped
    widened = _breaks(landing, tmp_path / "widened.duckdb", _rules(tmp_path / "widened", mirrored=False))
    assert widened == shipped - absorbed
    mirrored = _breaks(landing, tmp_path / "mirrored.duckdb", _rules(tmp_path / "mirrored", mirrored=True))
    assert mirrored == shipped
