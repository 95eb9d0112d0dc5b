"""A deterministic pause for fault tests: stop a run at a named point until the test kills or releases it.

With ``FCM_RECON_PAUSE_AT=<point>`` and ``FCM_RECON_PAUSE_FILE=<path>`` in the environment, a run that reaches
``<point>`` writes ``<path>`` (containing the point's name and the process id) and waits until that file is deleted.
A test waits for the file to appear, then SIGKILLs the process there (or deletes the file to let it go on). The
points are the stage names (``land`` ... ``report``: before that stage starts) and ``publish-transaction`` (inside
the publish transaction, after every partition is replaced and before the ``runs`` row and the commit). Without the
two variables :func:`pause_point` does nothing; it never changes what a run computes.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT_VARIABLE = "FCM_RECON_PAUSE_AT"
PAUSE_FILE_VARIABLE = "FCM_RECON_PAUSE_FILE"
_POLL_SECONDS = 0.05


def pause_point(point: str) -> None:
    """Wait here while the pause file exists, when the environment asks to pause at ``point``."""
    if os.environ.get(PAUSE_AT_VARIABLE) != point or not os.environ.get(PAUSE_FILE_VARIABLE):
        return
    path = Path(os.environ[PAUSE_FILE_VARIABLE])
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(f"{point} {os.getpid()}\n", encoding="utf-8")
    os.replace(temporary, path)
    while path.exists():
        time.sleep(_POLL_SECONDS)
