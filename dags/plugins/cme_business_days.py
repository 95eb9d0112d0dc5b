"""The CME business-day timetable of the daily DAG, registered as an Airflow plugin so the scheduler can load it.

One run per CME clearing business day D (``CME_TradeDate``, :mod:`recon.calendar`): its data interval is D as a UTC
day, ``[D 00:00Z, D+1 00:00Z)``, and the run is queued when that interval ends (18:00 or 19:00 in Chicago, after
CME's close; the DAG's file sensor then waits for the files). Weekends and CME holidays have no run. The run's
business date is the interval's start date: :func:`business_date_of`. UTC days keep ``airflow backfill create
--from-date A --to-date B`` exact: it queues every CME business day from A to B, both included.

With ``secured_holidays`` the weekdays CME does not clear (US holidays) have a run too: the daily DAG runs the SECURED
statement alone on them (spec/inputs.md, "Calendars": 30.7 statements are due when foreign markets are open on a US
holiday), in the same one-at-a-time chain, so such a run follows the CME day whose balances it may carry. Every
weekday then has a run; weekends never do.

Airflow serializes a DAG's timetable by class path and loads it back only from a registered plugin, so this module
lives in the plugins folder (``AIRFLOW__CORE__PLUGINS_FOLDER``), which Airflow puts on ``sys.path`` for the DAG file
to import it. Parsing imports only Airflow and pendulum; :mod:`recon.calendar` (pandas_market_calendars) is
imported when the scheduler first asks for a run.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pendulum import UTC, DateTime

from airflow.plugins_manager import AirflowPlugin
from airflow.timetables.base import DagRunInfo, DataInterval, TimeRestriction, Timetable


def business_date_of(interval_start: datetime) -> date:
    """The CME business date of a run whose data interval starts at ``interval_start``."""
    return interval_start.astimezone(UTC).date()


def data_interval_of(business_date: date) -> DataInterval:
    """The data interval of ``business_date``'s run: that date as a UTC day."""
    start = DateTime(business_date.year, business_date.month, business_date.day, tzinfo=UTC)
    return DataInterval(start=start, end=start + timedelta(days=1))


def _first_day_from(earliest: datetime) -> date:
    """The first whole UTC day starting at or after ``earliest``."""
    moment = earliest.astimezone(UTC)
    at_midnight = moment == DateTime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return moment.date() if at_midnight else moment.date() + timedelta(days=1)


def _weekday_after(day: date, step: int) -> date:
    """The first weekday ``step`` (1 or -1) days on from ``day`` or more."""
    day += timedelta(days=step)
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day


class CmeBusinessDayTimetable(Timetable):
    """A run after each CME clearing business day (and, with ``secured_holidays``, after each weekday CME does not
    clear); its data interval is that day (UTC)."""

    description = ("after each CME clearing business day (CME_TradeDate calendar; weekends and CME holidays skipped, "
                   "or with secured_holidays a SECURED-only run on a weekday CME holiday)")

    def __init__(self, secured_holidays: bool = False) -> None:
        self.secured_holidays = secured_holidays

    @classmethod
    def deserialize(cls, data: dict) -> CmeBusinessDayTimetable:
        return cls(secured_holidays=bool(data.get("secured_holidays", False)))

    def serialize(self) -> dict:
        return {"secured_holidays": self.secured_holidays}

    @property
    def summary(self) -> str:
        return "CME business days and US holidays (SECURED)" if self.secured_holidays else "CME business days"

    def _next_day(self, day: date) -> date:
        from recon.calendar import next_business_day

        return _weekday_after(day, 1) if self.secured_holidays else next_business_day(day)

    def _previous_day(self, day: date) -> date:
        from recon.calendar import previous_business_day

        return _weekday_after(day, -1) if self.secured_holidays else previous_business_day(day)

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        """The latest run day whose interval has ended by ``run_after``."""
        return data_interval_of(self._previous_day(business_date_of(run_after)))

    def next_dagrun_info(self, *, last_automated_data_interval: DataInterval | None,
                         restriction: TimeRestriction) -> DagRunInfo | None:
        """The run day after the last scheduled one, else the first from the DAG's start; without catchup,
        no earlier than the latest run day that has ended."""
        if last_automated_data_interval is not None:
            day = self._next_day(business_date_of(last_automated_data_interval.start))
        elif restriction.earliest is None:
            return None
        else:
            first = _first_day_from(restriction.earliest)
            day = self._next_day(first - timedelta(days=1))
        if not restriction.catchup:
            day = max(day, self._previous_day(DateTime.now(UTC).date()))
        interval = data_interval_of(day)
        if restriction.latest is not None and interval.start > restriction.latest:
            return None
        return DagRunInfo.interval(start=interval.start, end=interval.end)


class CmeCalendarPlugin(AirflowPlugin):
    """Registers :class:`CmeBusinessDayTimetable` so serialized DAGs can name it."""

    name = "fcm_recon_cme_calendar"
    timetables = [CmeBusinessDayTimetable]
