# The translation of the schema file into BigQuery fields, and the schema files it refuses.

run "committed_schema_file_translates" {
  command = plan

  variables {
    schema_file = "../../../sql/warehouse_schema.yaml"
  }

  assert {
    condition     = alltrue([for table in output.tables : table.partition_field == "business_date"])
    error_message = "every warehouse table is partitioned by business_date."
  }
  assert {
    condition = alltrue(flatten([
      for table in output.tables : [for field in table.fields : field.precision == "38" && field.scale == "9" if field.type == "NUMERIC"]
    ]))
    error_message = "every NUMERIC column is NUMERIC(38, 9)."
  }
}

run "columns_keep_their_order_mode_and_money_type" {
  command = plan

  variables {
    schema_file = "tests/fixtures/valid.yaml"
  }

  assert {
    condition = output.tables.ledger.fields == [
      { name = "business_date", type = "DATE", mode = "REQUIRED", description = "Business date" },
      { name = "account", type = "STRING", mode = "REQUIRED", description = "" },
      { name = "amount", type = "NUMERIC", mode = "NULLABLE", description = "", precision = "38", scale = "9" },
      { name = "records", type = "STRING", mode = "REPEATED", description = "" },
    ]
    error_message = "fields must follow the file in order, NULLABLE by default, NUMERIC as (38, 9)."
  }
  assert {
    condition     = output.tables.ledger.clustering == ["account"] && output.tables.ledger.description == "A two-column table."
    error_message = "clustering and description come from the file."
  }
}

run "nullable_partition_column_refused" {
  command = plan

  variables {
    schema_file = "tests/fixtures/nullable_partition.yaml"
  }

  expect_failures = [output.tables]
}

run "float_money_refused" {
  command = plan

  variables {
    schema_file = "tests/fixtures/float_money.yaml"
  }

  expect_failures = [output.tables]
}

run "more_than_four_clustering_columns_refused" {
  command = plan

  variables {
    schema_file = "tests/fixtures/five_clustering_columns.yaml"
  }

  expect_failures = [output.tables]
}

run "missing_schema_file_refused" {
  command = plan

  variables {
    schema_file = "tests/fixtures/absent.yaml"
  }

  expect_failures = [var.schema_file]
}
