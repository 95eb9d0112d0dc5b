"""One writer per warehouse: an exclusive ``fcntl.flock`` on a lock file beside a DuckDB warehouse.

``fcm-recon run`` and ``backfill`` hold the lock from the land stage to the end of the run (``fcm-recon stage``
holds it for its one stage). Why from land and not only around publish: a day's run reads the warehouse as well as
writing it (the chain head and T-1's published breaks and the decisions at land and match, the chain head again at
publish), and the run records what it read; a second writer between those reads and the publish would leave a run
chained to a state it did not read. The Airflow route, whose stages are separate processes, is covered by the check
at publish (:class:`recon.errors.StaleRun` when the chain moved since land).

A second process waits up to ``timeout_seconds`` and then raises :class:`recon.errors.WarehouseLocked` naming the
holder (pid, host, what it runs, since when: written into the lock file by the holder). The lock is re-entrant within
a process, so a backfill that holds it can run its days. The kernel releases a ``flock`` when its holder dies, even
by SIGKILL, so a killed run never leaves the warehouse locked.

A BigQuery dataset has no file to lock: there BigQuery's transactions keep two publishes apart (a concurrent
``DELETE``/``INSERT`` on the same table aborts one of them) and the publish-time chain check refuses the loser; the
daily DAG's ``max_active_runs=1`` serialises the days.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from recon.errors import WarehouseLocked
from recon.targets import WarehouseTarget

LOCK_TIMEOUT_SECONDS_DEFAULT = 600.0
_POLL_SECONDS = 0.2
_HELD: dict[Path, int] = {}  # lock files this process holds, with the depth of re-entry


def lock_path(warehouse: Path) -> Path:
    """The lock file of a DuckDB warehouse file: ``<file>.lock`` beside it."""
    return warehouse.with_name(warehouse.name + ".lock")


def _holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "another process"
    return f"pid {holder['pid']} on {holder['host']} ({holder['purpose']}, since {holder['since']})"


def _acquire(descriptor: int, path: Path, timeout_seconds: float) -> None:
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise WarehouseLocked(f"the warehouse is locked by {_holder(path)}; waited {timeout_seconds:g} s "
                                      f"for {path}") from None
            time.sleep(_POLL_SECONDS)


@contextmanager
def warehouse_lock(target: WarehouseTarget, purpose: str,
                   timeout_seconds: float = LOCK_TIMEOUT_SECONDS_DEFAULT) -> Iterator[None]:
    """Hold the warehouse's write lock inside the block (see the module docstring); ``purpose`` says what for."""
    if not isinstance(target, Path):
        yield  # BigQuery: no lock file (module docstring)
        return
    path = lock_path(target).resolve()
    if path in _HELD:
        _HELD[path] += 1
        try:
            yield
        finally:
            _HELD[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(descriptor, path, timeout_seconds)
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "purpose": purpose,
                  "since": datetime.now(UTC).isoformat(timespec="seconds")}
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, json.dumps(holder).encode(), 0)
        _HELD[path] = 1
        try:
            yield
        finally:
            del _HELD[path]
            os.ftruncate(descriptor, 0)
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
