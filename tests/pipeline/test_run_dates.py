"""A day's run is for a CME trade date: a weekend or CME holiday is refused before anything is read or written."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.cli import main


@pytest.mark.parametrize(("day", "weekday", "previous", "following"), [
    ("2026-03-07", "Saturday", "2026-03-06", "2026-03-09"), ("2026-12-25", "Friday", "2026-12-24", "2026-12-28"),
])
@pytest.mark.parametrize("command", [["run", "--no-documents"], ["stage", "land", "--work-dir", "work"]])
def test_a_date_cme_does_not_clear_is_refused_naming_the_trade_dates_around_it(
        day: str, weekday: str, previous: str, following: str, command: list[str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "landing" / day).mkdir(parents=True)
    warehouse = tmp_path / "wh.duckdb"
    assert main([*command, "--date", day, "--landing", "landing", "--warehouse", str(warehouse)]) == 1
    assert capsys.readouterr().err.startswith(
        f"fcm-recon: error: {day} ({weekday}) is not a CME business day: a day's run is for a CME trade date "
        f"(the previous one is {previous}, the next {following})")
    assert not warehouse.exists()  # nothing published, no run recorded
