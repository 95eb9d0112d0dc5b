"""The CME business-day timetable of the daily DAG, registered as an Airflow plugin so the scheduler can load it.

One run per CME clearing business day D (``CME_TradeDate``, :mod:`recon.calendar`): its data interval is D as a UTC
day, ``[D 00:00Z, D+1 00:00Z)``, and the run is queued when that interval ends (18:00 or 19:00 in Chicago, after
CME's close; the DAG's file sensor then waits for the files). Weekends and CME holidays have no run. The run's
business date is the interval's start date: :func:`business_date_of`. UTC days keep ``airflow backfill create
--from-date A --to-date B`` exact: it queues every CME business day from A to B, both included.

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


class CmeBusinessDayTimetable(Timetable):
    """A run after each CME clearing business day; its data interval is that day (UTC)."""

    description = "after each CME clearing business day (CME_TradeDate calendar; weekends and CME holidays skipped)"

    @property
    def summary(self) -> str:
        return "CME business days"

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        """The latest business day whose interval has ended by ``run_after``."""
        from recon.calendar import previous_business_day

        return data_interval_of(previous_business_day(business_date_of(run_after)))

    def next_dagrun_info(self, *, last_automated_data_interval: DataInterval | None,
                         restriction: TimeRestriction) -> DagRunInfo | None:
        """The business day after the last scheduled one, else the first from the DAG's start; without catchup,
        no earlier than the latest business day that has ended."""
        from recon.calendar import business_days, next_business_day, previous_business_day

        if last_automated_data_interval is not None:
            day = next_business_day(business_date_of(last_automated_data_interval.start))
        elif restriction.earliest is None:
            return None
        else:
            day = business_days(_first_day_from(restriction.earliest), 1)[0]
        if not restriction.catchup:
            day = max(day, previous_business_day(DateTime.now(UTC).date()))
        interval = data_interval_of(day)
        if restriction.latest is not None and interval.start > restriction.latest:
            return None
        return DagRunInfo.interval(start=interval.start, end=interval.end)


class CmeCalendarPlugin(AirflowPlugin):
    """Registers :class:`CmeBusinessDayTimetable` so serialized DAGs can name it."""

    name = "fcm_recon_cme_calendar"
    timetables = [CmeBusinessDayTimetable]
