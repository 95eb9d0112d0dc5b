"""Invariants of the segregation marts, checked before they are published (assert in pairs).

:func:`check_marts` checks the marts' own arithmetic: per class EXCESS = FUNDS - REQUIRED and OVER_TARGET =
EXCESS - TARGET, one status per class, unique alert ids, and every line equal to the sum of its drill-down.
:func:`cross_check` recomputes the statements with :mod:`segregation.compute` from the very rows the SQL read and
requires the same lines, alerts (but their wording), sources and per-account figures. Both raise :class:`InvariantViolation`: a
difference is a defect in one of the two computations, never a data problem.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from recon.errors import invariant
from segregation.compute import INPUT_TABLES, SegInputs, compute_statements
from segregation.lines import Settings

LINE_KEY = ("seg_class", "line_order", "currency")
ALERT_KEY = ("alert_id",)
SOURCE_KEY = ("seg_class", "line", "currency", "source_table", "record_id")
ACCOUNT_KEY = ("seg_class", "unit_id")


def _role_amounts(lines: list[dict]) -> dict[str, dict[str, Decimal]]:
    roles: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in lines:
        if row["currency"] == "ALL" and row["role"]:
            roles[row["seg_class"]][row["role"]] = row["amount_usd"]
    return roles


def _check_sources(lines: list[dict], sources: list[dict]) -> None:
    sums: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for s in sources:
        pair = sums[(s["seg_class"], s["line"], s["currency"])]
        pair[0] += s["amount"]
        pair[1] += s["amount_usd"]
    by_key = {(r["seg_class"], r["line"], r["currency"]): r for r in lines}
    for key, (amount, amount_usd) in sums.items():
        row = by_key.get(key)
        invariant(row is not None, f"seg_line_sources has rows for {key} but the statement has no such line")
        invariant((row["amount"], row["amount_usd"]) == (amount, amount_usd),
                  f"line {key}: expected the sum of its sources {amount} / USD {amount_usd}, "
                  f"found {row['amount']} / USD {row['amount_usd']}")


def check_marts(lines: list[dict], alerts: list[dict], sources: list[dict]) -> None:
    """The marts' own invariants (see the module docstring)."""
    for seg_class, role in _role_amounts(lines).items():
        if "FUNDS" not in role:  # unknown (a bank balance is missing): so are the lines computed from it
            invariant("EXCESS" not in role and "OVER_TARGET" not in role,
                      f"{seg_class}: FUNDS is unknown but EXCESS or OVER_TARGET was published")
            continue
        excess = role["FUNDS"] - role["REQUIRED"]
        invariant(role["EXCESS"] == excess, f"{seg_class}: EXCESS {role['EXCESS']} != FUNDS - REQUIRED {excess}")
        over = role["EXCESS"] - role["TARGET"]
        invariant(role["OVER_TARGET"] == over, f"{seg_class}: OVER_TARGET {role['OVER_TARGET']} != {over}")
    statuses: dict[str, set[str]] = defaultdict(set)
    for row in lines:
        statuses[row["seg_class"]].add(row["statement_status"])
    invariant(all(len(s) == 1 for s in statuses.values()), f"a class has more than one status: {dict(statuses)}")
    ids = [a["alert_id"] for a in alerts]
    invariant(len(ids) == len(set(ids)), "seg_alerts: alert_id is not unique")
    _check_sources(lines, sources)


def _differences(name: str, sql: list[dict], python: list[dict], key: tuple[str, ...],
                 drop: tuple[str, ...] = ()) -> list[str]:
    def keyed(rows: list[dict]) -> dict[tuple, dict]:
        return {tuple(r[c] for c in key): {c: v for c, v in r.items() if c not in drop and c != "business_date"}
                for r in rows}

    left, right = keyed(sql), keyed(python)
    found = [f"{name} {k}: only in SQL" for k in sorted(set(left) - set(right), key=str)]
    found += [f"{name} {k}: only in compute.py" for k in sorted(set(right) - set(left), key=str)]
    found += [f"{name} {k}: SQL {left[k]} != compute.py {right[k]}"
              for k in sorted(set(left) & set(right), key=str) if left[k] != right[k]]
    return found


def cross_check(read_table: Callable[[str], list[dict]], business_date: date, settings: Settings,
                marts: dict[str, list[dict]]) -> None:
    """Recompute the statements in Python from the tables the SQL read (``read_table(name)`` gives a table's rows)
    and require the SQL marts ``seg_statement_lines``, ``seg_alerts``, ``seg_line_sources`` and
    ``seg_account_figures`` to be the same."""
    inputs = SegInputs.from_tables({table: read_table(table) for table in INPUT_TABLES.values()}, business_date)
    python = compute_statements(inputs, settings)
    differences = (_differences("line", marts["seg_statement_lines"], python.lines, LINE_KEY)
                   + _differences("alert", marts["seg_alerts"], python.alerts, ALERT_KEY, drop=("message",))
                   + _differences("source", marts["seg_line_sources"], python.sources, SOURCE_KEY)
                   + _differences("account", marts["seg_account_figures"], python.accounts, ACCOUNT_KEY))
    invariant(not differences, "segregation SQL and compute.py disagree: " + "; ".join(differences[:5]))
