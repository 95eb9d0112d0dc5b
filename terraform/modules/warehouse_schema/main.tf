# BigQuery table definitions from the project's one schema file (read by recon/schema.py for DuckDB as well). No
# provider, so `terraform test` checks the translation offline; modules/warehouse creates the tables from it.

locals {
  document = yamldecode(file(var.schema_file))

  # The schema file's logical types are BigQuery's; NUMERIC is money, prices, quantities and rates, always
  # NUMERIC(38, 9) as DECIMAL(38, 9) in DuckDB (recon/money.py MONEY_PRECISION, MONEY_SCALE).
  logical_types = ["STRING", "DATE", "INT64", "BOOL", "TIMESTAMP", "NUMERIC"]
  money = {
    precision = 38
    scale     = 9
  }

  tables = {
    for name, table in local.document.tables : name => {
      description     = try(table.description, "")
      partition_field = table.partition_by
      clustering      = try(table.cluster_by, [])
      fields = [
        for column in table.columns : merge(
          {
            name        = column.name
            type        = column.type
            mode        = try(column.mode, "NULLABLE")
            description = try(column.description, "")
          },
          # The REST API carries int64 values as strings; writing them so keeps plans free of spurious diffs.
          column.type == "NUMERIC" ? { precision = tostring(local.money.precision), scale = tostring(local.money.scale) } : {},
        )
      ]
    }
  }

  problems = flatten([
    for name, table in local.tables : concat(
      [for field in table.fields : "${name}.${field.name}: unknown type ${field.type}" if !contains(local.logical_types, field.type)],
      [for field in table.fields : "${name}.${field.name}: unknown mode ${field.mode}" if !contains(["REQUIRED", "NULLABLE", "REPEATED"], field.mode)],
      [
        for field in [table.partition_field] : "${name}: partition field ${field} is not a REQUIRED DATE column"
        if !contains([for f in table.fields : f.name if f.type == "DATE" && f.mode == "REQUIRED"], field)
      ],
      [for field in table.clustering : "${name}: clustering field ${field} is not a column" if !contains([for f in table.fields : f.name], field)],
      length(table.clustering) > 4 ? ["${name}: BigQuery clusters on at most 4 columns"] : [],
    )
  ])
}
