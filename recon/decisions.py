"""People's decisions on breaks and matches: ``fcm-recon breaks accept|close|annotate``.

A decision is appended to the warehouse's append-only ``decisions`` table, for a business date. It is an input of
that date's runs: the match stage reads the decisions in force (an ACCEPT or CLOSE made for the date, every
ANNOTATE made for it or earlier), the SQL applies them (recon_matches.match_kind ACCEPTED, recon_breaks.status
CLOSED, recon_breaks.decision_note), and the run's manifest records them with their hash (decisions_version), so a
re-run and ``verify`` reproduce them. Recording a decision changes no published row by itself: re-run the date.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from recon.domain import content_id
from recon.errors import FcmReconError, RunNotFound
from recon.targets import WarehouseTarget, open_warehouse, warehouse_exists

ACTIONS = {"accept": "ACCEPT", "close": "CLOSE", "annotate": "ANNOTATE"}


class DecisionRefused(FcmReconError):
    """A decision that cannot be recorded: its target is not there to decide on, or who or why is missing."""


def record_decision(warehouse: WarehouseTarget, business_date: date, action: str, target_id: str, decided_by: str,
                    reason: str, decided_at: datetime) -> dict:
    """Check the decision against the date's published run and append it; returns the recorded row.

    ACCEPT takes a PROPOSED match of the date; CLOSE a NEW or OPEN break; ANNOTATE any break of the date.
    ``decided_at`` is the wall clock (UTC, naive): people's decisions are the records that carry it.
    """
    kind = ACTIONS[action]
    decided_by, reason = decided_by.strip(), reason.strip()
    if not decided_by:
        raise DecisionRefused(f"{action}: --by must name who decides")
    if not reason:
        raise DecisionRefused(f"{action}: --reason must say why")
    if not warehouse_exists(warehouse):
        raise RunNotFound(f"no warehouse at {warehouse}: run {business_date} first")
    with open_warehouse(warehouse) as target:
        if not target.runs(business_date):
            raise RunNotFound(f"the warehouse {warehouse} holds no run for {business_date}")
        _check_target(target, business_date, kind, target_id)
        if kind != "ANNOTATE":
            _refuse_repeat(target, business_date, kind, target_id)
        row = {"business_date": business_date, "action": kind, "target_id": target_id, "decided_by": decided_by,
               "decided_at": decided_at, "reason": reason}
        row["decision_id"] = content_id(json.dumps(row, sort_keys=True, default=str))
        target.append("decisions", [row])
    return row


def _check_target(target: object, business_date: date, kind: str, target_id: str) -> None:
    if kind == "ACCEPT":
        matches = {m["match_id"]: m for m in target.read_partition("recon_matches", business_date)}
        match = matches.get(target_id)
        if match is None:
            raise DecisionRefused(f"accept: no match {target_id} on {business_date}")
        if match["match_kind"] != "PROPOSED":
            raise DecisionRefused(f"accept: match {target_id} on {business_date} is {match['match_kind']}, "
                                  f"expected PROPOSED")
        return
    breaks = {b["break_id"]: b for b in target.read_partition("recon_breaks", business_date)}
    found = breaks.get(target_id)
    if found is None:
        raise DecisionRefused(f"{kind.lower()}: no break {target_id} on {business_date}")
    if kind == "CLOSE" and found["status"] not in ("NEW", "OPEN"):
        raise DecisionRefused(f"close: break {target_id} on {business_date} is {found['status']}, "
                              f"expected NEW or OPEN")


def _refuse_repeat(target: object, business_date: date, kind: str, target_id: str) -> None:
    """An ACCEPT or CLOSE already recorded for the date and target is in force (the date's re-run applies it):
    a second one would add nothing but a second reason."""
    earlier = [d for d in target.read_partition("decisions", business_date)
               if d["action"] == kind and d["target_id"] == target_id]
    if earlier:
        first = min(earlier, key=lambda d: (d["decided_at"], d["decision_id"]))
        raise DecisionRefused(
            f"{kind.lower()}: {target_id} on {business_date} was already decided ({first['decision_id']}, "
            f"{kind} by {first['decided_by']} at {first['decided_at']}: {first['reason']}); re-run {business_date} "
            "to apply it, or annotate the break to add a note")
