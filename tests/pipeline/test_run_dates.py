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


@pytest.mark.parametrize("command", [["run", "--no-documents"], ["stage", "land", "--work-dir", "work"]])
def test_a_weekday_cme_does_not_clear_says_how_to_run_its_secured_statement(
        command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Thanksgiving without --classes is refused, and the refusal names the SECURED-only run (spec/inputs.md)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "landing" / "2026-11-26").mkdir(parents=True)
    warehouse = tmp_path / "wh.duckdb"
    assert main([*command, "--date", "2026-11-26", "--landing", "landing", "--warehouse", str(warehouse)]) == 1
    assert capsys.readouterr().err.strip().endswith(
        "The SECURED statement alone can be run for it (30.7 statements are due when foreign markets are open on a "
        "US holiday): fcm-recon run --date 2026-11-26 --classes SECURED")
    assert not warehouse.exists()


@pytest.mark.parametrize(("day", "refusal"), [
    ("2026-03-07", "2026-03-07 (Saturday) is not a CME business day: a day's run is for a CME trade date (the previous "
                   "one is 2026-03-06, the next 2026-03-09); a weekend has no run, not even a SECURED-only one"),
    ("2026-11-29", "2026-11-29 (Sunday) is not a CME business day"),
    ("2026-11-25", "2026-11-25 (Wednesday) is a CME business day: its run computes every class and every "
                   "reconciliation, so --classes SECURED is refused"),
])
@pytest.mark.parametrize("command", [["run", "--no-documents"], ["stage", "land", "--work-dir", "work"]])
def test_classes_secured_is_refused_on_a_weekend_and_on_a_cme_business_day(
        day: str, refusal: str, command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """--classes SECURED runs only on a weekday CME does not clear: a weekend has no run at all, and a CME business
    day always runs whole (a SECURED-only run would replace its published partitions)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "landing" / day).mkdir(parents=True)
    warehouse = tmp_path / "wh.duckdb"
    assert main([*command, "--date", day, "--landing", "landing", "--warehouse", str(warehouse),
                 "--classes", "SECURED"]) == 1
    assert capsys.readouterr().err.startswith(f"fcm-recon: error: {refusal}")
    assert not warehouse.exists()


def test_classes_other_than_secured_are_not_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    """Only SECURED has a run of its own (argparse refuses anything else, exit 2 as for any bad flag)."""
    with pytest.raises(SystemExit) as raised:
        main(["run", "--date", "2026-11-26", "--landing", "x", "--classes", "SEG"])
    assert raised.value.code == 2
    assert "only SECURED is supported" in capsys.readouterr().err
