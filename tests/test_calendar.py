"""recon.calendar: Fedwire bank days (Federal Reserve holidays as the Fed observes them) beside the CME trade dates,
and the settlement days derived from both, on known dates."""

from __future__ import annotations

from datetime import date

import pytest

from recon import calendar
from recon.errors import ConfigError


@pytest.mark.parametrize(("day", "bank_day", "holiday"), [
    (date(2026, 11, 11), False, "Veterans Day"),  # a Wednesday: CME clears, Fedwire is closed
    (date(2026, 10, 12), False, "Columbus Day"),
    (date(2021, 12, 24), True, None),  # Christmas 2021 fell on a Saturday: the Fed does not observe it on Friday
    (date(2021, 12, 31), True, None),  # New Year's Day 2022 fell on a Saturday: not observed on Friday either
    (date(2022, 6, 20), False, "Juneteenth National Independence Day"),  # Sunday 19 June observed on Monday
    (date(2021, 6, 18), True, None),  # Juneteenth is a Fed holiday from 2022
    (date(2022, 12, 26), False, "Christmas Day"),  # Sunday 25 December observed on Monday
    (date(2026, 7, 3), True, None),  # Independence Day 2026 is a Saturday: Friday 3 July is a bank day
    (date(2026, 11, 26), False, "Thanksgiving Day"),
    (date(2026, 1, 19), False, "Birthday of Martin Luther King, Jr."),
    (date(2026, 4, 3), True, None),  # Good Friday: Fedwire open, CME closed
    (date(2026, 11, 14), False, None),  # a Saturday
    (date(2026, 11, 12), True, None),
])
def test_fedwire_bank_days_and_holiday_names(day: date, bank_day: bool, holiday: str | None) -> None:
    """Known Federal Reserve holidays are not bank days and carry their name; weekends are not bank days; a
    Saturday holiday leaves the Friday a bank day."""
    assert calendar.is_bank_day(day) is bank_day
    assert calendar.bank_holiday_name(day) == holiday


def test_cme_clears_on_columbus_and_veterans_day_while_fedwire_is_closed() -> None:
    """The two days the spec's Calendars paragraph is about: CME business days that are not bank days."""
    for day in (date(2026, 10, 12), date(2026, 11, 11)):
        assert calendar.is_business_day(day) and not calendar.is_bank_day(day)
        assert not calendar.is_settlement_day(day)


def test_next_bank_day_and_settlement_days() -> None:
    """The end-of-day cycle of 2026-11-10 is paid on 2026-11-12 (Veterans Day between), the intraday cycle of the
    holiday on the next bank day, the Thursday before Good Friday's on Monday (no run reads Good Friday's bank)."""
    assert calendar.next_bank_day(date(2026, 11, 10)) == date(2026, 11, 12)
    assert calendar.next_bank_day(date(2026, 11, 9)) == date(2026, 11, 10)
    assert calendar.next_bank_day(date(2026, 4, 2)) == date(2026, 4, 3)
    assert calendar.next_settlement_day(date(2026, 11, 10)) == date(2026, 11, 12)
    assert calendar.next_settlement_day(date(2026, 4, 2)) == date(2026, 4, 6)
    assert calendar.settlement_day(date(2026, 11, 11)) == date(2026, 11, 12)
    assert calendar.settlement_day(date(2026, 11, 10)) == date(2026, 11, 10)
    assert calendar.next_settlement_day(date(2026, 10, 9)) == date(2026, 10, 13)


def test_unsettled_cycle_days_and_the_balance_source_day() -> None:
    """A run reads the clearing folders of the business days whose end-of-day cycle it may see unpaid or paid,
    and carries bank balances from the last settlement day before a Fedwire holiday."""
    assert calendar.unsettled_cycle_days(date(2026, 11, 10)) == [date(2026, 11, 9)]
    assert calendar.unsettled_cycle_days(date(2026, 11, 11)) == [date(2026, 11, 10)]
    assert calendar.unsettled_cycle_days(date(2026, 11, 12)) == [date(2026, 11, 10), date(2026, 11, 11)]
    assert calendar.unsettled_cycle_days(date(2026, 4, 6)) == [date(2026, 4, 2)]
    assert calendar.balance_source_day(date(2026, 11, 11)) == date(2026, 11, 10)
    assert calendar.balance_source_day(date(2026, 10, 12)) == date(2026, 10, 9)


def test_bank_days_refuse_dates_outside_the_fixed_range() -> None:
    """The bank calendar is built over the CME calendar's fixed range, never around today."""
    with pytest.raises(ConfigError):
        calendar.is_bank_day(date(1999, 12, 31))
    with pytest.raises(ConfigError):
        calendar.next_bank_day(date(2036, 1, 1))
