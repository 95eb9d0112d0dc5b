"""The CME business-day timetable: a run after each CME clearing day and none on weekends or CME holidays, the run's
business date is its data interval's day, and backfill ranges are exactly the CME business days."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from types import ModuleType

import pytest

pytestmark = pytest.mark.airflow

UTC = timezone.utc
START = datetime(2026, 1, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def plugin() -> ModuleType:
    """dags/plugins/cme_business_days.py, imported by name as the DAG file and the plugin manager import it."""
    import airflow  # noqa: F401 - puts the plugins folder on sys.path

    import cme_business_days

    return cme_business_days


def _restriction(earliest: datetime | None = START, latest: datetime | None = None, catchup: bool = True):
    from airflow.timetables.base import TimeRestriction

    return TimeRestriction(earliest=earliest, latest=latest, catchup=catchup)


def _serialized_dag(dag_bag):
    """The DAG as the scheduler and `airflow backfill create` see it: serialized, the timetable loaded back."""
    from airflow.serialization.serialized_objects import DagSerialization

    return DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag_bag.dags["fcm_recon_daily"]))


@pytest.mark.parametrize(("last", "expected"), [
    (date(2026, 11, 23), date(2026, 11, 24)),  # Monday -> Tuesday
    (date(2026, 11, 25), date(2026, 11, 27)),  # Thanksgiving, Thursday 2026-11-26, is closed
    (date(2026, 11, 27), date(2026, 11, 30)),  # Friday -> Monday
    (date(2026, 4, 2), date(2026, 4, 6)),      # Good Friday, 2026-04-03, is closed, then the weekend
], ids=str)
def test_the_next_run_skips_weekends_and_cme_holidays(plugin: ModuleType, last: date, expected: date) -> None:
    """After the last scheduled day, the next run is the next CME business day, queued when its UTC day ends."""
    info = plugin.CmeBusinessDayTimetable().next_dagrun_info(
        last_automated_data_interval=plugin.data_interval_of(last), restriction=_restriction())
    assert plugin.business_date_of(info.data_interval.start) == expected
    assert info.data_interval.start == datetime(expected.year, expected.month, expected.day, tzinfo=UTC)
    assert info.run_after == info.data_interval.end == info.data_interval.start + timedelta(days=1)


@pytest.mark.parametrize(("earliest", "expected"), [
    (datetime(2026, 11, 26, tzinfo=UTC), date(2026, 11, 27)),     # the start date is Thanksgiving
    (datetime(2026, 4, 2, 12, 0, tzinfo=UTC), date(2026, 4, 6)),  # mid-day: the first whole day is Good Friday
    (datetime(2026, 11, 28, tzinfo=UTC), date(2026, 11, 30)),     # a Saturday
], ids=str)
def test_the_first_run_is_the_first_whole_business_day_from_the_start_date(plugin: ModuleType, earliest: datetime,
                                                                           expected: date) -> None:
    """With no run yet, the first CME business day whose UTC day starts at or after the DAG's start date."""
    info = plugin.CmeBusinessDayTimetable().next_dagrun_info(last_automated_data_interval=None,
                                                             restriction=_restriction(earliest))
    assert plugin.business_date_of(info.data_interval.start) == expected


def test_no_run_past_the_end_date_or_without_a_start_date(plugin: ModuleType) -> None:
    """The DAG's end date bounds the schedule; without a start date there is nothing to schedule."""
    timetable = plugin.CmeBusinessDayTimetable()
    last = plugin.data_interval_of(date(2026, 11, 25))
    assert timetable.next_dagrun_info(last_automated_data_interval=last,
                                      restriction=_restriction(latest=datetime(2026, 11, 26, 23, tzinfo=UTC))) is None
    assert timetable.next_dagrun_info(last_automated_data_interval=None, restriction=_restriction(None)) is None


def test_without_catchup_the_next_run_is_the_latest_business_day_that_has_ended(plugin: ModuleType) -> None:
    """catchup=False: long-missed days are skipped; the run is the last business day whose UTC day is over."""
    from recon.calendar import next_business_day

    info = plugin.CmeBusinessDayTimetable().next_dagrun_info(
        last_automated_data_interval=plugin.data_interval_of(date(2026, 1, 5)), restriction=_restriction(catchup=False))
    day = plugin.business_date_of(info.data_interval.start)
    now = datetime.now(UTC)
    assert info.data_interval.end <= now < plugin.data_interval_of(next_business_day(day)).end


@pytest.mark.parametrize(("run_after", "expected"), [
    (datetime(2026, 11, 27, 15, 0, tzinfo=UTC), date(2026, 11, 25)),  # the Friday after Thanksgiving
    (datetime(2026, 11, 30, 0, 0, tzinfo=UTC), date(2026, 11, 27)),   # Monday midnight: Friday has just ended
], ids=str)
def test_a_manual_run_infers_the_latest_business_day_that_has_ended(plugin: ModuleType, run_after: datetime,
                                                                    expected: date) -> None:
    """infer_manual_data_interval: the business day whose interval ended last before the trigger."""
    interval = plugin.CmeBusinessDayTimetable().infer_manual_data_interval(run_after=run_after)
    assert interval == plugin.data_interval_of(expected)


def test_the_runs_business_date_is_its_data_intervals_day_or_the_param(plugin: ModuleType) -> None:
    """Scheduled and backfill runs take the interval's day; the param wins; a manual run without it fails at once."""
    from airflow.sdk.exceptions import AirflowFailException

    from dags.fcm_recon_daily import run_business_date

    info = plugin.CmeBusinessDayTimetable().next_dagrun_info(
        last_automated_data_interval=plugin.data_interval_of(date(2026, 4, 2)), restriction=_restriction())
    for run_type in ("scheduled", "backfill"):
        assert run_business_date({"business_date": None}, run_type, info.data_interval.start) == date(2026, 4, 6)
    assert run_business_date({"business_date": "2026-11-24"}, "manual", info.data_interval.start) == date(2026, 11, 24)
    with pytest.raises(AirflowFailException, match="a manual run needs its business date"):
        run_business_date({"business_date": None}, "manual", info.data_interval.start)


def test_a_backfill_range_is_exactly_the_cme_business_days(dag_bag) -> None:
    """The serialized DAG's runs between two dates (what `airflow backfill create` queues; both ends included)."""
    dag = _serialized_dag(dag_bag)
    assert type(dag.timetable).__qualname__ == "CmeBusinessDayTimetable"
    infos = dag.iter_dagrun_infos_between(datetime(2026, 3, 30, tzinfo=UTC), datetime(2026, 4, 10, tzinfo=UTC))
    assert [info.data_interval.start.date() for info in infos] == [
        date(2026, 3, 30), date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 2),
        date(2026, 4, 6), date(2026, 4, 7), date(2026, 4, 8), date(2026, 4, 9), date(2026, 4, 10)]


def test_a_catchup_over_a_year_runs_every_cme_trade_date_and_nothing_else(dag_bag) -> None:
    """2026 through the scheduler's catch-up path equals pandas_market_calendars' CME_TradeDate valid days."""
    import pandas_market_calendars as mcal

    dag = _serialized_dag(dag_bag)
    runs = [info.data_interval.start.date()
            for info in dag.iter_dagrun_infos_between(datetime(2026, 1, 1, tzinfo=UTC),
                                                      datetime(2026, 12, 31, tzinfo=UTC))]
    expected = [stamp.date() for stamp in mcal.get_calendar("CME_TradeDate").valid_days("2026-01-01", "2026-12-31")]
    assert runs == expected
    assert date(2026, 11, 26) not in runs and date(2026, 4, 3) not in runs and len(runs) == len(set(runs))


def test_the_timetable_is_registered_as_a_plugin(plugin: ModuleType) -> None:
    """The plugin manager knows the class by the path the serialized DAG names it with."""
    from airflow import plugins_manager

    assert "cme_business_days.CmeBusinessDayTimetable" in plugins_manager.get_timetables_plugins()


def test_with_secured_holidays_every_weekday_has_a_run_and_the_flag_survives_serialization(plugin: ModuleType) -> None:
    """secured_holidays adds the weekdays CME does not clear (Thanksgiving, Good Friday), never a weekend; the
    serialized timetable keeps the flag, and the default keeps CME business days only."""
    from airflow.serialization.serialized_objects import decode_timetable, encode_timetable

    timetable = plugin.CmeBusinessDayTimetable(secured_holidays=True)
    days, last = [], plugin.data_interval_of(date(2026, 11, 24))
    for _ in range(5):
        info = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=_restriction())
        days.append(info.data_interval.start.date())
        last = info.data_interval
    assert days == [date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1)]
    first = timetable.next_dagrun_info(last_automated_data_interval=None,
                                       restriction=_restriction(earliest=datetime(2026, 4, 3, tzinfo=UTC)))
    assert first.data_interval.start.date() == date(2026, 4, 3)  # Good Friday
    manual = timetable.infer_manual_data_interval(run_after=plugin.DateTime(2026, 11, 27, 1, tzinfo=plugin.UTC))
    assert manual.start.date() == date(2026, 11, 26)
    assert decode_timetable(encode_timetable(timetable)).secured_holidays is True
    assert decode_timetable(encode_timetable(plugin.CmeBusinessDayTimetable())).secured_holidays is False
    assert timetable.summary != plugin.CmeBusinessDayTimetable().summary
