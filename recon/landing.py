"""The landing area: which files a business date has, what kind each is, and their SHA-256.

Layout (spec/inputs.md): ``<root>/reference/*`` (effective-dated), and per date ``<root>/<YYYY-MM-DD>/`` with
``clearing/``, ``bank/``, ``ledger/`` and ``reference/fx_rates.csv``. Files are classified by folder and name; a
file the layout does not name is listed as ``UNKNOWN`` so nothing lands unseen. The same bytes twice are one file.
No path leaves the root: symbolic links that point outside it are refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from recon.errors import LandingError

BANK_BAI2_SUFFIXES = (".bai2", ".bai", ".txt")
TABULAR_SUFFIXES = (".csv", ".parquet")
_HASH_CHUNK_BYTES = 1 << 20
# the digests of the enclosing remembered_digests block, by file and its stat (None outside one)
_DIGESTS: ContextVar[dict[tuple, str] | None] = ContextVar("file_digests", default=None)


@dataclass(frozen=True)
class InputFile:
    """A landed file. rel_path: posix path from the root; kind: BAI2, CAMT, FIXML, COLLATERAL, LEDGER, REFERENCE,
    FX_RATES or UNKNOWN; name: the contract name for tabular files (``cash_journal``), else ''."""

    rel_path: str
    path: Path
    kind: str
    name: str
    sha256: str
    size_bytes: int
    duplicate_of: str = ""


@contextmanager
def remembered_digests() -> Iterator[None]:
    """Inside the block, :func:`sha256_file` reads a file again only when its inode, size, modification or change
    time differ from when it last hashed it (a backfill lists each day's files to decide whether the day runs, then
    in its land stage, and a day's clearing files again as the next day's T-1)."""
    token = _DIGESTS.set({})
    try:
        yield
    finally:
        _DIGESTS.reset(token)


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes (see :func:`remembered_digests`)."""
    known = _DIGESTS.get()
    if known is None:
        return _sha256_bytes(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    if key not in known:
        known[key] = _sha256_bytes(path)
    return known[key]


def _sha256_bytes(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _classify(parts: tuple[str, ...]) -> tuple[str, str]:
    """(kind, contract name) from a path's parts below the root."""
    folder, filename = (parts[-2] if len(parts) > 1 else ""), parts[-1]
    stem, suffix = Path(filename).stem, Path(filename).suffix.lower()
    if len(parts) == 2 and folder == "reference" and suffix in TABULAR_SUFFIXES:
        return "REFERENCE", stem
    if folder == "bank" and suffix in BANK_BAI2_SUFFIXES:
        return "BAI2", ""
    if folder == "bank" and suffix == ".xml":
        return "CAMT", ""
    if folder == "clearing" and suffix == ".xml":
        return "FIXML", ""
    if folder == "clearing" and stem == "collateral" and suffix in TABULAR_SUFFIXES:
        return "COLLATERAL", "collateral"
    if folder == "ledger" and suffix in TABULAR_SUFFIXES:
        return "LEDGER", stem
    if folder == "reference" and stem == "fx_rates" and suffix in TABULAR_SUFFIXES:
        return "FX_RATES", "fx_rates"
    return "UNKNOWN", ""


def _safe_files(root: Path, folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    resolved_root = root.resolve()
    files = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if not path.resolve().is_relative_to(resolved_root):
            raise LandingError(f"{path}: points outside the landing root {root}; refusing to read it")
        files.append(path)
    return files


def _input_file(root: Path, path: Path, seen: dict[tuple[str, str, str], str]) -> InputFile:
    rel_path = path.relative_to(root).as_posix()
    kind, name = _classify(path.relative_to(root).parts)
    digest = sha256_file(path)
    # the same bytes twice are one file only within a kind: the books' collateral may equal the DCO's file
    duplicate_of = seen.setdefault((kind, name, digest), rel_path)
    return InputFile(rel_path, path, kind, name, digest, path.stat().st_size,
                     duplicate_of if duplicate_of != rel_path else "")


def discover(root: Path, business_date: date) -> list[InputFile]:
    """Every file of ``business_date`` and the reference folder, sorted by path; duplicates marked."""
    if not root.is_dir():
        raise LandingError(f"landing root {root} does not exist or is not a folder")
    seen: dict[tuple[str, str, str], str] = {}
    paths = _safe_files(root, root / "reference") + _safe_files(root, root / business_date.isoformat())
    return [_input_file(root, path, seen) for path in paths]


def date_folder_files(root: Path, business_date: date, folder: str) -> list[InputFile]:
    """The files of one folder of a date (used for T-1's clearing files)."""
    seen: dict[tuple[str, str, str], str] = {}
    return [_input_file(root, p, seen) for p in _safe_files(root, root / business_date.isoformat() / folder)]


def previous_clearing_files(root: Path, business_date: date) -> list[InputFile]:
    """The clearing files of the business days before ``business_date`` whose end-of-day cycle is not paid before
    it (recon.calendar.unsettled_cycle_days): T-1's, and, after a Fedwire holiday CME cleared, the holiday's and the
    day before it too, oldest first."""
    from recon import calendar

    return [file for day in calendar.unsettled_cycle_days(business_date)
            for file in date_folder_files(root, day, "clearing")]
