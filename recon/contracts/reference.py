"""Contracts of the effective-dated reference files, and the choice of the rows in force on a business date."""

from __future__ import annotations

from datetime import date

import polars as pl

from recon.contracts.tabular import Contract, Field, TableRead
from recon.domain import SEG_CLASSES, Problem

_EFFECTIVE = (Field("effective_from", "date"), Field("effective_to", "date", required=False))

ACCOUNTS = Contract(
    name="accounts",
    fields=(
        Field("account_id"), Field("account_name", required=False), Field("seg_class", "code", choices=SEG_CLASSES),
        Field("account_type", "code", choices=("CUSTOMER", "NONCUSTOMER", "PROPRIETARY", "OMNIBUS")),
        Field("beneficial_owner_id", required=False), Field("clearing_account", required=False), *_EFFECTIVE,
    ),
    key=("account_id", "effective_from"),
)

BANK_ACCOUNTS = Contract(
    name="bank_accounts",
    fields=(
        Field("bank_account_id"), Field("depository"),
        Field("depository_type", "code", choices=("BANK", "DCO", "FCM", "CUSTODIAN")), Field("country"),
        Field("seg_class", "code", choices=SEG_CLASSES),
        Field("purpose", "code", choices=("SETTLEMENT", "CUSTOMER_FUNDS", "INVESTMENT", "OPERATING")),
        Field("currency", "currency"), Field("statement_format", "code", choices=("BAI2", "CAMT053")),
        Field("acknowledgment_letter_date", "date", required=False), *_EFFECTIVE,
    ),
    key=("bank_account_id", "effective_from"),
)

CLEARING_ACCOUNTS = Contract(
    name="clearing_accounts",
    fields=(
        Field("dco"), Field("position_account"), Field("origin_code"), Field("seg_class", "code", choices=SEG_CLASSES),
        Field("settlement_bank_account_id"), Field("currency", "currency"), *_EFFECTIVE,
    ),
    key=("dco", "position_account", "currency", "effective_from"),
)

PRODUCTS = Contract(
    name="products",
    fields=(
        Field("exchange"), Field("product_code"), Field("instrument_type", "code", choices=("FUT", "OPT")),
        Field("multiplier", "decimal"), Field("price_factor", "decimal"), Field("currency", "currency"),
        Field("foreign_board", "code", choices=("Y", "N")),
    ),
    key=("exchange", "product_code", "instrument_type"),
)

TARGETS = Contract(
    name="targets",
    fields=(
        Field("seg_class", "code", choices=SEG_CLASSES), Field("target_amount_usd", "decimal", required=False),
        Field("target_pct_of_requirement", "decimal", required=False), Field("approved_by"),
        Field("approved_on", "date"), *_EFFECTIVE,
    ),
    key=("seg_class", "effective_from"),
)

# contract, and the columns naming one entity (one row of it may be in force on a date; None: not effective-dated)
REFERENCE_CONTRACTS: dict[str, tuple[Contract, tuple[str, ...] | None]] = {
    "accounts": (ACCOUNTS, ("account_id",)),
    "bank_accounts": (BANK_ACCOUNTS, ("bank_account_id",)),
    "clearing_accounts": (CLEARING_ACCOUNTS, ("dco", "position_account", "currency")),
    "products": (PRODUCTS, None),
    "targets": (TARGETS, ("seg_class",)),
}
REQUIRED_REFERENCE = ("accounts", "bank_accounts", "clearing_accounts", "products", "targets")


def in_force(read: TableRead, name: str, business_date: date) -> tuple[pl.DataFrame, list[Problem]]:
    """The rows in force on ``business_date`` (effective_from and effective_to inclusive, blank = open).

    Rows that break a cross-field rule are quarantined: two rows in force for one entity (overlapping dates), and
    for accounts a NONCUSTOMER or PROPRIETARY account that is not HOUSE.
    """
    contract, entity = REFERENCE_CONTRACTS[name]
    if entity is None:
        return read.frame, []
    frame = read.frame.filter(
        (pl.col("effective_from") <= business_date)
        & (pl.col("effective_to").is_null() | (pl.col("effective_to") >= business_date))
    )
    bad = frame.filter(pl.struct(list(entity)).is_duplicated()).with_columns(
        pl.lit("OVERLAPPING_EFFECTIVE_DATES").alias("_code"), pl.lit("effective_from").alias("_field"),
        pl.lit(f"one row in force for each {'/'.join(entity)} on {business_date}").alias("_expected"))
    if name == "accounts":
        bad = pl.concat([bad, frame.filter(
            pl.col("account_type").is_in(["NONCUSTOMER", "PROPRIETARY"]) & (pl.col("seg_class") != "HOUSE")
        ).with_columns(pl.lit("HOUSE_ACCOUNT_IN_CUSTOMER_CLASS").alias("_code"), pl.lit("seg_class").alias("_field"),
                       pl.lit("seg_class HOUSE for a NONCUSTOMER or PROPRIETARY account").alias("_expected"))])
    problems = [
        Problem("ROW", read.source_file, row["location"], row["record_id"], row["_field"], row["_code"],
                row["_expected"], str(row[row["_field"]]), f"{name} row {row['record_id']} cannot be used on {business_date}")
        for row in bad.sort("record_id").iter_rows(named=True)
    ]
    return frame.join(bad.select("record_id"), on="record_id", how="anti"), problems
