"""What a run covers: a CME business day (every reconciliation and every customer class), or only the SECURED
statement on a weekday CME does not clear.

spec/inputs.md, "Calendars": 30.7 statements are due when foreign markets are open on a US holiday, so ``fcm-recon
run --classes SECURED`` on a weekday that is not a CME trade date runs only what that statement needs. Such a run:

- reads the reference files, the date's ``ledger/`` balances, custody, foreign_depository_equities and
  foreign_requirements, ``reference/fx_rates`` and whatever bank statements arrived (:data:`SECURED_DAY_FILES`); no
  clearing file, no T-1 clearing file and none of the other ledger files (a file the landing holds and the run does
  not read is not an input of it);
- requires the reference files, balances, custody, fx_rates and, on a Fedwire bank day, a statement of record for
  each SECURED bank account (missing: NOT_FILEABLE with INCOMPLETE_INPUTS, exit 2); on a date Fedwire is closed too
  (Thanksgiving) no bank file is expected: like a full run of a Fedwire holiday it carries each account's closing
  balance forward from the previous CME business day's published run when no statement arrived (no published day:
  the cash lines are unknown, INCOMPLETE_INPUTS);
- reconciles nothing (``stg_run__scope``): no matches, no breaks, every record it read out of scope (or quarantined)
  in ``conservation``; it ages, resolves and carries no earlier break. The previous CME business day's open breaks
  stand on it as they were (``int_breaks_aged``, not published): F1A / F1B deduct the SECURED disbursements the bank
  had not paid at that day's close, as that day's statement did. It always records the previous CME business day's
  latest run (whose breaks, and on a date Fedwire is closed balances, it read) and is stale when that day is re-run
  or stale (:func:`recon.trust.stale_days`). No later day rests on it;
- publishes the SECURED rows of the statement marts only. The manifest records ``classes: ["SECURED"]``; verify and
  the documents read the run's scope from there.

A CME business day always runs whole: ``--classes SECURED`` on one is refused (its published partitions would
replace the day's full ones). Weekends are never run.
"""

from __future__ import annotations

import json
from datetime import date

from recon import calendar
from recon.errors import ConfigError
from recon.landing import InputFile

SECURED_ONLY = ("SECURED",)
# (folder, contract name) of the date's files a SECURED-only run reads (besides bank statements and reference/)
SECURED_DAY_FILES = frozenset({
    ("ledger", "balances"), ("ledger", "custody"), ("ledger", "foreign_depository_equities"),
    ("ledger", "foreign_requirements"), ("reference", "fx_rates"),
})
# the date's files a SECURED-only run requires (the foreign ledger files are optional, as on any day)
SECURED_REQUIRED_DAY_FILES = (("ledger", "balances"), ("ledger", "custody"), ("reference", "fx_rates"))


def check_date(day: date, classes: tuple[str, ...] | None) -> None:
    """Refuse a run of ``day`` for ``classes`` (None: the whole day) that the calendar does not allow."""
    if classes is not None and tuple(classes) != SECURED_ONLY:
        raise ConfigError(f"--classes {','.join(classes)}: only --classes SECURED is supported (a SECURED-only run "
                          "on a date CME does not clear); a CME business day runs every class")
    around = (f"the previous one is {calendar.previous_business_day(day)}, the next "
              f"{calendar.next_business_day(day)}")
    if calendar.is_business_day(day):
        if classes is not None:
            raise ConfigError(f"{day} ({day:%A}) is a CME business day: its run computes every class and every "
                              "reconciliation, so --classes SECURED is refused (it would replace the day's published "
                              f"partitions with the secured statement alone); run it without --classes")
        return
    if day.weekday() >= 5:
        raise ConfigError(f"{day} ({day:%A}) is not a CME business day: a day's run is for a CME trade date "
                          f"({around}); a weekend has no run, not even a SECURED-only one")
    if classes is None:
        raise ConfigError(f"{day} ({day:%A}) is not a CME business day: a day's run is for a CME trade date "
                          f"({around}). The SECURED statement alone can be run for it (30.7 statements are due when "
                          f"foreign markets are open on a US holiday): fcm-recon run --date {day} --classes SECURED")


def is_secured_only(classes: tuple[str, ...] | list[str] | None) -> bool:
    """True for the scope of a SECURED-only run."""
    return classes is not None and tuple(classes) == SECURED_ONLY


def scope_label(day: date, classes: tuple[str, ...] | None) -> str:
    """A run named by its date and, for a run of some classes only, its scope: ``2026-11-25``,
    ``2026-11-26 SECURED``."""
    return day.isoformat() if classes is None else f"{day} {','.join(classes)}"


def manifest_classes(manifest: dict) -> tuple[str, ...] | None:
    """The classes a run's manifest recorded (None: a whole CME business day; a manifest written before SECURED-only
    runs existed has no ``classes``)."""
    classes = manifest.get("classes")
    return None if classes is None else tuple(classes)


def secured_inputs(files: list[InputFile], day: date) -> list[InputFile]:
    """The landed files a SECURED-only run of ``day`` reads: the reference files, the bank statements and the
    date's files of :data:`SECURED_DAY_FILES` (also files the layout does not name, so nothing lands unseen)."""
    prefix = f"{day.isoformat()}/"
    kept = []
    for file in files:
        if not file.rel_path.startswith(prefix):
            kept.append(file)  # reference/
            continue
        folder = file.rel_path[len(prefix):].split("/", 1)[0]
        if file.kind in ("BAI2", "CAMT", "UNKNOWN") and folder != "clearing":
            kept.append(file)
        elif (folder, file.name) in SECURED_DAY_FILES:
            kept.append(file)
    return kept


def day_classes(runs: list[dict]) -> tuple[str, ...] | None:
    """The scope of a date's latest completed run (``runs``: the date's completed runs, oldest first), as
    :func:`manifest_classes`; None when it has none."""
    return manifest_classes(json.loads(runs[-1]["manifest"])) if runs else None


def no_reconciliation(day: date) -> str:
    """What a reader of a SECURED-only date's break report is told."""
    return (f"{day} ({day:%A}) is a SECURED-only date (CME does not clear): its run reconciled nothing, so it has no "
            f"break report; its statement: fcm-recon statement --date {day} --class SECURED")
