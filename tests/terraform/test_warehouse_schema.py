"""The BigQuery tables terraform creates are the warehouse tables of the code (recon.schema), column for column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from recon.money import MONEY_PRECISION, MONEY_SCALE
from recon.schema import SCHEMA_FILE, warehouse_tables
from tests.terraform.conftest import MODULES_DIR, TERRAFORM_DIR, ENVIRONMENTS, parse_hcl, run, terraform_env

SCHEMA_MODULE = MODULES_DIR / "warehouse_schema"


def evaluate_schema_module(terraform: str, data_dir: Path, schema_file: Path) -> tuple[dict, str]:
    """The warehouse_schema module's tables, money and problems, evaluated by terraform itself on schema_file.

    Returns them with the diagnostics terraform printed before the value (a failed output precondition).
    """
    done = run(
        [terraform, "console", "-no-color", f"-var=schema_file={schema_file}"],
        SCHEMA_MODULE,
        terraform_env(data_dir),
        input_text="jsonencode({ tables = local.tables, money = local.money, problems = local.problems })\n",
    )
    assert done.returncode == 0, done.stderr
    *diagnostics, value = done.stdout.strip().splitlines()
    return json.loads(json.loads(value)), "\n".join([done.stderr, *diagnostics]).strip()


@pytest.fixture(scope="module")
def terraform_tables(terraform: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    evaluated, diagnostics = evaluate_schema_module(terraform, tmp_path_factory.mktemp("tf"), SCHEMA_FILE)
    assert diagnostics == ""
    return evaluated


def expected_fields(table) -> list[dict]:
    """The BigQuery fields the code's schema implies: its order, type and mode; NUMERIC as the code's money type."""
    fields = []
    for column in table.columns:
        field = {"name": column.name, "type": column.type, "mode": column.mode, "description": column.description}
        if column.type == "NUMERIC":
            field |= {"precision": str(MONEY_PRECISION), "scale": str(MONEY_SCALE)}
        fields.append(field)
    return fields


def test_same_tables_and_columns_as_the_code(terraform_tables: dict):
    """Every table of recon.schema, and no other, with the same columns in order, types, modes and descriptions."""
    code = warehouse_tables()
    tables = terraform_tables["tables"]
    assert sorted(tables) == sorted(code)
    for name, table in code.items():
        assert tables[name]["fields"] == expected_fields(table), name
        assert tables[name]["clustering"] == list(table.cluster_by), name
        assert tables[name]["description"] == table.description, name
    assert terraform_tables["problems"] == []


def test_every_money_column_is_numeric_38_9(terraform_tables: dict):
    """Every NUMERIC column is NUMERIC(38, 9), the precision and scale of recon.money, and DECIMAL(38, 9) in DuckDB."""
    assert terraform_tables["money"] == {"precision": MONEY_PRECISION, "scale": MONEY_SCALE}
    money_columns = 0
    for name, table in terraform_tables["tables"].items():
        for field in table["fields"]:
            if field["type"] == "NUMERIC":
                money_columns += 1
                assert (field["precision"], field["scale"]) == (str(MONEY_PRECISION), str(MONEY_SCALE)), f"{name}.{field['name']}"
                code_column = next(c for c in warehouse_tables()[name].columns if c.name == field["name"])
                assert code_column.duckdb_type == f"DECIMAL({MONEY_PRECISION}, {MONEY_SCALE})"
            else:
                assert "precision" not in field and "scale" not in field, f"{name}.{field['name']}"
    assert money_columns > 0


def test_every_table_is_partitioned_by_a_required_date(terraform_tables: dict):
    """Each table's partition field is the code's partition column, present as a REQUIRED DATE field."""
    for name, table in terraform_tables["tables"].items():
        assert table["partition_field"] == warehouse_tables()[name].partition_by == "business_date", name
        partition = [f for f in table["fields"] if f["name"] == table["partition_field"]]
        assert partition == [{**partition[0], "type": "DATE", "mode": "REQUIRED"}], name


def test_a_float_money_column_is_refused(terraform: str, tmp_path: Path):
    """The committed file with one money column turned FLOAT64 is refused by the module (it would lose cents)."""
    document = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    table, column = next((name, column) for name, table in sorted(document["tables"].items())
                         for column in table["columns"] if column["type"] == "NUMERIC")
    column["type"] = "FLOAT64"
    broken = tmp_path / "schema.yaml"
    broken.write_text(yaml.safe_dump(document), encoding="utf-8")
    evaluated, diagnostics = evaluate_schema_module(terraform, tmp_path / "tf", broken)
    problem = f"{table}.{column['name']}: unknown type FLOAT64"
    assert evaluated["problems"] == [problem]
    assert "precondition failed" in diagnostics and problem in diagnostics


def test_warehouse_module_creates_tables_from_the_schema_module():
    """modules/warehouse makes one partitioned, clustered, protected, CMEK table per schema entry, by reference."""
    main = parse_hcl(MODULES_DIR / "warehouse" / "main.tf")
    schema_call = main["module"][0]["schema"]
    assert schema_call["source"] == "../warehouse_schema"
    assert schema_call["schema_file"] == "${var.schema_file}"
    table = next(block["google_bigquery_table"]["marts"] for block in main["resource"] if "google_bigquery_table" in block)
    assert table["for_each"] == "${module.schema.tables}"
    assert table["schema"] == "${jsonencode(each.value.fields)}"
    assert table["clustering"] == "${each.value.clustering}"
    assert table["deletion_protection"] is True
    assert table["time_partitioning"] == [{"type": "DAY", "field": "${each.value.partition_field}"}]
    assert table["encryption_configuration"] == [{"kms_key_name": "${var.kms_key_id}"}]
    assert "yamldecode(file(var.schema_file))" in (SCHEMA_MODULE / "main.tf").read_text()


def test_platform_reads_the_committed_schema_file():
    """modules/platform, which every environment calls, hands the warehouse module the very file recon/schema.py reads."""
    folder = MODULES_DIR / "platform"
    main = parse_hcl(folder / "main.tf")
    warehouse = next(block["warehouse"] for block in main["module"] if "warehouse" in block)
    relative = warehouse["schema_file"].removeprefix("${path.module}/")
    assert (folder / relative).resolve() == SCHEMA_FILE


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_environments_build_their_warehouse_through_the_platform(environment: str):
    """Each environment's warehouse is the one of modules/platform (no environment declares a module of its own)."""
    folder = TERRAFORM_DIR / "environments" / environment
    calls = {name: body for block in parse_hcl(folder / "main.tf")["module"] for name, body in block.items()}
    assert {name: (folder / body["source"]).resolve() for name, body in calls.items()} == {"platform": MODULES_DIR / "platform"}
