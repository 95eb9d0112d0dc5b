"""Small landing areas written inline for tests: a reader sees every row that goes in."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from recon.contracts.bai2_writer import Bai2Account, Bai2Group, Bai2Transaction, write_bai2
from recon.contracts.ledger import DAY_CONTRACTS, OPTIONAL_DAY_FILES
from recon.contracts.reference import REFERENCE_CONTRACTS
from recon.warehouse import DuckDBWarehouse

DAY = date(2026, 11, 24)
BANK_ACCOUNT_HEADER = [
    "bank_account_id", "depository", "depository_type", "country", "seg_class", "purpose", "currency",
    "statement_format", "acknowledgment_letter_date", "effective_from", "effective_to",
]
ACCOUNT_HEADER = [
    "account_id", "account_name", "seg_class", "account_type", "beneficial_owner_id", "clearing_account",
    "effective_from", "effective_to",
]
JOURNAL_HEADER = [
    "entry_id", "value_date", "account_id", "bank_account_id", "seg_class", "entry_type", "counterparty", "currency",
    "amount", "reference", "description",
]


EMPTY_FIXML = '<FIXML v="5.0 SP2"><Batch TotMsg="0"></Batch></FIXML>\n'


def write_required_headers(root: Path, business_date: date) -> None:
    """Every required file the test did not write, as a header with no rows, so the day is complete."""
    for name, (contract, _) in REFERENCE_CONTRACTS.items():
        path = root / "reference" / f"{name}.csv"
        if not path.exists():
            write_csv(path, [f.name for f in contract.fields], [])
    for table, (folder, contract) in DAY_CONTRACTS.items():
        name = table.split("__", 1)[1]
        path = root / business_date.isoformat() / folder / f"{name}.csv"
        if name not in OPTIONAL_DAY_FILES and not path.exists():
            write_csv(path, [f.name for f in contract.fields], [])
    clearing = root / business_date.isoformat() / "clearing" / "positions.xml"
    if not any(clearing.parent.glob("*.xml")):
        clearing.parent.mkdir(parents=True, exist_ok=True)
        clearing.write_text(EMPTY_FIXML, encoding="utf-8")


def write_csv(path: Path, header: list[str], rows: list[list[object]], shuffle_seed: int | None = None) -> Path:
    """Write a CSV with a header; rows shuffled when a seed is given."""
    rows = list(rows)
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else str(v) for v in row] for row in rows)
    return path


@dataclass
class CashDay:
    """One day of the CASH slice: bank transactions per account and the cash journal, as the test states them.

    accounts: the rows of reference/accounts.csv; None writes a SEG customer account for every account the journal
    names (an account the reference data does not know is quarantined, so a test of one states the accounts).
    """

    bank: dict[str, list[Bai2Transaction]] = field(default_factory=dict)
    closing: dict[str, Decimal] = field(default_factory=dict)
    journal: list[list[object]] = field(default_factory=list)
    bank_accounts: list[list[object]] = field(default_factory=lambda: [
        ["100200300", "Bank One", "BANK", "US", "SEG", "CUSTOMER_FUNDS", "USD", "BAI2", "2020-01-02", "2020-01-01", ""],
        ["100200400", "Bank One", "BANK", "US", "SEG", "SETTLEMENT", "USD", "BAI2", "2020-01-02", "2020-01-01", ""],
    ])
    accounts: list[list[object]] | None = None

    def write(self, root: Path, business_date: date = DAY, shuffle_seed: int | None = None) -> Path:
        """Write the landing area under ``root``; with a seed, every file's rows are shuffled."""
        write_csv(root / "reference" / "bank_accounts.csv", BANK_ACCOUNT_HEADER, self.bank_accounts, shuffle_seed)
        account_rows = self.accounts
        if account_rows is None:
            named = sorted({str(row[2]) for row in self.journal if row[2]})
            account_rows = [[account, "", "SEG", "CUSTOMER", "", "", "2020-01-01", ""] for account in named]
        write_csv(root / "reference" / "accounts.csv", ACCOUNT_HEADER, account_rows, shuffle_seed)
        accounts = []
        for row in self.bank_accounts:
            if row[7] != "BAI2":
                continue
            transactions = list(self.bank.get(row[0], []))
            if shuffle_seed is not None:
                random.Random(shuffle_seed).shuffle(transactions)
            balances = {"015": self.closing.get(row[0], Decimal("0"))}
            accounts.append(Bai2Account(row[0], row[6], balances, transactions))
        text = write_bai2("1", "BANKONE", "FCM", business_date, [Bai2Group("BANKONE", business_date, accounts)])
        bank_file = root / business_date.isoformat() / "bank" / "bankone.bai2"
        bank_file.parent.mkdir(parents=True, exist_ok=True)
        bank_file.write_text(text, encoding="utf-8")
        write_csv(root / business_date.isoformat() / "ledger" / "cash_journal.csv", JOURNAL_HEADER, self.journal,
                  shuffle_seed)
        write_required_headers(root, business_date)
        return root


def journal_row(entry_id: str, amount: str, reference: str, *, value_date: date = DAY, entry_type: str = "CUSTOMER_DEPOSIT",
                bank_account_id: str = "100200300", account_id: str = "C001") -> list[object]:
    """A cash journal row with the usual defaults."""
    return [entry_id, value_date.isoformat(), account_id, bank_account_id, "SEG", entry_type, "", "USD", amount,
            reference, ""]


def credit(amount: str, reference: str, type_code: str = "195") -> Bai2Transaction:
    """A bank credit (a 195 incoming wire by default)."""
    return Bai2Transaction(type_code, Decimal(amount), f"B{reference}", reference, f"WIRE {reference}")


def debit(amount: str, reference: str, type_code: str = "495") -> Bai2Transaction:
    """A bank debit (a 495 outgoing wire by default), written unsigned as BAI2 does."""
    return Bai2Transaction(type_code, Decimal(amount), f"B{reference}", reference, f"WIRE {reference}")


def partition_rows(warehouse: Path, table: str, day: date) -> list[dict]:
    """The rows of ``table``'s partition of ``day`` in the DuckDB warehouse file ``warehouse``."""
    with DuckDBWarehouse(warehouse) as target:
        return target.read_partition(table, day)
