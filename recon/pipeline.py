"""One business day end to end, from the command line: the stages of :mod:`recon.stages` in a row."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from recon.stages import STAGES, DayContext


@dataclass(frozen=True)
class RunResult:
    """What a run did: the summary of each stage, by stage name; ``publish`` holds the exit code and run id."""

    stages: dict[str, dict]

    @property
    def exit_code(self) -> int:
        return int(self.stages["publish"]["exit_code"])


def run_day(business_date: date, landing: Path, warehouse: Path, *, strict: bool = True) -> RunResult:
    """Run one business day from the landing area into the warehouse, in a private work folder."""
    with tempfile.TemporaryDirectory(prefix=f"fcm-recon-{business_date}-") as work:
        ctx = DayContext(business_date, landing, warehouse, Path(work), strict)
        return RunResult({stage.__name__: stage(ctx) for stage in STAGES})
