"""Have a business date's required files arrived? What the late-file sensor of the daily DAG asks, by name only.

The required inputs are those whose absence the parse stage reports as ``MISSING_INPUT`` (spec/inputs.md): the five
reference files, the day's ledger exports other than the optional ones, ``clearing/collateral``, the day's
``reference/fx_rates``, at least one CME FIXML file in ``clearing/`` and, on a Fedwire bank day, at least one bank
statement file in ``bank/`` (on a Fedwire holiday CME clears no bank file is expected). On a weekday CME does not
clear, whose run is SECURED-only (:mod:`recon.run_scope`), they are the reference files, the day's balances, custody
and fx_rates and, on a Fedwire bank day, a bank statement file: no clearing file. Tabular files count as CSV or
Parquet. The landing root is a local folder or ``gs://bucket/prefix`` (object names listed by prefix,
:func:`recon.gcs.object_paths`). Nothing is opened or hashed: the files may still be being written, and the land
stage records them once they are all there. Which bank account each statement covers is known only after parsing, so
the parse stage (not this check) names an account with no statement of record.

The deadline is wall-clock time on purpose (when to stop waiting), never a source of the business date.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

from recon.calendar import is_bank_day, is_business_day, next_business_day
from recon.contracts.ledger import DAY_CONTRACTS, OPTIONAL_DAY_FILES
from recon.contracts.reference import REQUIRED_REFERENCE
from recon.errors import LandingError
from recon.run_scope import SECURED_REQUIRED_DAY_FILES
from recon.landing import BANK_BAI2_SUFFIXES, TABULAR_SUFFIXES
from recon.targets import GcsLanding, Landing

DEADLINE_TIMEZONE = ZoneInfo("America/New_York")  # spec/inputs.md: deadlines are US Eastern time
FIXML_SUFFIXES = (".xml",)
BANK_SUFFIXES = (*BANK_BAI2_SUFFIXES, ".xml")


def required_tabular_files(business_date: date) -> list[str]:
    """The required tabular files of ``business_date`` as ``folder/stem`` (any of CSV or Parquet will do), sorted; on
    a date CME does not clear, those of its SECURED-only run (:data:`recon.run_scope.SECURED_REQUIRED_DAY_FILES`)."""
    day = business_date.isoformat()
    required = [f"reference/{name}" for name in REQUIRED_REFERENCE]
    if not is_business_day(business_date):
        return sorted(required + [f"{day}/{folder}/{stem}" for folder, stem in SECURED_REQUIRED_DAY_FILES])
    required += [f"{day}/{folder}/{table.split('__', 1)[1]}" for table, (folder, _) in DAY_CONTRACTS.items()
                 if table.split("__", 1)[1] not in OPTIONAL_DAY_FILES]
    return sorted(required)


def _landed_paths(root: Landing, folders: list[str]) -> set[str]:
    """The paths, relative to ``root``, of the files under each folder of the landing root."""
    if isinstance(root, GcsLanding):
        from recon.gcs import object_paths

        return set(object_paths(root, folders))
    if not root.is_dir():
        raise LandingError(f"landing root {root} does not exist or is not a folder")
    return {path.relative_to(root).as_posix() for folder in folders if (root / folder).is_dir()
            for path in (root / folder).rglob("*") if path.is_file()}


def _has_file(paths: set[str], folder: str, suffixes: tuple[str, ...]) -> bool:
    return any(str(PurePosixPath(p).parent) == folder and PurePosixPath(p).suffix.lower() in suffixes for p in paths)


def missing_inputs(root: Landing, business_date: date) -> list[str]:
    """Each required input of ``business_date`` not in the landing root (a local folder or gs://), named relative to
    it, sorted."""
    day = business_date.isoformat()
    paths = _landed_paths(root, ["reference", day])
    missing = [f"{stem}.csv" for stem in required_tabular_files(business_date)
               if not any(f"{stem}{suffix}" in paths for suffix in TABULAR_SUFFIXES)]
    if is_business_day(business_date) and not _has_file(paths, f"{day}/clearing", FIXML_SUFFIXES):
        missing.append(f"{day}/clearing/*.xml (CME FIXML position and trade reports)")
    if is_bank_day(business_date) and not _has_file(paths, f"{day}/bank", BANK_SUFFIXES):
        missing.append(f"{day}/bank/ (a BAI2 or camt.053 statement)")
    return sorted(missing)


def files_deadline(business_date: date, at: time) -> datetime:
    """When to stop waiting for ``business_date``'s files: ``at`` US Eastern on the next CME business day."""
    return datetime.combine(next_business_day(business_date), at, tzinfo=DEADLINE_TIMEZONE)


def describe_missing(business_date: date, root: Landing | str, missing: list[str]) -> str:
    """One message naming every missing file of the day, one per line."""
    lines = [f"{len(missing)} required input(s) of {business_date} missing from {root}:"]
    lines += [f"  - {name}" for name in missing]
    return "\n".join(lines)
