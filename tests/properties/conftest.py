"""Session fixtures of the property tests: the generated days, run once, shared by every property."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.properties.days import Day, generate_days, run_days


class Published:
    """The generated landing area, its business days, the warehouse they were run into (in order, in this
    process) and what each day's match stage gave ``compute``."""

    def __init__(self, landing: Path, days: list[date], warehouse: Path, inputs: dict[date, Day]) -> None:
        self.landing, self.days, self.warehouse, self.inputs = landing, days, warehouse, inputs

    def __repr__(self) -> str:
        return f"Published({self.landing}, {[d.isoformat() for d in self.days]})"


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """Two generated business days (with the T-1 clearing folder and the answer key) run into one warehouse."""
    root = tmp_path_factory.mktemp("properties")
    landing, days = generate_days(root)
    warehouse = root / "warehouse.duckdb"
    return Published(landing, days, warehouse, run_days(landing, days, warehouse))


@pytest.fixture(scope="session")
def base_day(published: Published) -> Day:
    """The second generated day's match-layer inputs, the first day's breaks among them (so breaks age, carry and
    resolve): the day every match-layer example starts from."""
    return published.inputs[published.days[1]]
