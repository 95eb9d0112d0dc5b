"""The segregation statements computed in plain Python with exact Decimals, independently of the SQL models.

The input is the rows of the tables the SQL models read (lists of dicts, as DuckDB or Arrow hold them: money as
Decimal, dates as date, blank optional strings ''). The output has the rows of the three marts
(``seg_statement_lines``, ``seg_alerts`` without its message, ``seg_line_sources``) plus the per-account figures, so
a test can compare the SQL with this module line by line, and the withdrawal check can re-run a pro-forma statement.

The arithmetic is spec/segregation.md, written out again here on purpose (the SQL keeps its own): line formulas are
Python expressions below, not shared data. Conventions shared with the SQL, documented in both places:

* A contribution converts to USD once, ``round_scale(amount x usd_per_unit)`` (half-even, scale 9); lines sum the
  converted contributions. USD is exactly 1; a currency with no (positive) rate has none, and every row in it is left
  out of the class's statement, which is NOT_FILEABLE with a MISSING_FX_RATE alert.
* Options are valued ``round(round(round(SetPx x price_factor) x multiplier) x FIN quantity)``.
* Line 5 is split in 5_GROSS (each deficit account's rows contribute -NLE(row)) and 5_OFFSET (-offset(row), plus
  one USD row adding back what a cap at DEF(a) removes).
* ``target_pct_of_requirement`` is a fraction of the requirement line: 0.03 means 3 %.
* A counted bank account of a class with no closing balance for the day (its statement of record was rejected or
  did not arrive on a bank day; or, on a Fedwire holiday, the previous business day published none to carry forward)
  makes its cash line unknown, and every line computed from it (FUNDS, EXCESS, OVER_TARGET): those lines and their
  drill-down rows are not published, no figure alert is raised from them, the statement is NOT_FILEABLE and an
  INCOMPLETE_INPUTS alert names the account. A balance carried forward on a Fedwire holiday (int_bank_closing_balances
  source_table ``src_warehouse__previous_bank_balances``) counts like one read today, keeps that source table in the
  drill-down and raises an INFO ``CARRIED_BANK_BALANCE`` alert per counted account.
* The cash line deducts every disbursement still outstanding at a counted account (``int_breaks_aged``: a CASH
  MISSING_BANK break with a negative ledger amount, status NEW or OPEN), today's and those carried from earlier days
  (on a SECURED-only run, which matches nothing, the previous CME business day's open ones, standing as they were),
  until the day the bank pays it (RESOLVED) or a person force-closes it (CLOSED on the day the close is made for, not
  carried after it); its drill-down row is the journal record that booked it.
* Line 9 is every settlement cycle unpaid at the close (PENDING): the day's end of day, and on a Fedwire holiday the
  day's intraday cycle and the previous day's end of day too.
"""

from __future__ import annotations

import decimal
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from recon.money import MONEY_CONTEXT, round_scale
from segregation.lines import CUSTOMER_CLASSES, Settings, load_lines

ZERO = Decimal(0)
BANK_SOURCE_TABLE = "src_bank__balances"
CARRIED_SOURCE_TABLE = "src_warehouse__previous_bank_balances"
SEG_FAMILY_LEAVES = ("1A", "1B", "2", "3A", "3B", "5_GROSS", "5_OFFSET", "7A", "7B", "7C", "8A", "8B", "8C", "9",
                     "10A", "10B", "11A", "11B", "11C", "12")
SEG_FUNDS_LEAVES = SEG_FAMILY_LEAVES[7:]
SECURED_SUB_ITEMS = tuple(f"F{n}{item}" for n in (3, 4, 5) for item in "ABCDE")
SECURED_FUNDS_LEAVES = ("F1A", "F1B", "F2A", "F2B", *SECURED_SUB_ITEMS, "F6", "F7")
SECURED_LEAVES = ("1A", "1B", "2", "3A", "3B", "5_GROSS", "5_OFFSET", "0", *SECURED_FUNDS_LEAVES)
INPUT_TABLES = {
    "balances": "src_ledger__balances",
    "accounts": "src_reference__accounts",
    "bank_accounts": "src_reference__bank_accounts",
    "products": "src_reference__products",
    "targets": "src_reference__targets",
    "fx_rates": "src_reference__fx_rates",
    "custody": "src_ledger__custody",
    "collateral": "src_clearing__collateral",
    "other_fcm_equities": "src_ledger__other_fcm_equities",
    "foreign_depository_equities": "src_ledger__foreign_depository_equities",
    "foreign_requirements": "src_ledger__foreign_requirements",
    "closing_balances": "int_bank_closing_balances",
    "dco_cycles": "int_dco_cycles",
    "position_reports": "int_position_reports_classified",
    "breaks": "int_breaks_aged",
    "file_problems": "src_file_problems",
    "quarantined_rows": "src_quarantined_rows",
    "filed_lines": "src_warehouse__seg_filed_lines",
}


# the ledger files every statement is computed from, and those of the SECURED statement alone
STATEMENT_FILES = ("balances", "custody", "other_fcm_equities")
SECURED_FILES = ("foreign_depository_equities", "foreign_requirements")


@dataclass(frozen=True)
class SegInputs:
    """The rows the statements are computed from, one tuple of dicts per table (names: :data:`INPUT_TABLES`)."""

    business_date: date
    balances: tuple[dict, ...] = ()
    accounts: tuple[dict, ...] = ()
    bank_accounts: tuple[dict, ...] = ()
    products: tuple[dict, ...] = ()
    targets: tuple[dict, ...] = ()
    fx_rates: tuple[dict, ...] = ()
    custody: tuple[dict, ...] = ()
    collateral: tuple[dict, ...] = ()
    other_fcm_equities: tuple[dict, ...] = ()
    foreign_depository_equities: tuple[dict, ...] = ()
    foreign_requirements: tuple[dict, ...] = ()
    closing_balances: tuple[dict, ...] = ()
    dco_cycles: tuple[dict, ...] = ()
    position_reports: tuple[dict, ...] = ()
    breaks: tuple[dict, ...] = ()
    file_problems: tuple[dict, ...] = ()
    quarantined_rows: tuple[dict, ...] = ()
    filed_lines: tuple[dict, ...] = ()

    @classmethod
    def from_tables(cls, tables: Mapping[str, Iterable[dict]], business_date: date) -> SegInputs:
        """Build from rows keyed by table name (``src_ledger__balances``, ``int_dco_cycles``, ...)."""
        rows = {name: tuple(tables.get(table, ())) for name, table in INPUT_TABLES.items()}
        return cls(business_date, **rows)


class Contribution(NamedTuple):
    """What one source row gives one figure. kind: LINE (a statement line), MEMO (NLE, IM, OFFSET_SEC of a balance
    row) or EXCLUDED (figure = the reason: NO_ACK_LETTER, UNRECOGNISED_DEPOSITORY). amount in ``currency``;
    amount_usd converted (None without a rate). unit_id: the account or owner of a balance row, else ''."""

    seg_class: str
    kind: str
    figure: str
    currency: str
    source_table: str
    source_file: str | None
    record_id: str
    subject: str
    unit_id: str
    amount: Decimal
    amount_usd: Decimal | None = None


@dataclass(frozen=True)
class Statements:
    """The computed marts: rows of seg_statement_lines, seg_alerts (no message), seg_line_sources; and per unit
    (account or beneficial owner) its NLE, DEF, OFFSET, UM and UM_ADJ in USD."""

    lines: list[dict] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------- conversion


def usd_rates(inputs: SegInputs) -> dict[str, Decimal]:
    """USD per unit by currency: the file's positive rates, USD exactly 1."""
    rates = {r["currency"]: r["usd_per_unit"] for r in inputs.fx_rates
             if r["currency"] != "USD" and r["usd_per_unit"] is not None and r["usd_per_unit"] > 0}
    rates["USD"] = Decimal(1)
    return rates


def to_usd(amount: Decimal, rate: Decimal | None) -> Decimal | None:
    """amount x rate rounded once, half-even, at scale 9 (None without a rate)."""
    return None if rate is None else round_scale(amount * rate)


# ---------------------------------------------------------------------------------------------------- contributions


def _units(inputs: SegInputs, settings: Settings) -> dict[str, tuple[str, str]]:
    """account_id -> (seg_class, unit_id) for the customer classes' accounts."""
    units = {}
    for row in inputs.accounts:
        if row["seg_class"] not in CUSTOMER_CLASSES:
            continue
        owner = row.get("beneficial_owner_id") or ""
        combined = settings.combine_beneficial_owners and owner != ""
        units[row["account_id"]] = (row["seg_class"], f"owner:{owner}" if combined else f"account:{row['account_id']}")
    return units


def requirement_contributions(inputs: SegInputs, settings: Settings) -> list[Contribution]:
    """Lines 1A-3B and the memo figures NLE, IM, OFFSET_SEC of every customer balance row; secured line 0."""
    units = _units(inputs, settings)
    result = []
    for row in inputs.balances:
        if row["account_id"] not in units:
            continue
        seg_class, unit_id = units[row["account_id"]]
        nle = (row["cash_balance"] + row["securities_value"] + row["open_trade_equity"] + row["long_option_value"]
               - row["short_option_value"])
        figures = (("LINE", "1A", row["cash_balance"]), ("LINE", "1B", row["securities_value"]),
                   ("LINE", "2", row["open_trade_equity"]), ("LINE", "3A", row["long_option_value"]),
                   ("LINE", "3B", -row["short_option_value"]), ("MEMO", "NLE", nle),
                   ("MEMO", "IM", row["initial_margin_requirement"]),
                   ("MEMO", "OFFSET_SEC", row["offset_securities_value"]))
        result.extend(Contribution(seg_class, kind, figure, row["currency"], "src_ledger__balances",
                                   row["source_file"], row["record_id"], row["account_id"], unit_id, amount)
                      for kind, figure, amount in figures)
    result.extend(Contribution("SECURED", "LINE", "0", r["currency"], "src_ledger__foreign_requirements",
                               r["source_file"], r["record_id"], r["jurisdiction"], "", r["amount"])
                  for r in inputs.foreign_requirements)
    return result


def _class_bank_accounts(inputs: SegInputs) -> dict[str, dict]:
    """bank_account_id -> its row with ``counted``: DCO accounts always, others only with a letter on file by the
    business date."""
    accounts = {}
    for r in inputs.bank_accounts:
        if r["seg_class"] in CUSTOMER_CLASSES:
            letter = r["acknowledgment_letter_date"]
            on_file = letter is not None and letter <= inputs.business_date
            accounts[r["bank_account_id"]] = dict(r, counted=r["depository_type"] == "DCO" or on_file)
    return accounts


def missing_balances(inputs: SegInputs) -> list[dict]:
    """The counted class bank accounts with no closing balance for the day, each with its cash ``figure``."""
    read = {r["bank_account_id"] for r in inputs.closing_balances}
    return [dict(account, figure=_cash_figure(account)) for account in _class_bank_accounts(inputs).values()
            if account["counted"] and account["bank_account_id"] not in read]


def unknown_lines(seg_class: str, inputs: SegInputs) -> set[tuple[str, str]]:
    """(line, currency) of the class that cannot be computed for a missing bank balance: the cash line, FUNDS and
    EXCESS in the account's currency (where additive) and in 'ALL', and OVER_TARGET in 'ALL'."""
    roles = {line.role: line.line for line in load_lines() if line.seg_class == seg_class and line.role}
    unknown = set()
    for account in missing_balances(inputs):
        if account["seg_class"] == seg_class:
            for currency in (account["currency"], "ALL"):
                unknown |= {(account["figure"], currency), (roles["FUNDS"], currency), (roles["EXCESS"], currency)}
            unknown.add((roles["OVER_TARGET"], "ALL"))
    return unknown


def _cash_figure(account: dict) -> str:
    if not account["counted"]:
        return "NO_ACK_LETTER"
    if account["seg_class"] != "SECURED":
        return "7A"
    return "F1A" if account["country"] == "US" else "F1B"


def bank_cash_contributions(inputs: SegInputs) -> list[Contribution]:
    """7A / F1A / F1B: closing balances of the class's accounts, less the disbursements still unpaid at a counted
    account (open CASH MISSING_BANK breaks with a negative ledger amount, carried ones included); balances of
    accounts with no letter are EXCLUDED."""
    accounts = _class_bank_accounts(inputs)
    result = []
    for row in inputs.closing_balances:
        account = accounts.get(row["bank_account_id"])
        if account is not None:
            kind = "LINE" if account["counted"] else "EXCLUDED"
            source_table = row.get("source_table") or BANK_SOURCE_TABLE
            result.append(Contribution(account["seg_class"], kind, _cash_figure(account), row["currency"],
                                       source_table, row["source_file"], row["record_id"],
                                       row["bank_account_id"], "", row["amount"]))
    for row in inputs.breaks:
        account = accounts.get(row["bank_account_id"])
        if account is None or not account["counted"]:
            continue
        if _is_unpaid_disbursement(row):
            result.append(Contribution(account["seg_class"], "LINE", _cash_figure(account), row["currency"],
                                       "src_ledger__cash_journal", row["source_files"][0], row["ledger_records"][0],
                                       row["bank_account_id"], "", row["ledger_amount"]))
    return result


def _is_unpaid_disbursement(row: dict) -> bool:
    """An open CASH break of a journal entry paying money out that the bank has not debited yet (a RESOLVED or a
    force-closed, CLOSED, one is not)."""
    return (row["recon"] == "CASH" and row["break_type"] == "MISSING_BANK" and row["status"] in ("NEW", "OPEN")
            and row["ledger_amount"] is not None and row["ledger_amount"] < 0)


def _custody_figure(row: dict, account: dict | None) -> str:
    if account is None:
        return "UNRECOGNISED_DEPOSITORY"
    if not account["counted"]:
        return "NO_ACK_LETTER"
    if row["seg_class"] == "SECURED":
        return "F2A" if account["country"] == "US" else "F2B"
    return "7B" if row["holding_type"] == "INVESTMENT" else "7C"


def custody_contributions(inputs: SegInputs) -> list[Contribution]:
    """7B / 7C / F2A / F2B: custody at an account titled for the row's class; others EXCLUDED with the reason."""
    accounts = _class_bank_accounts(inputs)
    result = []
    for row in inputs.custody:
        if row["seg_class"] not in CUSTOMER_CLASSES:
            continue
        account = accounts.get(row["depository_account_id"])
        if account is not None and account["seg_class"] != row["seg_class"]:
            account = None
        figure = _custody_figure(row, account)
        kind = "LINE" if account is not None and account["counted"] else "EXCLUDED"
        result.append(Contribution(row["seg_class"], kind, figure, row["currency"], "src_ledger__custody",
                                   row["source_file"], row["record_id"], row["depository_account_id"], "",
                                   row["market_value"]))
    return result


def dco_contributions(inputs: SegInputs) -> list[Contribution]:
    """8A-8C from DCO collateral, 9 from the cycles unpaid at the close (PENDING) (SEG and CLEARED_SWAPS)."""
    result = []
    for row in inputs.collateral:
        if row["seg_class"] not in ("SEG", "CLEARED_SWAPS"):
            continue
        if row["asset_type"] == "CASH":
            figure = "8A"
        else:
            figure = "8C" if row["holding_type"] == "CUSTOMER_OWNED" else "8B"
        result.append(Contribution(row["seg_class"], "LINE", figure, row["currency"], "src_clearing__collateral",
                                   row["source_file"], row["record_id"], row["cusip"] or row["dco"], "",
                                   row["market_value"]))
    for row in inputs.dco_cycles:
        if row["seg_class"] in ("SEG", "CLEARED_SWAPS") and row["status"] == "PENDING":
            result.append(Contribution(row["seg_class"], "LINE", "9", row["currency"], "int_dco_cycles",
                                       ",".join(row["source_files"]),
                                       f"{row['reference']}|{row['settlement_bank_account_id']}", row["dco"], "",
                                       row["amount"]))
    return result


def option_valuations(inputs: SegInputs) -> list[dict]:
    """The day's routed end-of-day option reports of SEG and CLEARED_SWAPS (lines 10A/10B) with long_value and
    short_value (None when the product or the settlement price is missing)."""
    products = {(p["exchange"], p["product_code"]): p for p in inputs.products if p["instrument_type"] == "OPT"}
    valued = []
    for row in inputs.position_reports:
        if (row["security_type"] != "OPT" or row["settl_session"] != "EOD" or row["route"] == "QUARANTINE"
                or row["biz_date"] != inputs.business_date or row["seg_class"] not in ("SEG", "CLEARED_SWAPS")):
            continue
        product = products.get((row["exchange"], row["product_code"]))
        if product is None or row["settlement_price"] is None:
            valued.append(dict(row, long_value=None, short_value=None))
            continue
        price_value = round_scale(row["settlement_price"] * product["price_factor"])
        contract_value = round_scale(price_value * product["multiplier"])
        valued.append(dict(row, long_value=round_scale(row["fin_long"] * contract_value),
                           short_value=round_scale(row["fin_short"] * contract_value)))
    return valued


def holdings_contributions(inputs: SegInputs) -> list[Contribution]:
    """10A / 10B option values at the DCO, 11A-11C other FCM equities (SEG and CLEARED_SWAPS)."""
    result = []
    for row in option_valuations(inputs):
        if row["long_value"] is None:
            continue
        for figure, amount in (("10A", row["long_value"]), ("10B", -row["short_value"])):
            result.append(Contribution(row["seg_class"], "LINE", figure, row["currency"],
                                       "src_clearing__position_reports", row["source_file"], row["record_id"],
                                       row["position_account"], "", amount))
    for row in inputs.other_fcm_equities:
        if row["seg_class"] not in ("SEG", "CLEARED_SWAPS"):
            continue
        for figure, column in (("11A", "net_liquidating_equity"), ("11B", "investments_value"),
                               ("11C", "customer_securities_value")):
            result.append(Contribution(row["seg_class"], "LINE", figure, row["currency"],
                                       "src_ledger__other_fcm_equities", row["source_file"], row["record_id"],
                                       row["fcm"], "", row[column]))
    return result


def foreign_contributions(inputs: SegInputs) -> list[Contribution]:
    """F3A-F5E by depository type and sub-item (short options negative); F6 the net of an OTHER depository."""
    prefixes = {"FCM": "F3", "FBOT_CLEARING_ORG": "F4", "FBOT_MEMBER": "F5"}
    result = []
    for row in inputs.foreign_depository_equities:
        parts = (("A", row["cash"]), ("B", row["securities_value"]), ("C", row["unrealized_pl"]),
                 ("D", row["long_option_value"]), ("E", -row["short_option_value"]))
        if row["depository_type"] in prefixes:
            items = [(prefixes[row["depository_type"]] + item, amount) for item, amount in parts]
        else:
            items = [("F6", sum((amount for _, amount in parts), ZERO))]
        result.extend(Contribution("SECURED", "LINE", figure, row["currency"],
                                   "src_ledger__foreign_depository_equities", row["source_file"], row["record_id"],
                                   row["depository"], "", amount) for figure, amount in items)
    return result


def contributions(inputs: SegInputs, settings: Settings) -> list[Contribution]:
    """Every contribution of every source row, converted to USD."""
    rates = usd_rates(inputs)
    every = (requirement_contributions(inputs, settings) + bank_cash_contributions(inputs)
             + custody_contributions(inputs) + dco_contributions(inputs) + holdings_contributions(inputs)
             + foreign_contributions(inputs))
    return [c._replace(amount_usd=to_usd(c.amount, rates.get(c.currency))) for c in every]


# ---------------------------------------------------------------------------------------------------- per account


def account_equity(converted: list[Contribution], settings: Settings) -> dict[tuple[str, str], dict]:
    """(seg_class, unit_id) -> NLE, IM, offset securities, DEF, OFFSET, UM and UM_ADJ in USD (rows with a rate)."""
    totals: dict[tuple[str, str], dict] = {}
    for c in converted:
        if c.kind != "MEMO" or c.amount_usd is None:
            continue
        unit = totals.setdefault((c.seg_class, c.unit_id), {"NLE": ZERO, "IM": ZERO, "OFFSET_SEC": ZERO, "ids": set()})
        unit[c.figure] += c.amount_usd
        unit["ids"].add(c.subject)
    equity = {}
    for key, unit in totals.items():
        nle, im, offset_sec = unit["NLE"], unit["IM"], unit["OFFSET_SEC"]
        deficit = max(ZERO, -nle)
        offset = min(deficit, offset_sec)
        um = max(ZERO, im - nle)
        debit = deficit if settings.residual_interest_debit == "GROSS" else deficit - offset
        equity[key] = {
            "seg_class": key[0], "unit_id": key[1], "account_ids": sorted(unit["ids"]), "nle_usd": nle,
            "im_usd": im, "offset_securities_usd": offset_sec, "def_usd": deficit, "offset_usd": offset,
            "um_usd": um, "um_adj_usd": um - min(um, debit),
        }
    return equity


# ---------------------------------------------------------------------------------------------------- sources


def line_sources(converted: list[Contribution], equity: dict[tuple[str, str], dict]) -> list[dict]:
    """Every non-zero contribution to a line; line 5 from the deficit accounts' rows and the offset caps."""
    rows = []
    for c in converted:
        if c.amount_usd is None:
            continue
        if c.kind == "LINE":
            rows.append((c.seg_class, c.figure, c, c.amount, c.amount_usd))
        elif c.kind == "MEMO" and c.figure in ("NLE", "OFFSET_SEC") and equity[(c.seg_class, c.unit_id)]["def_usd"] > 0:
            rows.append((c.seg_class, "5_GROSS" if c.figure == "NLE" else "5_OFFSET", c, -c.amount, -c.amount_usd))
    sources = [
        {"seg_class": seg_class, "line": line, "currency": c.currency, "source_table": c.source_table,
         "source_file": c.source_file, "record_id": c.record_id, "subject": c.subject, "amount": amount,
         "amount_usd": amount_usd}
        for seg_class, line, c, amount, amount_usd in rows
    ]
    for unit in equity.values():
        cap = unit["offset_securities_usd"] - unit["offset_usd"]
        if unit["def_usd"] > 0 and cap > 0:
            sources.append({"seg_class": unit["seg_class"], "line": "5_OFFSET", "currency": "USD",
                            "source_table": "int_seg_account_equity", "source_file": None,
                            "record_id": f"offset_cap:{unit['unit_id']}", "subject": unit["unit_id"], "amount": cap,
                            "amount_usd": cap})
    return [s for s in sources if s["amount"] != 0 or s["amount_usd"] != 0]


# ---------------------------------------------------------------------------------------------------- lines


def _seg_family_lines(leaf: dict[str, Decimal]) -> dict[str, Decimal]:
    """The additive lines of the SEG and CLEARED_SWAPS statements from their leaf lines."""
    lines = dict(leaf)
    lines["4"] = leaf["1A"] + leaf["1B"] + leaf["2"] + leaf["3A"] + leaf["3B"]
    lines["5"] = leaf["5_GROSS"] + leaf["5_OFFSET"]
    lines["6"] = lines["4"] + lines["5"]
    lines["13"] = sum((leaf[code] for code in SEG_FUNDS_LEAVES), ZERO)
    lines["14"] = lines["13"] - lines["6"]
    return lines


def _secured_lines(leaf: dict[str, Decimal]) -> dict[str, Decimal]:
    """The additive lines of the SECURED statement from its leaf lines."""
    lines = dict(leaf)
    lines["4"] = leaf["1A"] + leaf["1B"] + leaf["2"] + leaf["3A"] + leaf["3B"]
    lines["5"] = leaf["5_GROSS"] + leaf["5_OFFSET"]
    lines["6"] = lines["4"] + lines["5"]
    for n in (3, 4, 5):
        lines[f"F{n}"] = sum((leaf[f"F{n}{item}"] for item in "ABCDE"), ZERO)
    lines["F8"] = (leaf["F1A"] + leaf["F1B"] + leaf["F2A"] + leaf["F2B"] + lines["F3"] + lines["F4"] + lines["F5"]
                   + leaf["F6"] + leaf["F7"])
    return lines


def additive_lines(seg_class: str, leaf: dict[str, Decimal]) -> dict[str, Decimal]:
    """The additive lines of a class (leaf lines with no source are 0)."""
    leaves = SECURED_LEAVES if seg_class == "SECURED" else SEG_FAMILY_LEAVES
    full = {code: leaf.get(code, ZERO) for code in leaves}
    return _secured_lines(full) if seg_class == "SECURED" else _seg_family_lines(full)


def target_usd(target: dict | None, base: Decimal) -> Decimal:
    """max(target_amount_usd, target_pct x ``base``), blank figures ignored, 0 when both are blank."""
    if target is None:
        return ZERO
    parts = [target["target_amount_usd"]] if target["target_amount_usd"] is not None else []
    if target["target_pct_of_requirement"] is not None:
        parts.append(round_scale(target["target_pct_of_requirement"] * base))
    return max(parts) if parts else ZERO


def class_lines(seg_class: str, sources: list[dict], currencies: Iterable[str],
                target: dict | None) -> dict[str, dict[str, tuple]]:
    """currency -> line -> (amount, amount_usd) for the class's currencies in use and those of its sources; 'ALL'
    holds every line in USD, the other currencies the additive lines."""
    leaf_by_currency: dict[str, dict[str, list[Decimal]]] = {c: defaultdict(lambda: [ZERO, ZERO]) for c in currencies}
    for s in sources:
        pair = leaf_by_currency.setdefault(s["currency"], defaultdict(lambda: [ZERO, ZERO]))[s["line"]]
        pair[0] += s["amount"]
        pair[1] += s["amount_usd"]
    result = {}
    for currency, leaf in leaf_by_currency.items():
        native = additive_lines(seg_class, {k: v[0] for k, v in leaf.items()})
        usd = additive_lines(seg_class, {k: v[1] for k, v in leaf.items()})
        result[currency] = {code: (native[code], usd[code]) for code in native}
    total_leaf: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for leaf in leaf_by_currency.values():
        for code, (_, amount_usd) in leaf.items():
            total_leaf[code] += amount_usd
    totals = additive_lines(seg_class, total_leaf)
    if seg_class == "SECURED":
        totals["7"] = max(totals["0"], totals["6"])
        totals["F9"] = totals["F8"] - totals["7"]
        totals["F10"] = target_usd(target, totals["7"])
        totals["F11"] = totals["F9"] - totals["F10"]
    else:
        totals["15"] = target_usd(target, totals["6"])
        totals["16"] = totals["14"] - totals["15"]
    result["ALL"] = {code: (amount, amount) for code, amount in totals.items()}
    return result


# ---------------------------------------------------------------------------------------------------- status, alerts


def alert_id(seg_class: str, code: str, currency: str | None, subject: str | None) -> str:
    """The content id of an alert: class, code, currency and subject (as the SQL's md5)."""
    text = f"{seg_class}|{code}|{currency or ''}|{subject or ''}"
    return hashlib.md5(text.encode("utf-8")).hexdigest()[:16]


def _alert(seg_class: str, code: str, severity: str, currency: str | None, amount_usd: Decimal | None,
           subject: str | None) -> dict:
    return {"alert_id": alert_id(seg_class, code, currency, subject), "seg_class": seg_class, "code": code,
            "severity": severity, "currency": currency, "amount_usd": amount_usd, "subject": subject}


@dataclass(frozen=True)
class ClassView:
    """One class's intermediate results the status and the alerts read."""

    seg_class: str
    converted: list[Contribution]
    sources: list[dict]
    equity: list[dict]
    missing_rates: list[str]
    unvalued: list[dict]
    totals: dict[str, Decimal]
    unknown: frozenset[tuple[str, str]] = frozenset()


def _input_alerts(view: ClassView, inputs: SegInputs) -> list[dict]:
    """INCOMPLETE_INPUTS, MISSING_FX_RATE and UNVALUED_OPTION_POSITION: what makes the statement NOT_FILEABLE."""
    alerts = [_alert(view.seg_class, "INCOMPLETE_INPUTS", "CRITICAL", None, None, name)
              for name in sorted({p["source_file"] for p in inputs.file_problems})]
    alerts += [_alert(view.seg_class, "MISSING_FX_RATE", "CRITICAL", c, None, c) for c in view.missing_rates]
    alerts += [_alert(view.seg_class, "UNVALUED_OPTION_POSITION", "CRITICAL", r["currency"], None, r["record_id"])
               for r in view.unvalued]
    alerts += [_alert(view.seg_class, "INCOMPLETE_INPUTS", "CRITICAL", a["currency"], None, a["bank_account_id"])
               for a in missing_balances(inputs) if a["seg_class"] == view.seg_class]
    alerts += [_alert(view.seg_class, "QUARANTINED_INPUT_ROWS", "HIGH", None, None, name)
               for name in quarantined_input_files(inputs, view.seg_class)]
    accounts = _class_bank_accounts(inputs)
    alerts += [_alert(view.seg_class, "CARRIED_BANK_BALANCE", "INFO", r["currency"], None, r["bank_account_id"])
               for r in inputs.closing_balances if r.get("source_table") == CARRIED_SOURCE_TABLE
               and r["bank_account_id"] in accounts and accounts[r["bank_account_id"]]["counted"]
               and accounts[r["bank_account_id"]]["seg_class"] == view.seg_class]
    return alerts


def quarantined_input_files(inputs: SegInputs, seg_class: str) -> list[str]:
    """The day's files the ``seg_class`` statement is computed from that had rows quarantined (a row breaking its
    contract, or a balance of an account the reference data does not know): money in no line, named by an alert."""
    names = [*STATEMENT_FILES, *(SECURED_FILES if seg_class == "SECURED" else ())]
    known = {row["account_id"] for row in inputs.accounts}
    files = {row["source_file"] for row in inputs.quarantined_rows}
    files |= {row["source_file"] for row in inputs.balances if row["account_id"] not in known}
    return sorted(f for f in files if any(f.endswith((f"/ledger/{n}.csv", f"/ledger/{n}.parquet")) for n in names))


def _sum_or_none(amounts: list[Decimal | None]) -> Decimal | None:
    return None if any(a is None for a in amounts) else sum(amounts, ZERO)


def _exclusion_alerts(view: ClassView, inputs: SegInputs) -> list[dict]:
    """MISSING_ACK_LETTER per account with no letter, UNRECOGNISED_DEPOSITORY per depository not of the class."""
    excluded: dict[tuple[str, str], list[Decimal | None]] = defaultdict(list)
    for c in view.converted:
        if c.kind == "EXCLUDED":
            excluded[(c.figure, c.subject)].append(c.amount_usd)
    alerts = [
        _alert(view.seg_class, "MISSING_ACK_LETTER", "HIGH", account["currency"],
               _sum_or_none(excluded.get(("NO_ACK_LETTER", account["bank_account_id"]), [])),
               account["bank_account_id"])
        for account in _class_bank_accounts(inputs).values()
        if account["seg_class"] == view.seg_class and not account["counted"]
    ]
    alerts += [_alert(view.seg_class, "UNRECOGNISED_DEPOSITORY", "REVIEW", None, _sum_or_none(amounts), subject)
               for (figure, subject), amounts in sorted(excluded.items()) if figure == "UNRECOGNISED_DEPOSITORY"]
    return alerts


def currency_positions(view: ClassView) -> dict[str, dict[str, Decimal | None]]:
    """currency -> requirement, requirement_usd, funds, funds_usd for the currencies in use with a rate (funds None
    where a bank balance in the currency is missing)."""
    in_use = {c.currency for c in view.converted if c.kind in ("LINE", "MEMO") and c.amount_usd is not None}
    in_use -= set(view.missing_rates)
    unit_nle: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for c in view.converted:
        if c.kind == "MEMO" and c.figure == "NLE" and c.amount_usd is not None:
            pair = unit_nle[(c.unit_id, c.currency)]
            pair[0] += c.amount
            pair[1] += c.amount_usd
    positions = {c: {"requirement": ZERO, "requirement_usd": ZERO, "funds": ZERO, "funds_usd": ZERO} for c in in_use}
    for (_, currency), (nle, nle_usd) in unit_nle.items():
        if nle > 0 and currency in positions:
            positions[currency]["requirement"] += nle
            positions[currency]["requirement_usd"] += nle_usd
    funds_leaves = SECURED_FUNDS_LEAVES if view.seg_class == "SECURED" else SEG_FUNDS_LEAVES
    for s in view.sources:
        if s["line"] in funds_leaves and s["currency"] in positions:
            positions[s["currency"]]["funds"] += s["amount"]
            positions[s["currency"]]["funds_usd"] += s["amount_usd"]
    funds_line = "F8" if view.seg_class == "SECURED" else "13"
    for currency, p in positions.items():
        if (funds_line, currency) in view.unknown:
            p["funds"] = p["funds_usd"] = None
    return positions


def _figure_alerts(view: ClassView) -> list[dict]:
    """CURRENCY_SHORTFALL per currency; DEFICIENCY, BELOW_TARGET, RESIDUAL_INTEREST_SHORTFALL for the class."""
    secured = view.seg_class == "SECURED"
    excess_line, target_line = ("F9", "F10") if secured else ("14", "15")
    excess, target = view.totals.get(excess_line), view.totals[target_line]
    um_total = sum((unit["um_adj_usd"] for unit in view.equity), ZERO)
    alerts = [
        _alert(view.seg_class, "CURRENCY_SHORTFALL", "REVIEW", currency,
               p["requirement_usd"] - p["funds_usd"], currency)
        for currency, p in sorted(currency_positions(view).items())
        if p["funds"] is not None and p["funds"] < p["requirement"]
    ]
    if excess is None:  # unknown: a bank balance it adds up is missing (INCOMPLETE_INPUTS says which)
        return alerts
    if excess < 0:
        alerts.append(_alert(view.seg_class, "DEFICIENCY", "CRITICAL", None, -excess, excess_line))
    if excess < target:
        alerts.append(_alert(view.seg_class, "BELOW_TARGET", "HIGH", None, target - excess, excess_line))
    if excess < um_total:
        alerts.append(_alert(view.seg_class, "RESIDUAL_INTEREST_SHORTFALL", "HIGH", None, um_total - excess,
                             excess_line))
    return alerts


def refiling_alerts(seg_class: str, amounts: dict[str, dict[str, tuple]], inputs: SegInputs) -> list[dict]:
    """REFILING_MAY_BE_NEEDED when the class was marked filed for the date and a filed figure (a line and currency,
    exact, in the currency or in USD) differs from today's, or exists on one side only; the amount is how much the
    EXCESS line moved (0 when only other lines changed)."""
    filed_rows = [r for r in inputs.filed_lines if r["seg_class"] == seg_class]
    if not filed_rows:
        return []
    filed = {(r["line"], r["currency"]): (r["amount"], r["amount_usd"]) for r in filed_rows}
    current = {(line, currency): pair for currency, by_line in amounts.items() for line, pair in by_line.items()}
    changed = {key for key in filed.keys() | current.keys() if filed.get(key) != current.get(key)}
    if not changed:
        return []
    excess_line = next(line.line for line in load_lines() if line.seg_class == seg_class and line.role == "EXCESS")
    key = (excess_line, "ALL")
    moved = current[key][1] - filed[key][1] if key in changed and key in filed and key in current else ZERO
    return [_alert(seg_class, "REFILING_MAY_BE_NEEDED", "HIGH", None, moved, filed_rows[0]["run_id"])]


# ---------------------------------------------------------------------------------------------------- statements


def _class_view(seg_class: str, converted: list[Contribution], settings: Settings, inputs: SegInputs,
                valuations: list[dict]) -> tuple[ClassView, dict[str, dict[str, tuple]]]:
    """The class's sources, per-account figures, missing rates, unvalued options and line amounts."""
    mine = [c for c in converted if c.seg_class == seg_class]
    in_use = [c for c in mine if c.kind in ("LINE", "MEMO")]
    missing_rates = sorted({c.currency for c in in_use if c.amount_usd is None})
    equity = account_equity(mine, settings)
    sources = line_sources(mine, equity)
    targets = {t["seg_class"]: t for t in inputs.targets}
    currencies = {c.currency for c in in_use} - set(missing_rates)
    amounts = class_lines(seg_class, sources, currencies, targets.get(seg_class))
    unknown = unknown_lines(seg_class, inputs)
    amounts = {currency: {line: pair for line, pair in by_line.items() if (line, currency) not in unknown}
               for currency, by_line in amounts.items()}
    sources = [s for s in sources if (s["line"], s["currency"]) not in unknown]
    unvalued = [r for r in valuations if r["seg_class"] == seg_class and r["long_value"] is None
                and (r["fin_long"] != 0 or r["fin_short"] != 0)]
    totals = {code: pair[1] for code, pair in amounts["ALL"].items()}
    view = ClassView(seg_class, mine, sources, list(equity.values()), missing_rates, unvalued, totals,
                     frozenset(unknown))
    return view, amounts


def _statement_rows(seg_class: str, amounts: dict[str, dict[str, tuple]], status: str) -> list[dict]:
    rows = []
    for line in load_lines():
        if line.seg_class != seg_class:
            continue
        for currency, by_line in sorted(amounts.items()):
            if line.line in by_line:
                amount, amount_usd = by_line[line.line]
                rows.append({"seg_class": seg_class, "line_order": line.line_order, "line": line.line,
                             "label": line.label, "role": line.role, "currency": currency, "amount": amount,
                             "amount_usd": amount_usd, "statement_status": status})
    return rows


def compute_statements(inputs: SegInputs, settings: Settings | None = None) -> Statements:
    """The three customer statements, their alerts, drill-down and per-account figures, from ``inputs``."""
    settings = settings or Settings()
    result = Statements()
    with decimal.localcontext(MONEY_CONTEXT):
        converted = contributions(inputs, settings)
        valuations = option_valuations(inputs)
        for seg_class in CUSTOMER_CLASSES:
            view, amounts = _class_view(seg_class, converted, settings, inputs, valuations)
            fileable = (not inputs.file_problems and not view.missing_rates and not view.unvalued
                        and not view.unknown)
            status = "FILEABLE" if fileable else "NOT_FILEABLE"
            result.lines.extend(_statement_rows(seg_class, amounts, status))
            result.alerts.extend(_input_alerts(view, inputs) + _exclusion_alerts(view, inputs) + _figure_alerts(view)
                                 + refiling_alerts(seg_class, amounts, inputs))
            result.sources.extend(view.sources)
            result.accounts.extend(view.equity)
    return result
