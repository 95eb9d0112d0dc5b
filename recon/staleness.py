"""Stale days: published days built on a previous day's run that is no longer that day's latest.

Day T's run reads T-1's published breaks and records T-1's manifest hash. When T-1 is re-run later (new inputs,
rules or decisions), T and every day after it stay published as they ran, but they were built on a superseded run:
they are stale until they are re-run (``fcm-recon backfill --start T`` does it). ``run`` and ``backfill`` name the
stale days they leave, ``breaks`` and ``statement`` say so on a stale day's report, and a stale statement cannot be
marked filed.
"""

from __future__ import annotations

import json
from datetime import date

from recon import calendar


def stale_days(target: object) -> dict[date, date]:
    """The stale dates of the open warehouse ``target``, each mapped to the date where its chain broke: the first date
    whose latest completed run read a T-1 run that is no longer T-1's latest (T-1 was re-run after it), that date and
    every later date with a run. Stale days stay published as they ran until they are re-run (a backfill from the
    first of them does it); a stale statement is not fileable as it stands."""
    latest: dict[date, str] = {}
    recorded: dict[date, str | None] = {}
    for run in target.runs():
        latest[run["business_date"]] = run["manifest_hash"]
        recorded[run["business_date"]] = json.loads(run["manifest"]).get("previous_day_manifest_hash")
    days = sorted(latest)
    for index, day in enumerate(days):
        if recorded[day] != latest.get(calendar.previous_business_day(day)):
            return dict.fromkeys(days[index:], day)
    return {}


def stale_warning(business_date: date, stale_since: date) -> str:
    """What a reader of a stale day's report or statement must know first (``stale_since``: the first stale day)."""
    rerun = calendar.previous_business_day(stale_since)
    return (f"STALE: {rerun} was re-run after {stale_since} ran, so {business_date} rests on a superseded run of "
            f"{rerun}; re-run it: fcm-recon backfill --start {stale_since} --end {business_date}")
