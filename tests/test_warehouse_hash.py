"""The partition hash's column-at-a-time text is, byte for byte, the row-at-a-time text of :data:`row_text`."""

from __future__ import annotations

import duckdb

from recon.warehouse import row_text, rows_text

# every column type of the warehouse, with what JSON escapes, nulls, repeats and decimals Python writes as 0E-9, 1E-9
# or -1.00E-7
ROWS_SQL = """
select * from (values
    ('a', 'Zürich "x"\\y', 1::bigint, 0::decimal(38, 9), date '2025-12-01', ['r1', 'r2'], []::varchar[]),
    ('b', e'tab\\tnew\\nline', -7::bigint, 0.000000001::decimal(38, 9), date '2025-12-01', [], null),
    ('c', null, null, null, null, null, ['x', null]),
    ('d', '€ 😀', 9223372036854775807::bigint, -99999999999999999999999999999.999999999::decimal(38, 9),
     date '0999-01-02', ['r1'], ['r1']),
    ('e', 'Zürich "x"\\y', 1::bigint, 12.5::decimal(38, 9), date '2025-12-01', ['r1', 'r2'], []),
    ('f', 'plain ascii', 0::bigint, -0.0000001::decimal(38, 9), date '2025-12-01', ['r"1', null], ['a\\b', 'é'])
) as t(key, text, count, amount, day, records, ids)
order by key
"""


def test_rows_text_is_row_text_of_each_row() -> None:
    """rows_text(table) equals row_text of each row's dict, one line per row, on every column type."""
    connection = duckdb.connect()
    cursor = connection.execute(ROWS_SQL)
    columns = [d[0] for d in cursor.description]
    expected = "".join(row_text(dict(zip(columns, row))) + "\n" for row in cursor.fetchall())
    assert rows_text(connection.sql(ROWS_SQL).to_arrow_table()) == expected
    assert rows_text(connection.sql(f"select * from ({ROWS_SQL}) where false").to_arrow_table()) == ""
