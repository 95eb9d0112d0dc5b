"""People's decisions are inputs of the run: accept a proposed match, force-close a break, annotate one; a re-run
applies them, the manifest records them, and later days follow them."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from recon.cli import main
from recon.decisions import DecisionRefused, record_decision
from recon.errors import RunNotFound
from recon.generate import GenerateOptions, generate
from recon.pipeline import run_day
from recon.rules import RULES_DIR
from recon.warehouse import DuckDBWarehouse
from tests.factory import partition_rows

OPTIONS = GenerateOptions(start=date(2026, 11, 20), days=2, accounts=30, trades_per_day=40, seed=5)
DAY1, DAY2 = date(2026, 11, 20), date(2026, 11, 23)
AT = datetime(2026, 11, 23, 7, 30)


def _proposing_rules(folder: Path) -> Path:
    """The shipped rules with the CASH-REFERENCE pass made to propose instead of auto-matching."""
    shutil.copytree(RULES_DIR, folder)
    path = folder / "cash.yaml"
    document = yaml.safe_load(path.read_text())
    for rule in document["passes"]:
        if rule["rule_id"] == "CASH-REFERENCE":
            rule["auto_match"] = False
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return folder


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Day 1 run, three decisions taken on it, day 1 re-run, then day 2 run."""
    root = tmp_path_factory.mktemp("decisions")
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    generate(landing, OPTIONS)
    rules = _proposing_rules(root / "rules")
    run_day(DAY1, landing, warehouse, rules_dir=rules)
    matches, breaks = partition_rows(warehouse, "recon_matches", DAY1), partition_rows(warehouse, "recon_breaks", DAY1)
    proposed = next(m for m in matches if m["match_kind"] == "PROPOSED")
    closed = next(b for b in breaks if b["recon"] == "CASH" and b["break_type"] == "MISSING_BANK")
    noted = next(b for b in breaks if b["recon"] == "DCO_SETTLEMENT" and b["status"] == "NEW")
    decisions = [
        record_decision(warehouse, DAY1, "accept", proposed["match_id"], "a.finance", "wire fee within policy", AT),
        record_decision(warehouse, DAY1, "close", closed["break_id"], "b.ops", "bank confirms recall; written off",
                        AT),
        record_decision(warehouse, DAY1, "annotate", noted["break_id"], "a.finance", "chasing CME treasury", AT),
    ]
    before = {t: _hash(warehouse, t, DAY1) for t in ("recon_matches", "recon_breaks")}
    run_day(DAY1, landing, warehouse, rules_dir=rules)
    after_rerun = {t: _hash(warehouse, t, DAY1) for t in ("recon_matches", "recon_breaks")}
    rerun_rows = {t: partition_rows(warehouse, t, DAY1) for t in ("recon_matches", "recon_breaks")}
    run_day(DAY1, landing, warehouse, rules_dir=rules)
    again = {t: _hash(warehouse, t, DAY1) for t in ("recon_matches", "recon_breaks")}
    run_day(DAY2, landing, warehouse, rules_dir=rules)
    return {"warehouse": warehouse, "proposed": proposed, "closed": closed, "noted": noted,
            "decisions": decisions, "before": before, "after": after_rerun, "again": again, "rerun": rerun_rows,
            "rules": rules, "landing": landing}


def _hash(warehouse: Path, table: str, day: date) -> str:
    with DuckDBWarehouse(warehouse) as target:
        return target.partition_hash(table, day)


def test_an_accepted_proposal_is_accepted_on_the_re_run(decided: dict) -> None:
    match = next(m for m in decided["rerun"]["recon_matches"] if m["match_id"] == decided["proposed"]["match_id"])
    assert match["match_kind"] == "ACCEPTED"
    assert match["decision_ids"] == [decided["decisions"][0]["decision_id"]]
    others = [m for m in decided["rerun"]["recon_matches"] if m["rule_id"] == "CASH-REFERENCE"
              and m["match_id"] != match["match_id"]]
    assert all(m["match_kind"] == "PROPOSED" and m["decision_ids"] == [] for m in others)


def test_a_force_closed_break_is_closed_with_who_and_why_and_not_carried(decided: dict) -> None:
    closed = next(b for b in decided["rerun"]["recon_breaks"] if b["break_id"] == decided["closed"]["break_id"])
    assert closed["status"] == "CLOSED"
    assert closed["decision_note"] == "CLOSE by b.ops for 2026-11-20: bank confirms recall; written off"
    day2 = partition_rows(decided["warehouse"], "recon_breaks", DAY2)
    assert decided["closed"]["break_id"] not in {b["break_id"] for b in day2}
    # closing a break does not change the books: the next day's proof of cash shows the difference it explained
    account = decided["closed"]["bank_account_id"]
    key = json.loads((decided["landing"] / "answer_key.json").read_text())
    planted = sum((Decimal(b["difference"]) for b in key["breaks"] if b["recon"] == "BANK_BALANCE"
                   and b["business_date"] == DAY2.isoformat() and b["bank_account_id"] == account), Decimal(0))
    unexplained = [b["difference"] for b in day2 if b["recon"] == "BANK_BALANCE" and b["bank_account_id"] == account]
    assert unexplained == [decided["closed"]["difference"] + planted]


def test_an_annotation_follows_its_break_to_later_days(decided: dict) -> None:
    note = "ANNOTATE by a.finance for 2026-11-20: chasing CME treasury"
    day1 = next(b for b in decided["rerun"]["recon_breaks"] if b["break_id"] == decided["noted"]["break_id"])
    day2 = next(b for b in partition_rows(decided["warehouse"], "recon_breaks", DAY2)
                if b["break_id"] == decided["noted"]["break_id"])
    assert (day1["status"], day1["decision_note"]) == ("NEW", note)
    assert (day2["status"], day2["age_business_days"], day2["decision_note"]) == ("OPEN", 1, note)


def test_decisions_are_recorded_in_the_manifest_and_re_runs_reproduce_them(decided: dict) -> None:
    assert decided["before"] != decided["after"]
    assert decided["after"] == decided["again"]
    with DuckDBWarehouse(decided["warehouse"]) as target:
        runs = target.runs(DAY1)
    assert len(runs) == 3
    first, second, third = (json.loads(r["manifest"]) for r in runs)
    assert first["decisions"] == []
    assert [d["decision_id"] for d in second["decisions"]] == sorted(d["decision_id"] for d in decided["decisions"])
    assert second["decisions_version"] == third["decisions_version"] != first["decisions_version"]
    assert runs[1]["decisions_version"] == second["decisions_version"]


def test_decisions_on_what_is_not_there_are_refused(decided: dict) -> None:
    warehouse = decided["warehouse"]
    auto = next(m for m in decided["rerun"]["recon_matches"] if m["match_kind"] == "AUTO")
    with pytest.raises(DecisionRefused, match="expected PROPOSED"):
        record_decision(warehouse, DAY1, "accept", auto["match_id"], "a", "b", AT)
    with pytest.raises(DecisionRefused, match="is CLOSED, expected NEW or OPEN"):
        record_decision(warehouse, DAY1, "close", decided["closed"]["break_id"], "a", "b", AT)
    with pytest.raises(DecisionRefused, match="no break 0000000000000000"):
        record_decision(warehouse, DAY1, "annotate", "0000000000000000", "a", "b", AT)
    with pytest.raises(DecisionRefused, match="--reason must say why"):
        record_decision(warehouse, DAY1, "annotate", decided["noted"]["break_id"], "a", "  ", AT)
    with pytest.raises(RunNotFound):
        record_decision(warehouse, date(2026, 11, 24), "annotate", decided["noted"]["break_id"], "a", "b", AT)


def test_the_command_line_records_a_decision_and_refuses_a_bad_one(decided: dict, capsys) -> None:
    warehouse, noted = str(decided["warehouse"]), decided["noted"]["break_id"]
    assert main(["breaks", "annotate", noted, "--date", "2026-11-23", "--warehouse", warehouse,
                 "--by", "c.control", "--reason", "escalated to treasury", "--json"]) == 0
    recorded = json.loads(capsys.readouterr().out)
    assert (recorded["action"], recorded["target_id"], recorded["decided_by"]) == ("ANNOTATE", noted, "c.control")
    assert main(["breaks", "close", noted, "--date", "2026-11-23", "--warehouse", warehouse, "--by", "x"]) == 1
    assert "needs the break or match id, --by WHO and --reason WHY" in capsys.readouterr().err
    assert main(["breaks", "close", "nope", "--date", "2026-11-23", "--warehouse", warehouse,
                 "--by", "x", "--reason", "y"]) == 1
    assert "no break nope on 2026-11-23" in capsys.readouterr().err


def test_a_second_close_of_the_same_break_before_the_re_run_is_refused_naming_the_first(decided: dict) -> None:
    """Runs last in this module: it records a CLOSE on the annotated break, which is still open."""
    noted = decided["noted"]["break_id"]
    first = record_decision(decided["warehouse"], DAY1, "close", noted, "c.control", "duplicate of a wire", AT)
    with pytest.raises(DecisionRefused, match=f"close: {noted} on {DAY1} was already decided "
                                              rf"\({first['decision_id']}, CLOSE by c.control at .*: duplicate"):
        record_decision(decided["warehouse"], DAY1, "close", noted, "d.other", "another reason", AT)
    assert record_decision(decided["warehouse"], DAY1, "annotate", noted, "d.other", "notes stay welcome", AT)


def test_verify_reproduces_the_runs_that_applied_decisions(decided: dict) -> None:
    """`verify --date` re-runs day 1 (its accepted match, closed break and annotation from the decisions table) and
    day 2 (the annotation carried) from their recorded inputs into a scratch warehouse: every table hashes as
    published. A decision recorded after the run is not in its manifest and changes nothing verify reproduces."""
    from recon.verify import verify_date

    for day in (DAY1, DAY2):
        checks = verify_date(day, decided["landing"], decided["warehouse"], rules_dir=decided["rules"])
        assert checks and all(check.ok for check in checks), [c.line() for c in checks if not c.ok]
        assert any(check.name == "recon_breaks" for check in checks)
    record_decision(decided["warehouse"], DAY1, "annotate", decided["noted"]["break_id"], "c.audit", "late note",
                    datetime(2026, 11, 24, 9, 0))
    checks = verify_date(DAY1, decided["landing"], decided["warehouse"], rules_dir=decided["rules"])
    assert all(check.ok for check in checks), [c.line() for c in checks if not c.ok]
