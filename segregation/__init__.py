"""The CFTC segregation library (spec/segregation.md).

* :mod:`segregation.lines`: the statement line table (``lines.yaml``: codes, labels, roles) and the settings
  (``settings.yaml``), as the ``src_segregation__*`` tables the SQL models read.
* The SQL models ``sql/*/stg_*``, ``sql/intermediate/int_seg_*`` and ``sql/marts/seg_*`` compute the statements,
  alerts and drill-down in the pipeline.
* :mod:`segregation.compute`: the same statements in plain Python, independently, from the same rows.
* :mod:`segregation.invariants`: the checks run before publishing (the marts' arithmetic, SQL against Python).
"""
