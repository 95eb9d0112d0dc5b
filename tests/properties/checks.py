"""The invariants of spec/reconciliation.md, checked on one run of the match layer against its own inputs.

Each check returns the violations it found, one sentence each naming the record, recon or file with expected and
found, so a failing property prints what broke rather than ``False``. The input side is read from the canonical
tables themselves, never from the models' routing, so a model that loses, invents or double-counts a row is caught.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal

import pyarrow as pa

from tests.properties.days import FATE_TABLE, Day

FATES = ("MATCHED", "BREAK", "PENDING", "QUARANTINED", "OUT_OF_SCOPE")
ACTIVE_BREAK_STATUSES = ("NEW", "OPEN", "PENDING")
# item recons see each record once: their OPEN breaks are carried from earlier days and name earlier days' records
ITEM_RECONS = ("CASH", "DCO_SETTLEMENT", "TRADE")
SIDES = ("clearing", "bank", "ledger")

# Every canonical table whose rows conservation accounts for, with the money column it sums (None: counted only).
# A position report's amount is the sum of its class's configured Amt components, so only its count is checked here.
RECONCILED = {
    "src_bank__entries": "amount",
    "src_ledger__cash_journal": "amount",
    "src_clearing__position_reports": None,
    "src_ledger__bank_balances": "book_balance",
    "src_ledger__positions": None,
    "src_ledger__trades": None,
    "src_clearing__trade_reports": None,
    "src_clearing__collateral": "market_value",
    "src_ledger__collateral_books": "market_value",
}
VALUATION_INPUTS = {  # used by the statements, reconciled by nothing: OUT_OF_SCOPE under recon NONE
    "src_ledger__balances": "cash_balance",
    "src_ledger__custody": "market_value",
    "src_ledger__other_fcm_equities": "net_liquidating_equity",
    "src_ledger__foreign_depository_equities": "cash",
    "src_ledger__foreign_requirements": "amount",
    "src_reference__fx_rates": None,
}
COUNTED = {**RECONCILED, **VALUATION_INPUTS, "src_quarantined_rows": "amount"}
# Rows a recon names that conservation does not count: the bank's closing balances, BANK_BALANCE's bank side
# (conservation counts a bank file's entries, not its balance records; see the property tests' report).
NAMED_NOT_COUNTED = {"src_bank__balances": ("BANK_BALANCE", "amount")}
# A position report feeds DCO_SETTLEMENT (its amounts) and POSITION (its quantities); it is counted once, under
# DCO_SETTLEMENT, so a POSITION match or break may name a report whose fate belongs to another recon.
SHARED_RECORDS = {"src_clearing__position_reports": "POSITION"}
MONEY_RECONS = ("CASH", "DCO_SETTLEMENT", "BANK_BALANCE", "COLLATERAL")


def _records(row: dict) -> Iterable[str]:
    return (record for side in SIDES for record in row[f"{side}_records"])


def input_tables(day: Day) -> dict[str, str]:
    """record_id -> the canonical table that holds it, for every counted or named table."""
    tables = {}
    for name in [*COUNTED, *NAMED_NOT_COUNTED]:
        for record_id in day.sources[name].column("record_id").to_pylist():
            tables[record_id] = name
    return tables


class _Named:
    """What the matches and the breaks of each recon name: record -> how often matched, record -> break status."""

    def __init__(self, outputs: dict[str, pa.Table]) -> None:
        self.matched: dict[str, Counter] = defaultdict(Counter)
        self.broken: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for match in outputs["recon_matches"].to_pylist():
            self.matched[match["recon"]].update(_records(match))
        for brk in outputs["recon_breaks"].to_pylist():
            if found_today(brk):
                for record in _records(brk):
                    self.broken[brk["recon"]][record].add("PENDING" if brk["status"] == "PENDING" else "BREAK")

    def recons(self) -> list[str]:
        return sorted(set(self.matched) | set(self.broken))

    def expected_fate(self, recon: str, record: str) -> set[str]:
        if record in self.matched[recon]:
            return {"MATCHED"}
        return set(self.broken[recon].get(record, ()))


def one_record_one_fate(day: Day, outputs: dict[str, pa.Table]) -> list[str]:
    """No record in two fates, none missing, none invented; each fate agrees with the matches and breaks."""
    problems = []
    fates = outputs[FATE_TABLE].to_pylist()
    tables = input_tables(day)
    counted = {r for r, t in tables.items() if t in COUNTED}
    per_record = Counter(row["record_id"] for row in fates)
    problems += [f"record {r} has {n} fates, expected 1: {[f for f in fates if f['record_id'] == r]}"
                 for r, n in sorted(per_record.items()) if n > 1]
    problems += [f"input record {r} of {tables[r]} has no fate" for r in sorted(counted - set(per_record))]
    problems += [f"fate of {r} names no input record" for r in sorted(set(per_record) - counted)]
    problems += [f"record {row['record_id']} has fate {row['fate']!r}, expected one of {FATES}"
                 for row in fates if row["fate"] not in FATES]
    named = _Named(outputs)
    quarantined = set(day.sources["src_quarantined_rows"].column("record_id").to_pylist())
    quarantined |= set(outputs["int_routing_quarantine"].column("record_id").to_pylist())
    for row in fates:
        problems += _fate_agrees(row, named, quarantined)
    fate_of = {row["record_id"]: row for row in fates}
    for recon in named.recons():
        problems += _named_records_agree(recon, named, fate_of, tables)
    return problems


def _fate_agrees(row: dict, named: _Named, quarantined: set[str]) -> list[str]:
    record, recon, fate = row["record_id"], row["recon"], row["fate"]
    everywhere = {f for r in named.recons() for f in named.expected_fate(r, record)}
    if fate in ("MATCHED", "BREAK", "PENDING"):
        expected = named.expected_fate(recon, record)
        if fate not in expected:
            return [f"record {record} has fate {fate} under {recon}; its matches and breaks say {sorted(expected)}"]
    elif fate == "QUARANTINED" and record not in quarantined:
        return [f"record {record} is QUARANTINED but in no quarantine"]
    elif fate in ("QUARANTINED", "OUT_OF_SCOPE") and everywhere:
        return [f"record {record} is {fate} yet named by a match or open break ({sorted(everywhere)})"]
    return []


def _named_records_agree(recon: str, named: _Named, fate_of: dict[str, dict], tables: dict[str, str]) -> list[str]:
    problems = [f"record {r} is in {n} matches of {recon}, expected at most 1"
                for r, n in sorted(named.matched[recon].items()) if n > 1]
    both = set(named.matched[recon]) & set(named.broken[recon])
    problems += [f"record {r} is both matched and in an open break of {recon}" for r in sorted(both)]
    problems += [f"record {r} is in a PENDING and in an open break of {recon}"
                 for r, kinds in sorted(named.broken[recon].items()) if len(kinds) > 1]
    for record in sorted(set(named.matched[recon]) | set(named.broken[recon])):
        table = tables.get(record)
        fate = fate_of.get(record)
        if table is None:
            problems.append(f"{recon} names record {record}, which is no input row")
        elif table in NAMED_NOT_COUNTED:
            if NAMED_NOT_COUNTED[table][0] != recon:
                problems.append(f"{recon} names {record} of {table}, which only {NAMED_NOT_COUNTED[table][0]} may")
        elif fate is not None and fate["recon"] != recon and SHARED_RECORDS.get(table) != recon:
            problems.append(f"{recon} names record {record} whose fate is under {fate['recon']}")
    return problems


def conservation_adds_up(day: Day, outputs: dict[str, pa.Table]) -> list[str]:
    """Per file, recon and currency the fates add up to what was read, in count and amount, and what was read is
    exactly the input: every row of every counted table, each amount summed once."""
    problems = []
    rows = outputs["conservation"].to_pylist()
    for row in rows:
        counts = sum(row[f"rows_{fate}"] for fate in ("matched", "in_breaks", "pending", "quarantined", "out_of_scope"))
        amounts = sum(row[f"amount_{fate}"] for fate in ("matched", "in_breaks", "pending", "quarantined",
                                                          "out_of_scope"))
        if counts != row["rows_read"] or amounts != row["amount_read"]:
            problems.append(f"conservation {row['source_file']} {row['recon']} {row['currency']}: read "
                            f"{row['rows_read']} rows / {row['amount_read']}, fates add to {counts} / {amounts} "
                            f"(difference {row['rows_read'] - counts} / {row['amount_read'] - amounts})")
    problems += _reads_equal_inputs(day, rows)
    problems += _conservation_equals_fates(outputs, rows)
    return problems


def _reads_equal_inputs(day: Day, rows: list[dict]) -> list[str]:
    expected_rows: Counter = Counter()
    expected_amounts: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    # a position report file's amounts are its reports' configured components, checked by side_amounts_add_up
    report_files = set(day.sources["src_clearing__position_reports"].column("source_file").to_pylist())
    for name, money in COUNTED.items():
        for record in day.sources[name].to_pylist():
            expected_rows[record["source_file"]] += 1
            if money is not None and record[money] is not None:
                expected_amounts[(record["source_file"], record["currency"])] += record[money]
    read_rows: Counter = Counter()
    read_amounts: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        read_rows[row["source_file"]] += row["rows_read"]
        read_amounts[(row["source_file"], row["currency"])] += row["amount_read"]
    problems = [f"{f}: {expected_rows[f]} input rows, conservation reads {read_rows[f]} "
                f"(difference {read_rows[f] - expected_rows[f]})"
                for f in sorted(set(expected_rows) | set(read_rows)) if expected_rows[f] != read_rows[f]]
    for key in sorted(set(expected_amounts) | set(read_amounts)):
        if key[0] not in report_files and expected_amounts[key] != read_amounts[key]:
            problems.append(f"{key[0]} {key[1]}: input amount {expected_amounts[key]}, conservation reads "
                            f"{read_amounts[key]} (difference {read_amounts[key] - expected_amounts[key]})")
    return problems


def _conservation_equals_fates(outputs: dict[str, pa.Table], rows: list[dict]) -> list[str]:
    """conservation is the per-record fates summed, fate by fate (so the per-record checks carry to its totals)."""
    columns = dict(zip(FATES, ("matched", "in_breaks", "pending", "quarantined", "out_of_scope")))
    expected: dict[tuple, Counter] = defaultdict(Counter)
    amounts: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for fate in outputs[FATE_TABLE].to_pylist():
        key = (fate["source_file"], fate["recon"], fate["currency"])
        expected[key][fate["fate"]] += 1
        amounts[key][fate["fate"]] += fate["amount"] or 0
    found = {(r["source_file"], r["recon"], r["currency"]): r for r in rows}
    problems = [f"conservation has no row for {key}" for key in sorted(set(expected) - set(found))]
    for key, row in sorted(found.items()):
        for fate, column in columns.items():
            if row[f"rows_{column}"] != expected[key][fate] or row[f"amount_{column}"] != amounts[key][fate]:
                problems.append(f"conservation {key} {fate}: {row[f'rows_{column}']} / {row[f'amount_{column}']}, "
                                f"the records' fates give {expected[key][fate]} / {amounts[key][fate]}")
    return problems


def found_today(brk: dict) -> bool:
    """Whether a break is about today's records: NEW and PENDING ones, and a snapshot recon's OPEN ones (its grain
    is evaluated afresh every day); an item recon's OPEN break is carried from the day its records were read."""
    return brk["status"] in ACTIVE_BREAK_STATUSES and not (brk["status"] == "OPEN" and brk["recon"] in ITEM_RECONS)


def side_amounts_add_up(day: Day, outputs: dict[str, pa.Table]) -> list[str]:
    """For the money recons, per recon, side and currency: the amounts the matches (and the open breaks) state
    equal the sum of the input amounts of the records they name."""
    amount_of = _record_amounts(day, outputs)
    problems = []
    for table in ("recon_matches", "recon_breaks"):
        stated: dict[tuple, Decimal] = defaultdict(Decimal)
        summed: dict[tuple, Decimal] = defaultdict(Decimal)
        for row in outputs[table].to_pylist():
            if row["recon"] not in MONEY_RECONS or (table == "recon_breaks" and not found_today(row)):
                continue
            for side in SIDES:
                key = (row["recon"], side, row["currency"])
                stated[key] += row[f"{side}_amount"] or 0
                summed[key] += sum((amount_of.get(r, Decimal(0)) for r in row[f"{side}_records"]), Decimal(0))
        problems += [f"{table} {key}: amounts state {stated[key]}, their records sum to {summed[key]} "
                     f"(difference {stated[key] - summed[key]})"
                     for key in sorted(set(stated) | set(summed)) if stated[key] != summed[key]]
    return problems


def _record_amounts(day: Day, outputs: dict[str, pa.Table]) -> dict[str, Decimal]:
    """Each record's amount as read; a position report's is its fate's (its configured components summed)."""
    amounts = {}
    for name, money in [*COUNTED.items(), *((t, m) for t, (_, m) in NAMED_NOT_COUNTED.items())]:
        if money is not None:
            for record in day.sources[name].select(["record_id", money]).to_pylist():
                amounts[record["record_id"]] = record[money]
    reports = set(day.sources["src_clearing__position_reports"].column("record_id").to_pylist())
    for fate in outputs[FATE_TABLE].to_pylist():
        if fate["record_id"] in reports:
            amounts[fate["record_id"]] = fate["amount"]
    return amounts
