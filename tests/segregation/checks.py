"""Comparisons shared by the segregation tests: SQL against Python, and a line against its drill-down."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from recon.money import round_cents

LINE_KEY = ("seg_class", "line_order", "currency")
SOURCE_KEY = ("seg_class", "line", "currency", "source_table", "record_id")


def keyed(rows: list[dict], key: tuple[str, ...], drop: tuple[str, ...] = ()) -> dict[tuple, dict]:
    """Rows by key (the key must be unique), without the ``drop`` columns."""
    result = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        assert k not in result, f"key {k} appears twice"
        result[k] = {c: v for c, v in row.items() if c not in drop}
    return result


def assert_same_rows(sql: list[dict], python: list[dict], key: tuple[str, ...], drop: tuple[str, ...] = ()) -> None:
    """The two sides hold the same keys with equal values; a failure names each differing row."""
    left, right = keyed(sql, key, drop), keyed(python, key, drop)
    missing = sorted(set(right) - set(left), key=str)
    extra = sorted(set(left) - set(right), key=str)
    differing = [(k, left[k], right[k]) for k in sorted(set(left) & set(right), key=str) if left[k] != right[k]]
    assert not missing and not extra and not differing, (
        f"only in python {missing[:5]}; only in sql {extra[:5]}; differing (sql, python) {differing[:3]}")


def usd_lines(lines: list[dict], seg_class: str) -> dict[str, Decimal]:
    """line -> USD amount rounded half-even to the cent (presentation) of a class's 'ALL' rows."""
    return {r["line"]: round_cents(r["amount_usd"]) for r in lines
            if r["seg_class"] == seg_class and r["currency"] == "ALL"}


def assert_sources_sum_to_lines(lines: list[dict], sources: list[dict]) -> None:
    """Per class, line and currency the drill-down sums to the line exactly (in the currency and in USD), and per
    class and line the USD drill-down sums to the 'ALL' row; a line without sources is 0 or computed from lines."""
    per_currency: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    per_line: dict[tuple, Decimal] = defaultdict(Decimal)
    for s in sources:
        pair = per_currency[(s["seg_class"], s["line"], s["currency"])]
        pair[0] += s["amount"]
        pair[1] += s["amount_usd"]
        per_line[(s["seg_class"], s["line"])] += s["amount_usd"]
    by_key = {(r["seg_class"], r["line"], r["currency"]): r for r in lines}
    for (seg_class, line, currency), (amount, amount_usd) in per_currency.items():
        row = by_key[(seg_class, line, currency)]
        assert (row["amount"], row["amount_usd"]) == (amount, amount_usd), (seg_class, line, currency)
        assert by_key[(seg_class, line, "ALL")]["amount_usd"] == per_line[(seg_class, line)], (seg_class, line)
    derived = {"4", "5", "6", "13", "14", "15", "16", "7", "F3", "F4", "F5", "F8", "F9", "F10", "F11"}
    for (seg_class, line, currency), row in by_key.items():
        summed = (seg_class, line) in per_line if currency == "ALL" else (seg_class, line, currency) in per_currency
        if not summed and line not in derived:
            assert row["amount"] == 0 and row["amount_usd"] == 0, (seg_class, line, currency)
