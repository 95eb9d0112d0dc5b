"""Landing and warehouse targets parse to a local path or a cloud target; a malformed cloud target is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.errors import ConfigError
from recon.targets import BigQueryTarget, GcsLanding, open_warehouse, parse_landing, parse_warehouse

LANDINGS = [
    ("gs://fcm-landing/daily/in", GcsLanding("fcm-landing", "daily/in")),
    ("gs://fcm-landing/daily/", GcsLanding("fcm-landing", "daily")),
    ("gs://fcm-landing", GcsLanding("fcm-landing", "")),
    ("build/demo/landing", Path("build/demo/landing")),
]
WAREHOUSES = [
    ("bigquery://fcm-recon-prod/recon", BigQueryTarget("fcm-recon-prod", "recon")),
    ("build/warehouse.duckdb", Path("build/warehouse.duckdb")),
]
REFUSED = [
    (parse_landing, "gs:/fcm-landing/daily"),  # what Path("gs://...") makes of it: never a local folder
    (parse_landing, Path("gs://fcm-landing/daily")),
    (parse_landing, "gs://Bad_Bucket/x"),
    (parse_landing, "gs://fcm-landing/a/../b"),
    (parse_warehouse, Path("bigquery://fcm-recon-prod/recon")),
    (parse_warehouse, "bigquery://fcm-recon-prod"),
    (parse_warehouse, "bigquery://P/recon"),
    (parse_warehouse, "bigquery://fcm-recon-prod/re-con"),
]


@pytest.mark.parametrize(("text", "expected"), LANDINGS)
def test_landing_targets_parse(text: str, expected: object) -> None:
    """A gs:// text is a GcsLanding (prefix without slashes); anything else a local folder."""
    assert parse_landing(text) == expected


@pytest.mark.parametrize(("text", "expected"), WAREHOUSES)
def test_warehouse_targets_parse(text: str, expected: object) -> None:
    """A bigquery:// text is a BigQueryTarget; anything else a DuckDB file."""
    assert parse_warehouse(text) == expected


@pytest.mark.parametrize(("parse", "text"), REFUSED)
def test_malformed_cloud_targets_are_refused(parse, text) -> None:
    """A cloud scheme with a bad name, or mangled into a path, raises ConfigError instead of becoming a local file."""
    with pytest.raises(ConfigError):
        parse(text)


def test_a_bigquery_target_mangled_into_a_path_opens_no_local_file(tmp_path: Path, monkeypatch) -> None:
    """Path("bigquery://p/d") (a caller that wrapped the text in Path) is refused, not created as a DuckDB file."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError):
        open_warehouse(Path("bigquery://fcm-recon-prod/recon"))
    assert list(tmp_path.iterdir()) == []
