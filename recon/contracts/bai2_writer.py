"""Writes BAI2 files with correct control totals: the generator's bank files and the tests' inline inputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from recon.errors import InvariantViolation
from recon.money import currency_places


@dataclass(frozen=True)
class Bai2Transaction:
    """A 16 record: type code (100-399 credit, 400-699 debit), amount (positive), references and text."""

    type_code: str
    amount: Decimal
    bank_reference: str = ""
    customer_reference: str = ""
    text: str = ""


@dataclass(frozen=True)
class Bai2Account:
    """An 03 account with its balances by status code (e.g. {"010": opening, "015": closing}) and transactions."""

    account_number: str
    currency: str
    balances: dict[str, Decimal] = field(default_factory=dict)
    transactions: Sequence[Bai2Transaction] = ()


@dataclass(frozen=True)
class Bai2Group:
    """An 02 group for one as-of date; modifier 2 (final previous-day) unless said otherwise."""

    originator: str
    as_of_date: date
    accounts: Sequence[Bai2Account]
    as_of_modifier: str = "2"
    group_status: str = "1"


def _cents(amount: Decimal, currency: str) -> int:
    scaled = amount.scaleb(currency_places(currency))
    if scaled != scaled.to_integral_value():
        raise InvariantViolation(f"{amount} {currency} has more places than the currency allows")
    return int(scaled)


def _account_records(account: Bai2Account) -> tuple[list[str], int]:
    total = 0
    summary = []
    for code, amount in sorted(account.balances.items()):
        cents = _cents(amount, account.currency)
        total += cents
        summary.append(f"{code},{cents},,")
    records = [f"03,{account.account_number},{account.currency}," + ",".join(summary) + "/"]
    for tx in account.transactions:
        cents = _cents(tx.amount, account.currency)
        if cents < 0:
            raise InvariantViolation("BAI2 transaction amounts are unsigned; the type code carries the direction")
        total += cents
        records.append(f"16,{tx.type_code},{cents},0,{tx.bank_reference},{tx.customer_reference},{tx.text}")
    records.append(f"49,{total},{len(records) + 1}/")
    return records, total


def write_bai2(file_id: str, sender: str, receiver: str, created: date, groups: Sequence[Bai2Group]) -> str:
    """The text of a BAI2 file (LF line ends, one record per line) whose 49/98/99 trailers all agree."""
    lines = [f"01,{sender},{receiver},{created:%y%m%d},0600,{file_id},,,2/"]
    file_total = 0
    for group in groups:
        group_lines = [f"02,{receiver},{group.originator},{group.group_status},{group.as_of_date:%y%m%d},2400,,"
                       f"{group.as_of_modifier}/"]
        group_total = 0
        for account in group.accounts:
            records, total = _account_records(account)
            group_lines.extend(records)
            group_total += total
        group_lines.append(f"98,{group_total},{len(group.accounts)},{len(group_lines) + 1}/")
        lines.extend(group_lines)
        file_total += group_total
    lines.append(f"99,{file_total},{len(groups)},{len(lines) + 1}/")
    return "\n".join(lines) + "\n"
