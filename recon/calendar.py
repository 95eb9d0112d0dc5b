"""CME clearing business days (the ``CME_TradeDate`` calendar of pandas_market_calendars).

Business dates, ages in business days and settlement payment dates all come from here. The calendar is built once
per process over a fixed range (never "around today"), so results do not move with the wall clock.
"""

from __future__ import annotations

import bisect
from datetime import date
from functools import lru_cache

from recon.errors import ConfigError

CALENDAR_NAME = "CME_TradeDate"
RANGE_START = date(2000, 1, 3)
RANGE_END = date(2035, 12, 31)


@lru_cache(maxsize=1)
def _days() -> tuple[date, ...]:
    import pandas_market_calendars as mcal  # heavy import: only when a date is first asked about

    index = mcal.get_calendar(CALENDAR_NAME).valid_days(start_date=RANGE_START, end_date=RANGE_END)
    return tuple(stamp.date() for stamp in index)


def _check_range(day: date) -> None:
    if not RANGE_START <= day <= RANGE_END:
        raise ConfigError(f"date {day} is outside the CME calendar range {RANGE_START}..{RANGE_END}")


def is_business_day(day: date) -> bool:
    """True when CME clears on ``day``."""
    _check_range(day)
    days = _days()
    index = bisect.bisect_left(days, day)
    return index < len(days) and days[index] == day


def next_business_day(day: date) -> date:
    """The first CME business day strictly after ``day``."""
    _check_range(day)
    days = _days()
    return days[bisect.bisect_right(days, day)]


def previous_business_day(day: date) -> date:
    """The last CME business day strictly before ``day``."""
    _check_range(day)
    days = _days()
    return days[bisect.bisect_left(days, day) - 1]


def business_days(start: date, count: int) -> list[date]:
    """``count`` CME business days from ``start`` (included when it is one), in order."""
    _check_range(start)
    days = _days()
    index = bisect.bisect_left(days, start)
    return list(days[index : index + count])


def business_days_between(first: date, last: date) -> int:
    """How many CME business days lie after ``first`` up to and including ``last`` (0 when ``last <= first``)."""
    _check_range(first)
    _check_range(last)
    days = _days()
    return max(0, bisect.bisect_right(days, last) - bisect.bisect_right(days, first))
