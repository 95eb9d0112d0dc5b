"""The error vocabulary of fcm-recon.

Three kinds of trouble, kept apart on purpose:

* Problems in the data are *results*: a :class:`recon.domain.Problem` (a quarantined row, a rejected file) collected
  across the batch and published. A reader signals a file it rejects whole by raising :class:`FileRejected`, which
  carries that Problem; the pipeline turns it into a result.
* A broken invariant is a programmer error and stops the run: :func:`invariant` raises :class:`InvariantViolation`
  (never a bare ``assert``, which ``python -O`` strips).
* Operating errors (a folder missing, a warehouse locked, bad configuration) are typed exceptions under
  :class:`FcmReconError`; the command line maps them to exit code 1 with their message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from recon.domain import Problem


class FcmReconError(Exception):
    """Base of every operating error fcm-recon raises on purpose."""


class ConfigError(FcmReconError):
    """A setting, rule file or command-line argument is invalid."""


class LandingError(FcmReconError):
    """The landing area cannot be read (missing root, unreadable folder, unsafe path)."""


class ChecksumMismatch(LandingError):
    """A landed object's bytes do not match the checksum its store recorded (corrupted at rest or in transit)."""


class WarehouseError(FcmReconError):
    """The warehouse cannot be opened, created or written."""


class RunNotFound(FcmReconError):
    """The warehouse holds no completed run for the business date asked about."""


class NoReconciliation(RunNotFound):
    """The date asked about had a SECURED-only run (CME does not clear): it has a statement, no reconciliation."""


class PreviousDayMissing(RunNotFound):
    """The previous CME business day has no completed run while an earlier date has one: a run would carry no open
    break into the date (they would drop out of its breaks and aging without being resolved)."""


class WarehouseLocked(WarehouseError):
    """Another process holds the warehouse's write lock and did not release it within the time allowed."""


class StaleRun(WarehouseError):
    """The warehouse changed under a run between its land and publish stages (another run published, or the
    attempt was recorded FAILED): publishing would chain it to a state it did not read."""


class InputChanged(LandingError):
    """A file a recorded run read is missing or no longer hashes to the SHA-256 its manifest records."""


class FileRejected(FcmReconError):
    """A whole input file is rejected; ``problem`` says where, which field, what was expected and what was found."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.describe())
        self.problem = problem


class InvariantViolation(Exception):
    """A property the code guarantees does not hold: a defect, never a data problem."""


def invariant(condition: bool, message: str) -> None:
    """Raise :class:`InvariantViolation` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise InvariantViolation(message)
