"""Start bqemulator (run by its own venv's python, see conftest.py) without DuckDB's spatial extension, and with
a cast's type parameters kept.

- The emulator installs and loads ``spatial`` at start-up for GEOGRAPHY, which would download it; fcm-recon has no
  GEOGRAPHY column, so its loader is skipped.
- BigQuery keeps a cast's parameters (``CAST(x AS NUMERIC(38, 9))``), but sqlglot's BigQuery writer drops them, and
  the emulator writes a query back through it when it rewrites an aggregate (``ARRAY_AGG(... IGNORE NULLS)``). The
  bare ``NUMERIC`` then becomes DuckDB's ``DECIMAL(18, 3)``, and every amount of that query, and of any union with
  it, keeps 3 places (a TRADE break of 109.96875 came back as 109.969). The writer's cast rule is dropped, so the
  emulator runs the cast BigQuery would.

Arguments are the ``bqemulator`` command line's.
"""

import sys

from bqemulator.cli import main
from bqemulator.storage.engine import DuckDBEngine
from sqlglot import exp
from sqlglot.generators.bigquery import BigQueryGenerator

DuckDBEngine._load_spatial = lambda self: None
BigQueryGenerator.TRANSFORMS = {node: rule for node, rule in BigQueryGenerator.TRANSFORMS.items() if node is not exp.Cast}

sys.exit(main())
