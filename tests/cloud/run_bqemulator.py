"""Start bqemulator (run by its own venv's python, see conftest.py) without DuckDB's spatial extension.

The emulator installs and loads ``spatial`` at start-up for GEOGRAPHY, which would download it; fcm-recon has no
GEOGRAPHY column, so its loader is skipped. Arguments are the ``bqemulator`` command line's.
"""

import sys

from bqemulator.cli import main
from bqemulator.storage.engine import DuckDBEngine

DuckDBEngine._load_spatial = lambda self: None

sys.exit(main())
