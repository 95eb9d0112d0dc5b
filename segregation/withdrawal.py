"""The withdrawal check of spec/segregation.md (Reg 1.23, 30.7(g), 22.17): a pro-forma statement and its answer.

A withdrawal of residual interest leaves the class's segregated bank cash: the pro-forma statement adds it, negative,
to line 7A (SECURED: F1A) and recomputes every line with :func:`segregation.compute.class_lines` from the published
drill-down (``seg_line_sources``). The requirement does not change, so neither does the target; UM_TOTAL is the sum of
``seg_account_figures.um_adj_usd``. Before adding the withdrawal, the recomputation must give the published lines
exactly (assert in pairs). Then, in this order:

* BLOCKED if the pro-forma EXCESS is below 0, or below UM_TOTAL;
* NEEDS_APPROVAL (written CEO/CFO approval and notice) if the pro-forma EXCESS is below TARGET, or if the day's
  withdrawals together (the day's earlier FIRM_TRANSFER withdrawals from the class in the cash journal the run read,
  plus this one) exceed 25 % of the RI of the last statement marked filed (of this date, else of the previous
  business day; with neither filed, of this statement, and the answer says so);
* ALLOWED otherwise. The answer names the test that decided it.

A statement whose EXCESS line is unknown (not published: a counted bank account's closing balance was never read, its
BAI2/camt file rejected or missing; the INCOMPLETE_INPUTS alerts name the accounts and files) gives no answer: the
check raises :class:`ExcessUnknown`, since no withdrawal can be approved against an excess nobody knows.
"""

from __future__ import annotations

import decimal
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from recon import calendar
from recon.contracts.ledger import CASH_JOURNAL, FX_RATES
from recon.contracts.tabular import read_table
from recon.errors import FcmReconError, RunNotFound, invariant
from recon.money import MONEY_CONTEXT, round_cents, round_scale
from recon.targets import WarehouseTarget, open_warehouse
from segregation.compute import ZERO, class_lines
from segregation.filings import latest_filings
from segregation.lines import load_lines

WITHDRAWAL_LINE = {"SEG": "7A", "CLEARED_SWAPS": "7A", "SECURED": "F1A"}
APPROVAL_SHARE_OF_RI = Decimal("0.25")


class WithdrawalError(FcmReconError):
    """The check cannot be made (no cash journal, or the landing differs from what the run read)."""


class ExcessUnknown(WithdrawalError):
    """The class's excess line is unknown (a bank balance it adds up was never read): no withdrawal can be approved."""


@dataclass(frozen=True)
class WithdrawalCheck:
    """The answer (ALLOWED, NEEDS_APPROVAL or BLOCKED) and the test that decided it, the figures the tests read (USD),
    and the pro-forma statement rows (as seg_statement_lines, status PRO_FORMA)."""

    seg_class: str
    amount_usd: Decimal
    earlier_withdrawals_usd: Decimal
    excess_usd: Decimal
    proforma_excess_usd: Decimal
    target_usd: Decimal
    um_total_usd: Decimal
    reference_ri_usd: Decimal
    reference_ri_source: str
    decision: str
    deciding_test: str
    proforma_lines: list[dict] = field(default_factory=list)


def _role_lines(seg_class: str) -> dict[str, str]:
    return {line.role: line.line for line in load_lines() if line.seg_class == seg_class and line.role}


def _usd_rates(landing: Path, business_date: date) -> dict[str, Decimal]:
    rel = f"{business_date}/reference/fx_rates.csv"
    rows = read_table(landing / rel, rel, FX_RATES).frame.to_dicts()
    rates = {r["currency"]: r["usd_per_unit"] for r in rows if r["usd_per_unit"] is not None and r["usd_per_unit"] > 0}
    return dict(rates, USD=Decimal(1))


def earlier_withdrawals_usd(landing: Path, business_date: date, seg_class: str, manifest: dict) -> Decimal:
    """The day's FIRM_TRANSFER withdrawals (negative entries) from the class's accounts, in USD, from the cash
    journal the run read (its SHA-256 must be the one in the run's manifest)."""
    rel = f"{business_date}/ledger/cash_journal.csv"
    recorded = {i["rel_path"]: i["sha256"] for i in manifest["inputs"]}
    path = landing / rel
    if rel not in recorded or not path.exists():
        raise WithdrawalError(f"{rel}: the run of {business_date} read no cash journal at {landing}")
    if hashlib.sha256(path.read_bytes()).hexdigest() != recorded[rel]:
        raise WithdrawalError(f"{path} is not the cash journal the run of {business_date} read: re-run the day")
    rates = _usd_rates(landing, business_date)
    total = ZERO
    for row in read_table(path, rel, CASH_JOURNAL).frame.to_dicts():
        if row["seg_class"] == seg_class and row["entry_type"] == "FIRM_TRANSFER" and row["amount"] < 0:
            if row["currency"] not in rates:
                raise WithdrawalError(f"{rel}: no FX rate for {row['currency']} (entry {row['entry_id']})")
            total += round_scale(-row["amount"] * rates[row["currency"]])
    return total


def proforma_lines(seg_class: str, lines: list[dict], sources: list[dict], amount_usd: Decimal) -> list[dict]:
    """The class's statement recomputed from its drill-down with ``-amount_usd`` on the withdrawal line."""
    roles = _role_lines(seg_class)
    totals = {r["line"]: r["amount_usd"] for r in lines if r["currency"] == "ALL"}
    target = {"target_amount_usd": totals[roles["TARGET"]], "target_pct_of_requirement": None}
    currencies = {r["currency"] for r in lines if r["currency"] != "ALL"}
    withdrawal = {"line": WITHDRAWAL_LINE[seg_class], "currency": "USD", "amount": -amount_usd,
                  "amount_usd": -amount_usd}
    amounts = class_lines(seg_class, [*sources, withdrawal], currencies | {"USD"}, target)
    rows = []
    for row in lines:
        amount, amount_usd_now = amounts.get(row["currency"], {}).get(row["line"], (row["amount"], row["amount_usd"]))
        rows.append(dict(row, amount=amount, amount_usd=amount_usd_now, statement_status="PRO_FORMA"))
    return rows


def _usd(amount: Decimal) -> str:
    return f"USD {round_cents(amount):,}"


def _decide(excess: Decimal, target: Decimal, um_total: Decimal, day_total: Decimal,
            reference_ri: Decimal) -> tuple[str, str]:
    if excess < 0:
        return "BLOCKED", f"the pro-forma excess {_usd(excess)} would be below 0"
    if excess < um_total:
        return "BLOCKED", (f"the pro-forma excess {_usd(excess)} would be below the undermargined amount UM_TOTAL "
                           f"{_usd(um_total)}")
    if excess < target:
        return "NEEDS_APPROVAL", f"the pro-forma excess {_usd(excess)} would be below the management target {_usd(target)}"
    if day_total > APPROVAL_SHARE_OF_RI * reference_ri:
        return "NEEDS_APPROVAL", (f"the day's withdrawals {_usd(day_total)} would exceed 25% of the residual interest "
                                  f"{_usd(reference_ri)} ({_usd(APPROVAL_SHARE_OF_RI * reference_ri)})")
    return "ALLOWED", (f"the pro-forma excess {_usd(excess)} stays at or above 0, UM_TOTAL {_usd(um_total)} and the "
                       f"target {_usd(target)}, and the day's withdrawals {_usd(day_total)} are within 25% of the "
                       f"residual interest {_usd(reference_ri)}")


def _reference_ri(target: object, business_date: date, seg_class: str, current_ri: Decimal) -> tuple[Decimal, str]:
    """The RI of the class's statement marked filed for the date, else for the previous business day (filed that
    morning), else the current statement's."""
    excess_line = _role_lines(seg_class)["EXCESS"]
    for day in (business_date, calendar.previous_business_day(business_date)):
        filing = latest_filings(target, day).get(seg_class)
        if filing is not None:
            ri = next(Decimal(r["amount_usd"]) for r in json.loads(filing["lines"])
                      if r["line"] == excess_line and r["currency"] == "ALL")
            return ri, f"the {seg_class} statement of {day} filed by {filing['filed_by']} (run {filing['run_id']})"
    return current_ri, f"no {seg_class} statement of {business_date} or the day before is marked filed: this statement's RI"


def _excess_unknown(business_date: date, seg_class: str, excess_line: str, alerts: list[dict]) -> ExcessUnknown:
    """The refusal for a statement whose excess line is unknown, naming the accounts with no closing balance and the
    day's rejected or missing bank files (from the class's INCOMPLETE_INPUTS alerts)."""
    incomplete = [a for a in alerts if a["code"] == "INCOMPLETE_INPUTS" and a["subject"]]
    accounts = sorted({f"{a['subject']} ({a['currency']})" for a in incomplete if a["currency"] is not None})
    bank_folder = f"{business_date.isoformat()}/bank/"
    files = sorted({a["subject"] for a in incomplete if a["currency"] is None
                    and a["subject"].startswith(bank_folder) and a["subject"] != bank_folder})
    because = (f"no closing balance was read for bank account(s) {', '.join(accounts)}" if accounts
               else "a bank balance it adds up was never read")
    named = f" (bank file(s) rejected or missing: {', '.join(files)})" if files else ""
    return ExcessUnknown(
        f"the {seg_class} statement of {business_date} has no excess: line {excess_line} is unknown because {because}"
        f"{named}; no withdrawal can be approved until the file is corrected and the day is re-run")


def check_withdrawal(warehouse: WarehouseTarget, landing: Path, business_date: date, seg_class: str,
                     amount_usd: Decimal) -> WithdrawalCheck:
    """The withdrawal check of ``amount_usd`` from ``seg_class`` on ``business_date`` (see the module docstring)."""
    with open_warehouse(warehouse) as target:
        runs = target.runs(business_date)
        lines = [r for r in target.read_partition("seg_statement_lines", business_date) if r["seg_class"] == seg_class]
        if not runs or not lines:
            raise RunNotFound(f"no {seg_class} statement of {business_date} in {warehouse}: run the day first")
        sources = [r for r in target.read_partition("seg_line_sources", business_date) if r["seg_class"] == seg_class]
        um_total = sum((r["um_adj_usd"] for r in target.read_partition("seg_account_figures", business_date)
                        if r["seg_class"] == seg_class), ZERO)
        roles = _role_lines(seg_class)
        totals = {r["line"]: r["amount_usd"] for r in lines if r["currency"] == "ALL"}
        if roles["EXCESS"] not in totals:
            alerts = [a for a in target.read_partition("seg_alerts", business_date) if a["seg_class"] == seg_class]
            raise _excess_unknown(business_date, seg_class, roles["EXCESS"], alerts)
        reference_ri, reference_source = _reference_ri(target, business_date, seg_class, totals[roles["EXCESS"]])
    earlier = earlier_withdrawals_usd(landing, business_date, seg_class, json.loads(runs[-1]["manifest"]))
    with decimal.localcontext(MONEY_CONTEXT):
        unchanged = proforma_lines(seg_class, lines, sources, ZERO)
        invariant([(r["line"], r["currency"], r["amount"], r["amount_usd"]) for r in unchanged]
                  == [(r["line"], r["currency"], r["amount"], r["amount_usd"]) for r in lines],
                  f"{seg_class} {business_date}: the lines recomputed from seg_line_sources differ from the published")
        proforma = proforma_lines(seg_class, lines, sources, amount_usd)
    excess = next(r["amount_usd"] for r in proforma if r["line"] == roles["EXCESS"] and r["currency"] == "ALL")
    target_usd = totals[roles["TARGET"]]
    decision, test = _decide(excess, target_usd, um_total, earlier + amount_usd, reference_ri)
    return WithdrawalCheck(seg_class, amount_usd, earlier, totals[roles["EXCESS"]], excess, target_usd, um_total,
                           reference_ri, reference_source, decision, test, proforma)
