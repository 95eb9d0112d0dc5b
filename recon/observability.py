"""Structured logs and the run summary's service-level indicators (SLIs).

Every event is one JSON line on the ``fcm_recon`` logger: ``{"event", "ts", "run_id", "business_date", "stage",
"rows", "seconds", ...}`` (keys sorted). The command line sends them to stderr, or appends them to ``--log-file``;
as a library nothing is printed unless the caller adds a handler. Only logs and SLIs carry the wall clock (``ts``,
the run's finish time against its deadline); no table does, apart from ``runs``' own timestamps.

The SLIs of a run: seconds per stage, rows per stage (land: files landed; parse: records read; validate: rows
quarantined; match: rows of the marts; publish: rows published; report: documents written), the match rate of
each recon (records matched / records read, from the conservation mart), break counts by tier and whether the
statement was ready by its deadline: noon New York time on the next CME business day after the business date.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa

from recon import calendar

LOGGER_NAME = "fcm_recon"
STATEMENT_DEADLINE_ZONE = ZoneInfo("America/New_York")
STATEMENT_DEADLINE_TIME = time(12, 0)
MATCH_RATE_DIGITS = 4

logger = logging.getLogger(LOGGER_NAME)


class JsonLineFormatter(logging.Formatter):
    """A record's ``fields`` (and the event name) as one JSON line, with the wall-clock time ``ts``."""

    def format(self, record: logging.LogRecord) -> str:
        fields = dict(getattr(record, "fields", {}), event=record.getMessage(), level=record.levelname,
                      ts=datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"))
        return json.dumps(fields, sort_keys=True, default=str)


@contextmanager
def json_logs(log_file: Path | None) -> Iterator[logging.Handler]:
    """Inside the block, the ``fcm_recon`` events go as JSON lines to stderr, or appended to ``log_file``."""
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        handler.close()


def log_event(event: str, level: int = logging.INFO, **fields: object) -> None:
    """Log one structured event (see the module docstring)."""
    logger.log(level, event, extra={"fields": fields})


def stage_rows(stage: str, summary: dict) -> int:
    """The row count of a stage's summary (module docstring)."""
    counts = {
        "land": lambda s: s["files"] + s["previous_clearing_files"],
        "parse": lambda s: s["rows_read"],
        "validate": lambda s: s["rows_quarantined"],
        "match": lambda s: sum(s.values()),
        "publish": lambda s: sum(s["rows"].values()),
        "report": lambda s: len(s["documents"]),
    }
    return int(counts[stage](summary))


def statement_deadline(business_date: date) -> datetime:
    """When the statement of ``business_date`` is due: noon New York time on the next CME business day."""
    return datetime.combine(calendar.next_business_day(business_date), STATEMENT_DEADLINE_TIME,
                            tzinfo=STATEMENT_DEADLINE_ZONE)


def match_rates(conservation: pa.Table) -> dict[str, float | None]:
    """Records matched / records read per recon (None for a recon that read nothing), rounded to 4 places."""
    read: dict[str, int] = {}
    matched: dict[str, int] = {}
    for row in conservation.select(["recon", "rows_read", "rows_matched"]).to_pylist():
        read[row["recon"]] = read.get(row["recon"], 0) + row["rows_read"]
        matched[row["recon"]] = matched.get(row["recon"], 0) + row["rows_matched"]
    return {recon: round(matched[recon] / read[recon], MATCH_RATE_DIGITS) if read[recon] else None
            for recon in sorted(read) if recon != "NONE"}


def break_counts_by_tier(breaks: pa.Table) -> dict[str, dict[str, int]]:
    """Break counts by tier and status (NEW, OPEN, RESOLVED, PENDING, CLOSED)."""
    counts: dict[str, dict[str, int]] = {}
    for row in breaks.select(["tier", "status"]).to_pylist():
        by_status = counts.setdefault(row["tier"], {})
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1
    return {tier: dict(sorted(by_status.items())) for tier, by_status in sorted(counts.items())}


def run_slis(business_date: date, summaries: dict[str, dict], seconds: dict[str, float], marts: dict[str, pa.Table],
             finished_at: datetime) -> dict:
    """The SLIs of a finished run (module docstring); ``marts`` holds its conservation and recon_breaks tables."""
    deadline = statement_deadline(business_date)
    return {
        "business_date": business_date.isoformat(),
        "run_id": summaries["publish"]["run_id"],
        "exit_code": summaries["publish"]["exit_code"],
        "stage_seconds": seconds,
        "run_seconds": round(sum(seconds.values()), 3),
        "stage_rows": {stage: stage_rows(stage, summary) for stage, summary in summaries.items()},
        "match_rate": match_rates(marts["conservation"]),
        "breaks_by_tier": break_counts_by_tier(marts["recon_breaks"]),
        "finished_at": finished_at.isoformat(timespec="seconds"),
        "statement_deadline": deadline.isoformat(),
        "statement_ready_by_deadline": finished_at <= deadline,
    }
