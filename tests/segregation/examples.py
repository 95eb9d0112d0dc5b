"""Inputs written as the rows of the tables the segregation models read: the worked example of spec/segregation.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

DAY = date(2026, 11, 24)
LETTER = date(2020, 1, 2)
D = Decimal


def balance(account: str, currency: str, cash: str, sec: str = "0", ote: str = "0", long: str = "0",
            short: str = "0", im: str = "0", offset: str = "0") -> dict:
    """A ledger balances row (record_id from the contract's key, as the reader makes it)."""
    return {
        "source_file": f"{DAY}/ledger/balances.csv", "record_id": f"balances:{account}|{currency}",
        "location": "line 2", "account_id": account, "currency": currency, "cash_balance": D(cash),
        "securities_value": D(sec), "open_trade_equity": D(ote), "long_option_value": D(long),
        "short_option_value": D(short), "initial_margin_requirement": D(im), "offset_securities_value": D(offset),
    }


def account(account_id: str, seg_class: str = "SEG", owner: str = "", account_type: str = "CUSTOMER") -> dict:
    return {"account_id": account_id, "account_name": f"Account {account_id}", "seg_class": seg_class,
            "account_type": account_type, "beneficial_owner_id": owner, "clearing_account": "800"}


def bank_account(bank_account_id: str, seg_class: str = "SEG", depository_type: str = "BANK", country: str = "US",
                 purpose: str = "CUSTOMER_FUNDS", currency: str = "USD", letter: date | None = LETTER) -> dict:
    return {"bank_account_id": bank_account_id, "depository": f"Depository of {bank_account_id}",
            "depository_type": depository_type, "country": country, "seg_class": seg_class, "purpose": purpose,
            "currency": currency, "statement_format": "BAI2", "acknowledgment_letter_date": letter}


def closing(bank_account_id: str, amount: str, currency: str = "USD") -> dict:
    return {"bank_account_id": bank_account_id, "currency": currency, "amount": D(amount),
            "record_id": f"bal-{bank_account_id}-{currency}", "source_file": f"{DAY}/bank/bank.bai2"}


def option_report(record_id: str, seg_class: str, fin_long: str, fin_short: str, price: str | None,
                  product: str = "OZN", currency: str = "USD", session: str = "EOD", day: date = DAY,
                  route: str = "DCO_SETTLEMENT") -> dict:
    return {
        "record_id": record_id, "source_file": f"{DAY}/clearing/positions.xml", "rpt_id": record_id,
        "biz_date": day, "settl_session": session, "position_account": "800", "origin_code": "1", "dco": "CME",
        "currency": currency, "settlement_price": None if price is None else D(price), "exchange": "CBT",
        "product_code": product, "security_type": "OPT", "contract_month": "202703", "put_call": "C",
        "strike": D("110"), "sod_long": D(fin_long), "sod_short": D(fin_short), "fin_long": D(fin_long),
        "fin_short": D(fin_short), "seg_class": seg_class, "settlement_bank_account_id": "SEGSETTLE",
        "expected_origin_code": "1", "business_date": DAY, "route_reason": "", "route": route,
    }


def dco_cycle(seg_class: str, amount: str, currency: str = "USD", cycle: str = "EOD", status: str = "PENDING",
              bank_account_id: str = "SEGSETTLE") -> dict:
    return {"dco": "CME", "settlement_bank_account_id": bank_account_id, "seg_class": seg_class,
            "currency": currency, "cycle": cycle, "cycle_date": DAY, "amount": D(amount),
            "clearing_records": ["pos-1", "pos-2"], "source_files": [f"{DAY}/clearing/positions.xml"],
            "reference": f"CME-{cycle}-{DAY:%Y%m%d}", "payment_date": date(2026, 11, 25), "status": status}


def worked_example() -> dict[str, list[dict]]:
    """spec/segregation.md's worked example (SEG, EUR 1 = USD 1.10), with a HOUSE account that must not count."""
    return {
        "src_reference__accounts": [account(a) for a in "ABCDE"] + [account("H", "HOUSE", account_type="PROPRIETARY")],
        "src_ledger__balances": [
            balance("A", "USD", "1000000", sec="500000", ote="200000", long="50000", im="1200000"),
            balance("B", "USD", "300000", ote="-250000", short="80000", im="400000"),
            balance("C", "USD", "-20000", offset="13500"),
            balance("D", "USD", "400000", ote="-100000", im="450000"),
            balance("E", "EUR", "100000", ote="20000", im="50000"),
            balance("H", "USD", "999999", im="5"),
        ],
        "src_reference__fx_rates": [{"currency": "EUR", "usd_per_unit": D("1.10"), "record_id": "fx_rates:EUR",
                                     "source_file": f"{DAY}/reference/fx_rates.csv"}],
        "src_reference__bank_accounts": [
            bank_account("SEGBANK1"),
            bank_account("SEGCUST1", depository_type="CUSTODIAN", purpose="INVESTMENT"),
            bank_account("SEGSETTLE", purpose="SETTLEMENT"),
        ],
        "int_bank_closing_balances": [closing("SEGBANK1", "900000"), closing("SEGCUST1", "0"),
                                      closing("SEGSETTLE", "0")],
        "src_ledger__custody": [{
            "source_file": f"{DAY}/ledger/custody.csv", "record_id": "custody:SEG|SEGCUST1|INVESTMENT|912828XX1",
            "seg_class": "SEG", "depository_account_id": "SEGCUST1", "holding_type": "INVESTMENT",
            "cusip": "912828XX1", "quantity": D("600000"), "market_value": D("600000"), "currency": "USD"}],
        "src_clearing__collateral": [
            {"source_file": f"{DAY}/clearing/collateral.csv", "record_id": "collateral:CME|SEG|CASH|||USD",
             "dco": "CME", "seg_class": "SEG", "asset_type": "CASH", "currency": "USD", "market_value": D("400000")},
            {"source_file": f"{DAY}/clearing/collateral.csv",
             "record_id": "collateral:CME|SEG|SECURITY|CUSTOMER_OWNED|912828YY2|USD", "dco": "CME",
             "seg_class": "SEG", "asset_type": "SECURITY", "holding_type": "CUSTOMER_OWNED", "cusip": "912828YY2",
             "currency": "USD", "quantity": D("500000"), "market_value": D("500000")},
        ],
        "int_dco_cycles": [dco_cycle("SEG", "-35000")],
        "int_position_reports_classified": [option_report("opt-long", "SEG", "10", "0", "5"),
                                            option_report("opt-short", "SEG", "0", "16", "5")],
        "src_reference__products": [{"exchange": "CBT", "product_code": "OZN", "instrument_type": "OPT",
                                     "multiplier": D("1000"), "price_factor": D("1"), "currency": "USD",
                                     "foreign_board": "N"}],
        "src_ledger__other_fcm_equities": [{
            "source_file": f"{DAY}/ledger/other_fcm_equities.csv", "record_id": "other_fcm_equities:FCMX|SEG|USD",
            "fcm": "FCMX", "seg_class": "SEG", "currency": "USD", "net_liquidating_equity": D("140000"),
            "investments_value": D("0"), "customer_securities_value": D("0")}],
        "src_reference__targets": [{"seg_class": "SEG", "target_amount_usd": D("250000"),
                                    "target_pct_of_requirement": None, "approved_by": "Board",
                                    "approved_on": date(2026, 1, 5)}],
    }


# The statement of the worked example, line by line in USD (spec/segregation.md).
WORKED_SEG_LINES = {
    "1A": "1790000", "1B": "500000", "2": "-128000", "3A": "50000", "3B": "-80000", "4": "2132000",
    "5_GROSS": "50000", "5_OFFSET": "-13500", "5": "36500", "6": "2168500", "7A": "900000", "7B": "600000",
    "7C": "0", "8A": "400000", "8B": "0", "8C": "500000", "9": "-35000", "10A": "50000", "10B": "-80000",
    "11A": "140000", "11B": "0", "11C": "0", "12": "0", "13": "2475000", "14": "306500", "15": "250000",
    "16": "56500",
}
WORKED_UM_ADJ = {"account:A": "0", "account:B": "400000", "account:C": "13500", "account:D": "150000",
                 "account:E": "0"}


# ------------------------------------------------------------------------------------------------ randomised example

CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CHF")
CLASSES = ("SEG", "SECURED", "CLEARED_SWAPS", "HOUSE")


def _money(rng, low: int, high: int, places: int = 2) -> Decimal:
    """A random exact amount with ``places`` decimals between low and high."""
    scale = 10 ** places
    return Decimal(rng.randint(low * scale, high * scale)).scaleb(-places)


def _random_accounts(rng) -> tuple[list[dict], list[dict]]:
    accounts, balances = [], []
    for n in range(16):
        seg_class = CLASSES[n % 4]
        account_type = "PROPRIETARY" if seg_class == "HOUSE" else "CUSTOMER"
        accounts.append(account(f"R{n:02d}", seg_class, owner=f"OWN{n % 5}" if n % 3 else "", account_type=account_type))
        for currency in rng.sample(CURRENCIES, rng.randint(1, 3)):
            balances.append(balance(
                f"R{n:02d}", currency, str(_money(rng, -300_000, 900_000, rng.choice((0, 2, 9)))),
                sec=str(_money(rng, 0, 200_000) if rng.random() < 0.4 else 0),
                ote=str(_money(rng, -400_000, 300_000)), long=str(_money(rng, 0, 50_000)),
                short=str(_money(rng, 0, 80_000)), im=str(_money(rng, 0, 700_000)),
                offset=str(_money(rng, 0, 120_000) if rng.random() < 0.3 else 0)))
    return accounts, balances


def _random_banks(rng) -> tuple[list[dict], list[dict], list[dict]]:
    banks, closings, breaks = [], [], []
    kinds = (("BANK", "US"), ("BANK", "GB"), ("CUSTODIAN", "US"), ("CUSTODIAN", "CH"), ("DCO", "US"), ("FCM", "US"))
    for n, (seg_class, (depository_type, country)) in enumerate(
            (c, k) for c in CLASSES for k in rng.sample(kinds, 4)):
        bank_id = f"BA{n:02d}"
        currency = rng.choice(CURRENCIES[:3])
        banks.append(bank_account(bank_id, seg_class, depository_type, country, currency=currency,
                                  letter=None if rng.random() < 0.25 else LETTER))
        closings.append(closing(bank_id, str(_money(rng, -50_000, 2_000_000)), currency))
        for k in range(rng.randint(0, 2)):
            amount = _money(rng, -90_000, 90_000)
            breaks.append(cash_break(bank_id, seg_class, currency, rng.choice(("MISSING_BANK", "MISSING_BANK",
                                                                               "AMOUNT_MISMATCH", "DUPLICATE")),
                                     amount, f"J{n:02d}{k}", status=rng.choice(("NEW", "OPEN", "RESOLVED"))))
    return banks, closings, breaks


def cash_break(bank_id: str, seg_class: str, currency: str, break_type: str, ledger_amount: Decimal,
               entry_id: str, status: str = "NEW", booked: date = DAY) -> dict:
    """An int_breaks_aged CASH row with a ledger leg in the cash journal of ``booked``: found today (NEW), carried
    from an earlier day (OPEN) or carried and matched today (RESOLVED)."""
    return {"break_id": f"break-{entry_id}", "recon": "CASH", "break_type": break_type, "status": status, "seg_class": seg_class,
            "bank_account_id": bank_id, "account": "R00", "currency": currency, "reference": entry_id,
            "bank_amount": None, "ledger_amount": ledger_amount, "difference": -ledger_amount,
            "clearing_records": [], "bank_records": [], "ledger_records": [f"journal-{entry_id}"],
            "source_files": [f"{booked}/ledger/cash_journal.csv"], "grain_key": f"{bank_id}|{currency}|{entry_id}",
            "first_seen_date": booked}


def _random_holdings(rng, banks: list[dict]) -> dict[str, list[dict]]:
    custody, collateral, other, foreign = [], [], [], []
    for n in range(10):
        bank = rng.choice(banks)
        seg_class = bank["seg_class"] if rng.random() < 0.8 else rng.choice(CLASSES)
        custody.append({"source_file": f"{DAY}/ledger/custody.csv", "record_id": f"custody:{n}",
                        "seg_class": seg_class, "depository_account_id": bank["bank_account_id"],
                        "holding_type": rng.choice(("INVESTMENT", "CUSTOMER_OWNED")), "cusip": f"CUSIP{n:04d}",
                        "quantity": _money(rng, 1, 1000, 0), "market_value": _money(rng, 0, 700_000, 4),
                        "currency": rng.choice(CURRENCIES)})
        asset = rng.choice(("CASH", "SECURITY"))
        collateral.append({"source_file": f"{DAY}/clearing/collateral.csv", "record_id": f"collateral:{n}",
                           "dco": "CME", "seg_class": rng.choice(CLASSES), "asset_type": asset,
                           "holding_type": "" if asset == "CASH" else rng.choice(("INVESTMENT", "CUSTOMER_OWNED", "")),
                           "cusip": "" if asset == "CASH" else f"C{n:05d}", "currency": rng.choice(CURRENCIES),
                           "market_value": _money(rng, 0, 900_000)})
        other.append({"source_file": f"{DAY}/ledger/other_fcm_equities.csv", "record_id": f"other:{n}",
                      "fcm": f"FCM{n}", "seg_class": rng.choice(CLASSES), "currency": rng.choice(CURRENCIES),
                      "net_liquidating_equity": _money(rng, -20_000, 300_000),
                      "investments_value": _money(rng, 0, 50_000), "customer_securities_value": _money(rng, 0, 50_000)})
        foreign.append({"source_file": f"{DAY}/ledger/foreign_depository_equities.csv", "record_id": f"foreign:{n}",
                        "depository": f"DEP{n}",
                        "depository_type": rng.choice(("FBOT_CLEARING_ORG", "FBOT_MEMBER", "FCM", "OTHER")),
                        "currency": rng.choice(CURRENCIES), "cash": _money(rng, -10_000, 500_000),
                        "securities_value": _money(rng, 0, 100_000), "unrealized_pl": _money(rng, -50_000, 50_000),
                        "long_option_value": _money(rng, 0, 20_000), "short_option_value": _money(rng, 0, 20_000)})
    return {"src_ledger__custody": custody, "src_clearing__collateral": collateral,
            "src_ledger__other_fcm_equities": other, "src_ledger__foreign_depository_equities": foreign}


def _random_clearing(rng) -> dict[str, list[dict]]:
    reports, cycles = [], []
    for n in range(12):
        seg_class = rng.choice(CLASSES[:3])
        reports.append(option_report(
            f"opt-{n}", seg_class, str(rng.randint(0, 40)), str(rng.randint(0, 40)),
            None if rng.random() < 0.05 else str(_money(rng, 0, 300, 6)),
            product=rng.choice(("OZN", "OZN", "OES", "NOPE")), currency=rng.choice(("USD", "EUR")),
            session=rng.choice(("EOD", "EOD", "ITD")), day=DAY if rng.random() < 0.9 else date(2026, 11, 23),
            route="QUARANTINE" if rng.random() < 0.05 else "DCO_SETTLEMENT"))
    for seg_class in CLASSES[:3]:
        for currency in ("USD", "EUR"):
            cycles.append(dco_cycle(seg_class, str(_money(rng, -200_000, 200_000)), currency))
            cycles.append(dco_cycle(seg_class, str(_money(rng, -200_000, 200_000)), currency, cycle="ITD",
                                    status="DUE"))
    products = [{"exchange": "CBT", "product_code": "OZN", "instrument_type": "OPT", "multiplier": D("1000"),
                 "price_factor": D("0.015625"), "currency": "USD", "foreign_board": "N"},
                {"exchange": "CBT", "product_code": "OES", "instrument_type": "OPT", "multiplier": D("50"),
                 "price_factor": D("1"), "currency": "USD", "foreign_board": "N"}]
    return {"int_position_reports_classified": reports, "int_dco_cycles": cycles, "src_reference__products": products}


def random_example(seed: int, missing_rate: str | None = None, file_problem: bool = False) -> dict[str, list[dict]]:
    """A day of every input, drawn from ``seed``: four classes, five currencies, rates with 9 places."""
    import random

    rng = random.Random(seed)
    accounts, balances = _random_accounts(rng)
    banks, closings, breaks = _random_banks(rng)
    rows = {
        "src_reference__accounts": accounts, "src_ledger__balances": balances,
        "src_reference__bank_accounts": banks, "int_bank_closing_balances": closings, "int_breaks_aged": breaks,
        **_random_holdings(rng, banks), **_random_clearing(rng),
        "src_ledger__foreign_requirements": [
            {"source_file": f"{DAY}/ledger/foreign_requirements.csv", "record_id": f"foreign_requirements:{j}",
             "jurisdiction": j, "currency": c, "amount": _money(rng, 0, 4_000_000)}
            for j, c in (("UK", "GBP"), ("JP", "JPY"))],
        "src_reference__fx_rates": [
            {"currency": c, "usd_per_unit": _money(rng, 1, 2, 9) if c != "JPY" else Decimal(rng.randint(10**6, 10**7)).scaleb(-9),
             "record_id": f"fx_rates:{c}", "source_file": f"{DAY}/reference/fx_rates.csv"}
            for c in CURRENCIES if c not in ("USD", missing_rate)],
        "src_reference__targets": [
            {"seg_class": "SEG", "target_amount_usd": _money(rng, 0, 500_000), "target_pct_of_requirement": D("0.075"),
             "approved_by": "Board", "approved_on": date(2026, 1, 5)},
            {"seg_class": "SECURED", "target_amount_usd": None, "target_pct_of_requirement": D("0.123456789"),
             "approved_by": "Board", "approved_on": date(2026, 1, 5)},
            {"seg_class": "CLEARED_SWAPS", "target_amount_usd": _money(rng, 0, 900_000),
             "target_pct_of_requirement": None, "approved_by": "Board", "approved_on": date(2026, 1, 5)}],
    }
    if file_problem:
        rows["src_file_problems"] = [{"source_file": f"{DAY}/bank/bank.bai2", "code": "TRAILER_TOTAL_MISMATCH",
                                      "message": "the 49 total disagrees"}]
    return rows
