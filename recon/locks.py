"""One process in a DuckDB warehouse at a time: an exclusive ``fcntl.flock`` on a lock file beside it.

``fcm-recon run`` and ``backfill`` hold the lock from the land stage to the end of the run (``fcm-recon stage``
holds it for its one stage). Why from land and not only around publish: a day's run reads the warehouse as well as
writing it (the chain head and T-1's published breaks and the decisions at land and match, the chain head again at
publish), and the run records what it read; a second writer between those reads and the publish would leave a run
chained to a state it did not read. The Airflow route, whose stages are separate processes, is covered by the check
at publish (:class:`recon.errors.StaleRun` when the chain moved since land).

The commands that only read or annotate the warehouse (``breaks``, ``statement``, ``verify``, ``report``) take the
lock too: DuckDB lets no other process open a file a writer has open, so without it they would fail at once with
DuckDB's I/O error; with it they wait their turn. A backfill holds the lock for its whole range, but between two
days it gives way (:func:`give_way`) to the processes waiting for it, so finance can read the breaks while
engineers backfill.

A second process waits up to ``timeout_seconds`` and then raises :class:`recon.errors.WarehouseLocked` naming the
holder (pid, host, what it runs, since when: written into the lock file by the holder); while it waits it says so
once (a ``warehouse_lock_wait`` event naming the holder) and holds a shared ``flock`` on ``<lock>.waiting``, which
is how a holder sees that someone waits. The lock is re-entrant within a process, so a backfill that holds it can
run its days. The kernel releases a ``flock`` when its holder dies, even by SIGKILL, so a killed run never leaves
the warehouse locked, and a waiter that dies stops counting as waiting.

A BigQuery dataset has no file to lock: there BigQuery's transactions keep two publishes apart (a concurrent
``DELETE``/``INSERT`` on the same table aborts one of them) and the chain check inside the publish transaction
refuses the one that commits second (:class:`recon.errors.StaleRun`); the daily DAG's ``max_active_runs=1``
serialises the days.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from recon.errors import InvariantViolation, WarehouseLocked
from recon.observability import log_event
from recon.targets import WarehouseTarget

LOCK_TIMEOUT_SECONDS_DEFAULT = 600.0
GIVE_WAY_SECONDS_MAX = 60.0  # how long a holder that gives way lets waiters in before it queues for the lock again
_POLL_SECONDS = 0.2
_HELD: dict[Path, list[int]] = {}  # lock files this process holds: [descriptor, depth of re-entry]


def lock_path(warehouse: Path) -> Path:
    """The lock file of a DuckDB warehouse file: ``<file>.lock`` beside it."""
    return warehouse.with_name(warehouse.name + ".lock")


def _holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "another process"
    return f"pid {holder['pid']} on {holder['host']} ({holder['purpose']}, since {holder['since']})"


def _waiting_path(path: Path) -> Path:
    return path.with_name(path.name + ".waiting")


def _try_lock(descriptor: int) -> bool:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _acquire(descriptor: int, path: Path, timeout_seconds: float, purpose: str) -> None:
    """Take the lock, waiting up to ``timeout_seconds`` as a waiter a holder can see (module docstring)."""
    if _try_lock(descriptor):
        return
    log_event("warehouse_lock_wait", logging.WARNING, purpose=purpose, holder=_holder(path),
              timeout_seconds=timeout_seconds, lock_file=str(path))
    waiting = os.open(_waiting_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(waiting, fcntl.LOCK_SH)
        deadline = time.monotonic() + timeout_seconds
        while not _try_lock(descriptor):
            if time.monotonic() >= deadline:
                raise WarehouseLocked(f"the warehouse is locked by {_holder(path)}; waited {timeout_seconds:g} s "
                                      f"for {path}")
            time.sleep(_POLL_SECONDS)
    finally:
        os.close(waiting)  # closing drops the shared lock: no longer waiting


def others_waiting(target: WarehouseTarget) -> bool:
    """Whether another process waits for the lock of ``target`` (a DuckDB warehouse file)."""
    return isinstance(target, Path) and _others_waiting(lock_path(target).resolve())


def _others_waiting(path: Path) -> bool:
    waiting = os.open(_waiting_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if _try_lock(waiting):
            fcntl.flock(waiting, fcntl.LOCK_UN)
            return False
        return True
    finally:
        os.close(waiting)


def _write_holder(descriptor: int, purpose: str) -> None:
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "purpose": purpose,
              "since": datetime.now(UTC).isoformat(timespec="seconds")}
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, json.dumps(holder).encode(), 0)


def give_way(target: WarehouseTarget, purpose: str, timeout_seconds: float = LOCK_TIMEOUT_SECONDS_DEFAULT) -> bool:
    """Between two units of a long hold (a backfill's days): if other processes wait for the lock this process holds,
    release it, let them in (until none waits, at most :data:`GIVE_WAY_SECONDS_MAX`), then wait for it again as any
    waiter does. True when it gave way. The caller must not have the DuckDB file open meanwhile."""
    if not isinstance(target, Path):
        return False
    path = lock_path(target).resolve()
    if path not in _HELD:
        raise InvariantViolation(f"give_way: this process does not hold {path}")
    descriptor = _HELD[path][0]
    if not _others_waiting(path):
        return False
    os.ftruncate(descriptor, 0)
    fcntl.flock(descriptor, fcntl.LOCK_UN)
    deadline = time.monotonic() + GIVE_WAY_SECONDS_MAX
    while _others_waiting(path) and time.monotonic() < deadline:
        time.sleep(_POLL_SECONDS)
    _acquire(descriptor, path, timeout_seconds, purpose)
    _write_holder(descriptor, purpose)
    return True


@contextmanager
def warehouse_lock(target: WarehouseTarget, purpose: str,
                   timeout_seconds: float = LOCK_TIMEOUT_SECONDS_DEFAULT) -> Iterator[None]:
    """Hold the warehouse's write lock inside the block (see the module docstring); ``purpose`` says what for."""
    if not isinstance(target, Path):
        yield  # BigQuery: no lock file (module docstring)
        return
    path = lock_path(target).resolve()
    if path in _HELD:
        _HELD[path][1] += 1
        try:
            yield
        finally:
            _HELD[path][1] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(descriptor, path, timeout_seconds, purpose)
        _write_holder(descriptor, purpose)
        _HELD[path] = [descriptor, 1]
        try:
            yield
        finally:
            del _HELD[path]
            os.ftruncate(descriptor, 0)
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
