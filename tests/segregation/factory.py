"""The worked example of spec/segregation.md as a landing area: the files `fcm-recon run` reads for one day.

Everything the example's lines come from is in a file of its real format: reference CSVs, the ledger's balances,
custody and other-FCM equities, the DCO's collateral file, a BAI2 statement with the 015 closing balances, CME FIXML
position reports (options valued for 10A/10B, end-of-day futures whose FMTM sums to -35,000 for line 9), and the
day's FX rates. Every other required file is written with no rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from recon.contracts.bai2_writer import Bai2Account, Bai2Group, write_bai2
from recon.contracts.fixml_writer import BatchWriter, FixmlInstrument, instrument_element, position_report
from tests.factory import BANK_ACCOUNT_HEADER, write_csv, write_required_headers

DAY = date(2026, 11, 24)
SINCE = "2020-01-01"
BALANCE_HEADER = ["account_id", "currency", "cash_balance", "securities_value", "open_trade_equity",
                  "long_option_value", "short_option_value", "initial_margin_requirement", "offset_securities_value"]
BALANCES = [
    ["A", "USD", "1000000", "500000", "200000", "50000", "0", "1200000", "0"],
    ["B", "USD", "300000", "0", "-250000", "0", "80000", "400000", "0"],
    ["C", "USD", "-20000", "0", "0", "0", "0", "0", "13500"],
    ["D", "USD", "400000", "0", "-100000", "0", "0", "450000", "0"],
    ["E", "EUR", "100000", "0", "20000", "0", "0", "50000", "0"],
    ["H", "USD", "999999", "0", "0", "0", "0", "5", "0"],
]
BANK_ACCOUNTS = [
    ["SEGBANK1", "Bank One", "BANK", "US", "SEG", "CUSTOMER_FUNDS", "USD", "BAI2", "2020-01-02", SINCE, ""],
    ["SEGCUST1", "Custody Bank", "CUSTODIAN", "US", "SEG", "INVESTMENT", "USD", "BAI2", "2020-01-02", SINCE, ""],
    ["SEGSETTLE", "Bank One", "BANK", "US", "SEG", "SETTLEMENT", "USD", "BAI2", "2020-01-02", SINCE, ""],
]
CLOSING = {"SEGBANK1": Decimal("900000"), "SEGCUST1": Decimal("0"), "SEGSETTLE": Decimal("0")}
POSITION_ACCOUNT = "800"


TARGETS = [["SEG", "250000", "", "Board", "2026-01-05", SINCE, ""]]
TARGETS_HEADER = ["seg_class", "target_amount_usd", "target_pct_of_requirement", "approved_by", "approved_on",
                  "effective_from", "effective_to"]
JOURNAL_HEADER = ["entry_id", "value_date", "account_id", "bank_account_id", "seg_class", "entry_type",
                  "counterparty", "currency", "amount", "reference", "description"]


@dataclass
class Scenario:
    """The worked example's landing area, with the changes a test states (every default is the worked example)."""

    balances: list[list[str]] = field(default_factory=lambda: list(BALANCES))
    accounts: list[tuple[str, str]] = field(default_factory=lambda: [(a, "SEG") for a in "ABCDE"])
    bank_accounts: list[list[str]] = field(default_factory=lambda: list(BANK_ACCOUNTS))
    closing: dict[str, Decimal] = field(default_factory=lambda: dict(CLOSING))
    targets: list[list[str]] = field(default_factory=lambda: list(TARGETS))
    fx_rates: list[list[str]] = field(default_factory=lambda: [["EUR", "1.10"], ["USD", "1"]])
    foreign_requirements: list[list[str]] = field(default_factory=list)
    journal: list[list[str]] = field(default_factory=list)


def _reference(root: Path, scenario: Scenario) -> None:
    reference = root / "reference"
    write_csv(reference / "accounts.csv",
              ["account_id", "account_name", "seg_class", "account_type", "beneficial_owner_id", "clearing_account",
               "effective_from", "effective_to"],
              [[a, f"Customer {a}", seg_class, "CUSTOMER", "", POSITION_ACCOUNT, SINCE, ""]
               for a, seg_class in scenario.accounts]
              + [["H", "House", "HOUSE", "PROPRIETARY", "", "", SINCE, ""]])
    write_csv(reference / "bank_accounts.csv", BANK_ACCOUNT_HEADER, scenario.bank_accounts)
    write_csv(reference / "clearing_accounts.csv",
              ["dco", "position_account", "origin_code", "seg_class", "settlement_bank_account_id", "currency",
               "effective_from", "effective_to"],
              [["CME", POSITION_ACCOUNT, "1", "SEG", "SEGSETTLE", "USD", SINCE, ""]])
    write_csv(reference / "products.csv",
              ["exchange", "product_code", "instrument_type", "multiplier", "price_factor", "currency",
               "foreign_board"],
              [["CBT", "OZN", "OPT", "1000", "1", "USD", "N"], ["CBT", "ZN", "FUT", "1000", "1", "USD", "N"]])
    write_csv(reference / "targets.csv", TARGETS_HEADER, scenario.targets)


def _ledger(day: Path, scenario: Scenario) -> None:
    ledger = day / "ledger"
    write_csv(ledger / "balances.csv", BALANCE_HEADER, scenario.balances)
    write_csv(ledger / "custody.csv",
              ["seg_class", "depository_account_id", "holding_type", "cusip", "description", "instrument_class",
               "quantity", "market_value", "currency"],
              [["SEG", "SEGCUST1", "INVESTMENT", "912828XX1", "US Treasury bill", "TBILL", "600000", "600000", "USD"]])
    write_csv(ledger / "other_fcm_equities.csv",
              ["fcm", "seg_class", "currency", "net_liquidating_equity", "investments_value",
               "customer_securities_value"],
              [["FCMX", "SEG", "USD", "140000", "0", "0"]])
    write_csv(ledger / "bank_balances.csv", ["bank_account_id", "currency", "book_balance"],
              [[account, "USD", str(amount)] for account, amount in scenario.closing.items()])
    if scenario.foreign_requirements:
        write_csv(ledger / "foreign_requirements.csv", ["jurisdiction", "currency", "amount"],
                  scenario.foreign_requirements)
    if scenario.journal:
        write_csv(ledger / "cash_journal.csv", JOURNAL_HEADER, scenario.journal)
    write_csv(ledger / "collateral_books.csv", COLLATERAL_HEADER, COLLATERAL)


COLLATERAL_HEADER = ["dco", "seg_class", "asset_type", "holding_type", "cusip", "currency", "quantity", "market_value"]
COLLATERAL = [["CME", "SEG", "CASH", "", "", "USD", "", "400000"],
              ["CME", "SEG", "SECURITY", "CUSTOMER_OWNED", "912828YY2", "USD", "500000", "500000"]]


def _position_reports() -> list[str]:
    """Option reports valued for 10A (10 x 5 x 1000) and 10B (16 x 5 x 1000); futures whose FMTM sums to -35,000."""
    option = instrument_element(FixmlInstrument("OZN", "OZNH7 C110", "OPT", "202703", "CBT", "1000", "C", "110"))
    future = instrument_element(FixmlInstrument("ZN", "ZNH7", "FUT", "202703", "CBT", "1000"))
    common = (DAY, "EOD", "USD")
    party = ("CME", "999", POSITION_ACCOUNT, "1")
    return [
        position_report("P-OPT-LONG", *common, "5", *party, option, [("FIN", 10, 0)], []),
        position_report("P-OPT-SHORT", *common, "5", *party, option, [("FIN", 0, 16)], []),
        position_report("P-FUT-1", *common, "110.5", *party, future, [("FIN", 20, 0)], [("FMTM", Decimal("-50000"))]),
        position_report("P-FUT-2", *common, "110.5", *party, future, [("FIN", 0, 6)], [("FMTM", Decimal("15000"))]),
    ]


def _clearing(day: Path) -> None:
    clearing = day / "clearing"
    write_csv(clearing / "collateral.csv", COLLATERAL_HEADER, COLLATERAL)
    reports = _position_reports()
    with (clearing / "positions.xml").open("w", encoding="utf-8") as handle, BatchWriter(handle, len(reports)) as batch:
        for report in reports:
            batch.write(report)


def _bank(day: Path, scenario: Scenario) -> None:
    accounts = [Bai2Account(account, "USD", {"015": amount}) for account, amount in scenario.closing.items()]
    text = write_bai2("1", "BANKONE", "FCM", DAY, [Bai2Group("BANKONE", DAY, accounts)])
    (day / "bank").mkdir(parents=True, exist_ok=True)
    (day / "bank" / "bankone.bai2").write_text(text, encoding="utf-8")


def write_worked_example(root: Path, scenario: Scenario | None = None) -> Path:
    """Write the worked example's landing area under ``root`` for business date DAY, changed as ``scenario`` says;
    returns ``root``."""
    scenario = scenario or Scenario()
    day = root / DAY.isoformat()
    _reference(root, scenario)
    _ledger(day, scenario)
    (day / "clearing").mkdir(parents=True, exist_ok=True)
    _clearing(day)
    _bank(day, scenario)
    write_csv(day / "reference" / "fx_rates.csv", ["currency", "usd_per_unit"], scenario.fx_rates)
    write_required_headers(root, DAY)
    return root
