"""Settings read from the environment that the daily DAG and the command line share.

The DAG file reads them when it is parsed, so this module imports nothing but the standard library (the DAG
integrity test checks it): importing it costs no more than reading the variables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

SECURED_ON_HOLIDAYS_VARIABLE = "FCM_RECON_SECURED_ON_HOLIDAYS"
TRUE_TEXTS = ("1", "true", "yes")


def secured_on_holidays(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the weekdays CME does not clear (US holidays) get a SECURED-only run: the daily DAG's timetable and
    ``fcm-recon backfill``'s default. On when ``FCM_RECON_SECURED_ON_HOLIDAYS`` is 1, true or yes (any case, spaces
    around ignored); off when it is unset or anything else."""
    return environ.get(SECURED_ON_HOLIDAYS_VARIABLE, "false").strip().lower() in TRUE_TEXTS
