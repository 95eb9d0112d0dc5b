"""Whether a published day can be relied on as it stands: stale days and tampered partitions.

Stale: day T's run reads T-1's published breaks and records T-1's manifest hash (a SECURED-only run reads the
previous CME business day's open breaks, and on a date Fedwire is closed its bank closing balances, and records its
manifest hash).
When T-1 is re-run later (new inputs, rules or decisions), T and every day after it stay published as they ran, but
they were built on a superseded run: they are stale until they are re-run (``fcm-recon backfill --start T`` does it;
a SECURED-only date is run again with ``fcm-recon run --classes SECURED``). ``run`` and
``backfill`` name the stale days they leave, ``breaks`` and ``statement`` say so on a stale day's report, and a stale
statement cannot be marked filed.

Tampered: a day's latest run recorded the SHA-256 of every partition it published (``output_hashes``). A partition
that no longer hashes to it was changed after the run; the break report and the statement of that day say so and
name the tables, and such a statement cannot be marked filed (``fcm-recon verify --chain`` checks every day).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from recon import calendar, run_scope


def stale_days(target: object) -> dict[date, date]:
    """The stale dates of the open warehouse ``target``, each mapped to the date where its chain broke: the first date
    whose latest completed run read a T-1 run that is no longer T-1's latest (T-1 was re-run after it), that date and
    every later date with a run. Stale days stay published as they ran until they are re-run (a backfill from the
    first of them does it); a stale statement is not fileable as it stands.

    A SECURED-only run (a date CME does not clear, recon.run_scope) is no CME day's T-1, so it stales nothing. It
    read the previous CME business day's open breaks (the unpaid disbursements it deducts; on a date Fedwire is closed
    too, Thanksgiving, also the bank closing balances it carried forward) and recorded that run's manifest hash, so it
    is stale like a CME day that read T-1: when that run is no longer the day's latest (mapped to itself), or when that
    day is stale (mapped to where that day's chain broke)."""
    latest: dict[date, str] = {}
    recorded: dict[date, str | None] = {}
    secured: dict[date, str | None] = {}
    for run in target.runs():
        manifest = json.loads(run["manifest"])
        if run_scope.is_secured_only(run_scope.manifest_classes(manifest)):
            secured[run["business_date"]] = manifest.get("previous_day_manifest_hash")
            continue
        latest[run["business_date"]] = run["manifest_hash"]
        recorded[run["business_date"]] = manifest.get("previous_day_manifest_hash")
    stale: dict[date, date] = {}
    days = sorted(latest)
    for index, day in enumerate(days):
        if recorded[day] != latest.get(calendar.previous_business_day(day)):
            stale = dict.fromkeys(days[index:], day)
            break
    for day, read in secured.items():
        previous = calendar.previous_business_day(day)
        if previous in stale:
            stale[day] = stale[previous]
        elif read != latest.get(previous):
            stale[day] = day
    return dict(sorted(stale.items()))


def rerun_commands(days: Sequence[date]) -> str:
    """How to re-run the stale ``days``: a backfill of the CME business days among them, and a SECURED-only run of
    each date CME does not clear, in that order (a backfill runs those only with ``--secured-holidays``, which runs
    every weekday of its range CME does not clear, wanted or not)."""
    cme = sorted(day for day in days if calendar.is_business_day(day))
    commands = [f"fcm-recon backfill --start {cme[0]} --end {cme[-1]}"] if cme else []
    commands += [f"fcm-recon run --date {day} --classes SECURED" for day in sorted(set(days))
                 if not calendar.is_business_day(day)]
    return ", then ".join(commands)


def tampered_tables(target: object, business_date: date, names: tuple[str, ...]) -> list[str]:
    """The tables among ``names`` whose ``business_date`` partition in the open warehouse ``target`` no longer hashes
    to what the date's latest completed run recorded."""
    runs = target.runs(business_date)
    if not runs:
        return []
    recorded = json.loads(runs[-1]["output_hashes"])
    return [name for name in names if name in recorded and target.partition_hash(name, business_date) != recorded[name]]


def warnings(business_date: date, stale_since: date | None, tampered: Sequence[str]) -> list[str]:
    """What a reader of a day's report or statement must know before its figures, in that order: the day is stale
    (``stale_since``: the first stale day), its published ``tampered`` tables were changed after its run."""
    out = []
    if stale_since is not None:
        rerun = calendar.previous_business_day(stale_since)
        # a date CME does not clear is a SECURED-only run's, named by its own run command (rerun_commands)
        again = [stale_since, business_date]
        if not calendar.is_business_day(business_date) and stale_since != business_date:
            again.append(calendar.previous_business_day(business_date))
        out.append(f"STALE: {rerun} was re-run after {stale_since} ran, so {business_date} rests on a superseded run "
                   f"of {rerun}; re-run it: {rerun_commands(again)}")
    if tampered:
        out.append(f"INTEGRITY: the published {', '.join(tampered)} of {business_date} no longer hash to what its run "
                   "recorded (changed after the run); do not rely on these figures: fcm-recon verify --chain")
    return out
