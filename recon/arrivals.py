"""Have a business date's required files arrived? What the late-file sensor of the daily DAG asks, by name only.

The required inputs are those whose absence the parse stage reports as ``MISSING_INPUT`` (spec/inputs.md): the five
reference files, the day's ledger exports other than the optional ones, ``clearing/collateral``, the day's
``reference/fx_rates``, at least one CME FIXML file in ``clearing/`` and at least one bank statement file in
``bank/``. Tabular files count as CSV or Parquet. Nothing is opened or hashed: the files may still be being written,
and the land stage records them once they are all there. Which bank account each statement covers is known only
after parsing, so the parse stage (not this check) names an account with no statement of record.

The deadline is wall-clock time on purpose (when to stop waiting), never a source of the business date.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from recon.calendar import next_business_day
from recon.contracts.ledger import DAY_CONTRACTS, OPTIONAL_DAY_FILES
from recon.contracts.reference import REQUIRED_REFERENCE
from recon.errors import LandingError
from recon.landing import BANK_BAI2_SUFFIXES, TABULAR_SUFFIXES

DEADLINE_TIMEZONE = ZoneInfo("America/New_York")  # spec/inputs.md: deadlines are US Eastern time
FIXML_SUFFIXES = (".xml",)
BANK_SUFFIXES = (*BANK_BAI2_SUFFIXES, ".xml")


def required_tabular_files(business_date: date) -> list[str]:
    """The required tabular files of ``business_date`` as ``folder/stem`` (any of CSV or Parquet will do), sorted."""
    day = business_date.isoformat()
    required = [f"reference/{name}" for name in REQUIRED_REFERENCE]
    required += [f"{day}/{folder}/{table.split('__', 1)[1]}" for table, (folder, _) in DAY_CONTRACTS.items()
                 if table.split("__", 1)[1] not in OPTIONAL_DAY_FILES]
    return sorted(required)


def _has_file(folder: Path, suffixes: tuple[str, ...]) -> bool:
    return folder.is_dir() and any(p.is_file() and p.suffix.lower() in suffixes for p in folder.iterdir())


def missing_inputs(root: Path, business_date: date) -> list[str]:
    """Each required input of ``business_date`` not in the landing folder ``root``, named relative to it, sorted."""
    if not root.is_dir():
        raise LandingError(f"landing root {root} does not exist or is not a folder")
    day = business_date.isoformat()
    missing = [f"{stem}.csv" for stem in required_tabular_files(business_date)
               if not any((root / f"{stem}{suffix}").is_file() for suffix in TABULAR_SUFFIXES)]
    if not _has_file(root / day / "clearing", FIXML_SUFFIXES):
        missing.append(f"{day}/clearing/*.xml (CME FIXML position and trade reports)")
    if not _has_file(root / day / "bank", BANK_SUFFIXES):
        missing.append(f"{day}/bank/ (a BAI2 or camt.053 statement)")
    return sorted(missing)


def files_deadline(business_date: date, at: time) -> datetime:
    """When to stop waiting for ``business_date``'s files: ``at`` US Eastern on the next CME business day."""
    return datetime.combine(next_business_day(business_date), at, tzinfo=DEADLINE_TIMEZONE)


def describe_missing(business_date: date, root: Path, missing: list[str]) -> str:
    """One message naming every missing file of the day, one per line."""
    lines = [f"{len(missing)} required input(s) of {business_date} missing from {root}:"]
    lines += [f"  - {name}" for name in missing]
    return "\n".join(lines)
