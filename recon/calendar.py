"""CME clearing business days (the ``CME_TradeDate`` calendar of pandas_market_calendars) and Fedwire bank days.

Business dates, ages in business days and settlement payment dates all come from here. The calendars are built once
per process over a fixed range (never "around today"), so results do not move with the wall clock.

Fedwire bank days are the weekdays that are not Federal Reserve holidays (pandas.tseries.holiday rules, the Fed's
observance: a holiday on a Sunday is observed on the Monday, one on a Saturday is not observed at all, so the Friday
before is a bank day). CME clears on Columbus Day and Veterans Day while Fedwire is closed: on such a business date no
bank file is expected and money due moves to the next bank day. Settlement is paid on a *settlement day*, a date that
is both a CME business day and a bank day: the runs are for CME business dates, so a bank day CME does not clear
(Good Friday) is not one (no run reads its bank file).
"""

from __future__ import annotations

import bisect
from datetime import date, timedelta
from functools import lru_cache

from recon.errors import ConfigError

CALENDAR_NAME = "CME_TradeDate"
# consecutive CME business days that are not bank days, at most (a longer run is a calendar error)
UNSETTLED_DAYS_MAX = 5
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


def _fedwire_rules() -> list:
    """The Federal Reserve holidays as pandas rules, observed as the Fed observes them (Sunday -> Monday only)."""
    from pandas.tseries.holiday import (Holiday, USColumbusDay, USLaborDay, USMartinLutherKingJr, USMemorialDay,
                                        USPresidentsDay, USThanksgivingDay, sunday_to_monday)

    return [
        Holiday("New Year's Day", month=1, day=1, observance=sunday_to_monday),
        USMartinLutherKingJr,
        USPresidentsDay,
        USMemorialDay,
        Holiday("Juneteenth National Independence Day", month=6, day=19, start_date="2022-01-01",
                observance=sunday_to_monday),
        Holiday("Independence Day", month=7, day=4, observance=sunday_to_monday),
        USLaborDay,
        USColumbusDay,
        Holiday("Veterans Day", month=11, day=11, observance=sunday_to_monday),
        USThanksgivingDay,
        Holiday("Christmas Day", month=12, day=25, observance=sunday_to_monday),
    ]


@lru_cache(maxsize=1)
def _bank_holidays() -> dict[date, str]:
    """Every Federal Reserve holiday in the range, observed date -> name."""
    from pandas.tseries.holiday import AbstractHolidayCalendar

    class FedwireHolidays(AbstractHolidayCalendar):
        rules = _fedwire_rules()

    named = FedwireHolidays().holidays(start=RANGE_START, end=RANGE_END, return_name=True)
    return {stamp.date(): str(name) for stamp, name in named.items()}


@lru_cache(maxsize=1)
def _bank_days() -> tuple[date, ...]:
    holidays = _bank_holidays()
    count = (RANGE_END - RANGE_START).days + 1
    days = (RANGE_START + timedelta(days=n) for n in range(count))
    return tuple(day for day in days if day.weekday() < 5 and day not in holidays)


@lru_cache(maxsize=1)
def _settlement_days() -> tuple[date, ...]:
    """The days CME clears and Fedwire is open (:func:`is_settlement_day`), in order."""
    bank_days = set(_bank_days())
    return tuple(day for day in _days() if day in bank_days)


def is_bank_day(day: date) -> bool:
    """True when Fedwire is open on ``day`` (a weekday that is not a Federal Reserve holiday)."""
    _check_range(day)
    days = _bank_days()
    index = bisect.bisect_left(days, day)
    return index < len(days) and days[index] == day


def bank_holiday_name(day: date) -> str | None:
    """The Federal Reserve holiday observed on ``day`` (e.g. ``Veterans Day``), or None."""
    _check_range(day)
    return _bank_holidays().get(day)


def next_bank_day(day: date) -> date:
    """The first Fedwire bank day strictly after ``day``."""
    _check_range(day)
    days = _bank_days()
    return days[bisect.bisect_right(days, day)]


def is_settlement_day(day: date) -> bool:
    """True when CME clears and Fedwire is open on ``day``: money due is paid, and the day has bank files."""
    return is_business_day(day) and is_bank_day(day)


def next_settlement_day(day: date) -> date:
    """The first settlement day strictly after ``day``: the payment date of ``day``'s end-of-day cycle (the first
    bank day after it, taken forward to a CME business day when CME does not clear on it)."""
    _check_range(day)
    days = _settlement_days()
    return days[bisect.bisect_right(days, day)]


def settlement_day(day: date) -> date:
    """``day`` when it is a settlement day, else the next one: the payment date of ``day``'s intraday cycle."""
    return day if is_settlement_day(day) else next_settlement_day(day)


def unsettled_cycle_days(day: date) -> list[date]:
    """The CME business days before ``day`` whose end-of-day cycle is not paid before ``day`` (paid on ``day`` or
    later), oldest first: the previous business day, and the ones before it back to the last settlement day when
    the days between were not bank days. A run of ``day`` reads their clearing folders."""
    found = []
    candidate = previous_business_day(day)
    while next_settlement_day(candidate) >= day:
        found.append(candidate)
        if len(found) > UNSETTLED_DAYS_MAX:
            raise ConfigError(f"more than {UNSETTLED_DAYS_MAX} CME business days before {day} are not bank days")
        candidate = previous_business_day(candidate)
    return found[::-1]


def balance_source_day(day: date) -> date:
    """The settlement day whose bank closing balances stand on a business day that is not a bank day: the last
    CME business day before ``day`` that is a bank day (the balances are carried forward from it)."""
    _check_range(day)
    days = _settlement_days()
    return days[bisect.bisect_left(days, day) - 1]
