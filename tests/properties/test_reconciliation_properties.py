"""Property tests of the reconciliation invariants (spec/reconciliation.md): conservation per recon and source, one
record one fate, identical tables from shuffled rows under another PYTHONHASHSEED, idempotent re-runs.

One module, so that under ``pytest-xdist --dist loadfile`` one worker runs the generated days once for all of them.
The match-layer properties run ``recon.stages.compute`` on the second generated day with drawn edits (rows dropped,
duplicated, amounts moved by a cent or a tolerance, references and dates changed, entries moved between accounts or
out of scope, new colliding CASH cases; tests/properties/strategies.py). The pipeline properties run whole days: a run
costs seconds (a subprocess tens: it imports Great Expectations), so they take a tenth of the profile's examples (one
each under ``ci``) and a failure is not shrunk. The number of examples follows HYPOTHESIS_PROFILE (tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pyarrow as pa
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from recon.pipeline import run_day
from recon.schema import replaced_tables
from recon.warehouse import DuckDBWarehouse
from tests.conftest import REPO_ROOT
from tests.properties import checks
from tests.properties.conftest import Published
from tests.properties.days import Day, examples, match_layer
from tests.properties.landing import shuffle_landing
from tests.properties.strategies import edited_days, shuffled

VIOLATIONS_SHOWN = 12
# A failing pipeline example is a seed or an order: nothing to shrink, and each replay costs whole runs.
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
POSITIONAL_COLUMNS = {"location", "file_sha256"}  # where a quarantined row sits in its file, and the file's bytes
HASH_PROBE = "fcm-recon"
# Runs the days in order into a warehouse in a fresh interpreter; prints the exit codes and a string hash that shows
# the process hashed under another seed than the test's.
DRIVER = """
import json, sys
from datetime import date
from pathlib import Path
from recon.pipeline import run_day
landing, warehouse, days = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
codes = [run_day(date.fromisoformat(day), landing, warehouse).exit_code for day in days]
print(json.dumps({"exit_codes": codes, "hash_probe": hash(%r)}))
""" % HASH_PROBE


def _no_violations(problems: list[str]) -> None:
    shown = "\n".join(problems[:VIOLATIONS_SHOWN])
    assert not problems, f"{len(problems)} violations, the first {min(len(problems), VIOLATIONS_SHOWN)}:\n{shown}"


def _invariants(day: Day, outputs: dict[str, pa.Table]) -> list[str]:
    return (checks.one_record_one_fate(day, outputs) + checks.conservation_adds_up(day, outputs)
            + checks.side_amounts_add_up(day, outputs))


def _rows(table: pa.Table) -> list[tuple]:
    """A table's rows in a total order (every column, lists kept in their own order)."""
    return sorted((tuple(row.items()) for row in table.to_pylist()), key=repr)


def test_the_generated_day_keeps_every_invariant(base_day: Day) -> None:
    """The generated day itself (every planted break and decoy) keeps conservation and one record, one fate."""
    outputs = match_layer(base_day)
    _no_violations(_invariants(base_day, outputs))
    assert outputs["recon_matches"].num_rows and outputs["recon_breaks"].num_rows


@settings(max_examples=examples(0.5))
@given(data=st.data())
def test_every_record_has_one_fate_and_conservation_adds_up(base_day: Day, data: st.DataObject) -> None:
    """Every input row ends in exactly one of matched, break, pending, quarantined or out of scope, in agreement
    with the matches and breaks that name it; per file, recon and currency the fates add up to what was read, and
    what was read is the input, in count and amount; the money recons' stated side amounts are their records' sums."""
    day = data.draw(edited_days(base_day), label="day")
    _no_violations(_invariants(day, match_layer(day)))


@settings(max_examples=examples(0.3))
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_shuffled_rows_give_identical_tables(base_day: Day, data: st.DataObject, seed: int) -> None:
    """The same rows in another order give the same marts, row for row (ids, lists of records and amounts)."""
    day = data.draw(edited_days(base_day), label="day")
    first, second = match_layer(day), match_layer(shuffled(day, seed))
    for name in sorted(first):
        assert _rows(first[name]) == _rows(second[name]), f"{name} differs when the input rows are shuffled"


def _partitions(warehouse: Path, days: list[date]) -> dict[tuple[date, str], list[dict]]:
    with DuckDBWarehouse(warehouse) as target:
        return {(day, t.name): target.read_partition(t.name, day) for day in days for t in replaced_tables()}


def _hashes(warehouse: Path, days: list[date]) -> dict[tuple[date, str], str]:
    with DuckDBWarehouse(warehouse) as target:
        return {(day, t.name): target.partition_hash(t.name, day) for day in days for t in replaced_tables()}


def _runs(warehouse: Path) -> list[dict]:
    with DuckDBWarehouse(warehouse) as target:
        return target.runs()


def _without_position(rows: list[dict]) -> list[dict]:
    return sorted(({k: v for k, v in r.items() if k not in POSITIONAL_COLUMNS} for r in rows), key=repr)


def test_the_published_days_have_matches_breaks_and_conservation(published: Published) -> None:
    """The baseline the pipeline properties compare to is not empty: each day published matches, breaks and
    conservation."""
    partitions = _partitions(published.warehouse, published.days)
    for day in published.days:
        assert all(partitions[(day, name)] for name in ("recon_matches", "recon_breaks", "conservation")), day


@settings(max_examples=examples(0.1), phases=NO_SHRINK)
@given(data=st.data())
def test_rerunning_days_in_any_order_changes_no_partition(published: Published, data: st.DataObject) -> None:
    """Every day re-run, in a drawn order (an earlier day after a later one included): every partition of every
    day keeps its hash, each re-run records the same output hashes, and the manifests stay one chain."""
    days = published.days
    order = data.draw(st.permutations(days), label="rerun order")
    before, runs_before = _hashes(published.warehouse, days), _runs(published.warehouse)
    with tempfile.TemporaryDirectory(prefix="fcm-recon-rerun-") as scratch:
        copy = Path(scratch) / "warehouse.duckdb"
        shutil.copyfile(published.warehouse, copy)
        for day in order:
            assert run_day(day, published.landing, copy).exit_code == 0
        after, runs = _hashes(copy, days), _runs(copy)
    changed = sorted(f"{day} {name}" for (day, name), digest in after.items() if before[(day, name)] != digest)
    assert not changed, f"re-running {order} changed these partitions: {changed}"
    assert [r["sequence"] for r in runs] == list(range(1, len(runs_before) + len(order) + 1))
    assert all(later["previous_manifest_hash"] == earlier["manifest_hash"] for earlier, later in zip(runs, runs[1:]))
    first_outputs = {r["business_date"]: r["output_hashes"] for r in runs_before}
    for rerun in runs[len(runs_before):]:
        assert json.loads(rerun["output_hashes"]) == json.loads(first_outputs[rerun["business_date"]])


@settings(max_examples=examples(0.1), phases=NO_SHRINK)
@given(shuffle_seed=st.integers(0, 2**32 - 1),
       hash_seed=st.integers(1, 2**32 - 1).filter(lambda seed: str(seed) != os.environ.get("PYTHONHASHSEED")))
def test_shuffled_files_under_another_hash_seed_publish_identical_tables(
        published: Published, shuffle_seed: int, hash_seed: int) -> None:
    """Every file's rows shuffled, the days run in a new interpreter under another PYTHONHASHSEED (never 0, which
    turns hashing randomisation off): every table of every day is identical, row for row (quarantine too, but for
    the line it names and the file's hash)."""
    days = published.days
    with tempfile.TemporaryDirectory(prefix="fcm-recon-shuffled-") as scratch:
        landing, warehouse = Path(scratch) / "landing", Path(scratch) / "warehouse.duckdb"
        changed = shuffle_landing(published.landing, landing, shuffle_seed)
        assert f"{days[0]}/ledger/cash_journal.csv" in changed and f"{days[0]}/bank/fcb.bai2" in changed, changed
        env = dict(os.environ, PYTHONHASHSEED=str(hash_seed),
                   PYTHONPATH=os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]))
        completed = subprocess.run(
            [sys.executable, "-c", DRIVER, str(landing), str(warehouse), *(day.isoformat() for day in days)],
            env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
        assert completed.returncode == 0, completed.stderr[-4000:]
        result = json.loads(completed.stdout.strip().splitlines()[-1])
        assert result["exit_codes"] == [0] * len(days)
        assert result["hash_probe"] != hash(HASH_PROBE), "the run did not hash under another seed"
        expected, found = _partitions(published.warehouse, days), _partitions(warehouse, days)
    for (day, name), rows in sorted(expected.items()):
        if name == "quarantine":
            assert _without_position(found[(day, name)]) == _without_position(rows), f"{day} {name}"
        else:
            assert found[(day, name)] == rows, f"{day} {name} differs for shuffled files"
