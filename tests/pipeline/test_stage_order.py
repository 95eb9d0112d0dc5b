"""`fcm-recon stage` run before the stage whose output it reads: a one-line error naming the stage to run first."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.cli import main


@pytest.mark.parametrize(("stage", "missing", "first"), [
    ("parse", "landed.json", "land"), ("validate", "landed.json", "land"), ("match", "validated.json", "validate"),
    ("publish", "validated.json", "validate"),
])
def test_a_stage_before_the_one_it_reads_names_the_stage_to_run_first(
        stage: str, missing: str, first: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "landing").mkdir()
    work = tmp_path / "work"
    assert main(["stage", stage, "--date", "2026-11-23", "--landing", str(tmp_path / "landing"),
                 "--warehouse", str(tmp_path / "wh.duckdb"), "--work-dir", str(work)]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"fcm-recon: error: the work folder {work} has no {missing}: "
                            f"run `fcm-recon stage {first}` for this date with this --work-dir first")
    assert "Traceback" not in error
