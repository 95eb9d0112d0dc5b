"""Every SQL model runs on DuckDB and transpiles to BigQuery with sqlglot; anything unsupported fails the test."""

from __future__ import annotations

import pytest
import sqlglot

from recon.sqlmodels import load_models

MODELS = load_models()


@pytest.mark.parametrize("model", MODELS, ids=[m.name for m in MODELS])
def test_model_transpiles_to_bigquery(model) -> None:
    """The model's DuckDB SQL becomes BigQuery SQL with no unsupported construct (sqlglot raises on one)."""
    (bigquery,) = sqlglot.transpile(model.sql, read="duckdb", write="bigquery",
                                    unsupported_level=sqlglot.ErrorLevel.RAISE)
    assert isinstance(sqlglot.parse_one(bigquery, read="bigquery"), sqlglot.exp.Query)
    assert "current_date" not in model.sql.lower(), "the business date is a parameter, never the clock"


def test_every_layer_follows_the_naming_of_the_style_guide() -> None:
    """staging models are stg_<source>__<entity>, intermediate int_<verb phrase>, marts what users read."""
    for model in MODELS:
        prefix = {"staging": "stg_", "intermediate": "int_"}.get(model.layer)
        if prefix:
            assert model.name.startswith(prefix), model.name
        if model.layer == "staging":
            assert "__" in model.name, model.name
        if model.layer == "marts":
            assert not model.name.startswith(("stg_", "int_")), model.name
