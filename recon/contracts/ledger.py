"""Contracts of the FCM's ledger exports and the DCO collateral file (spec/inputs.md, "Ledger files")."""

from __future__ import annotations

from recon.contracts.tabular import Contract, Field
from recon.domain import ENTRY_TYPES, SEG_CLASSES

INSTRUMENT_TYPES = ("FUT", "OPT")
HOLDING_TYPES = ("INVESTMENT", "CUSTOMER_OWNED")
_INSTRUMENT = (
    Field("exchange"), Field("product_code"), Field("instrument_type", "code", choices=INSTRUMENT_TYPES),
    Field("contract_month"), Field("put_call", "code", required=False, choices=("P", "C")),
    Field("strike", "decimal", required=False),
)
_INSTRUMENT_KEY = ("exchange", "product_code", "instrument_type", "contract_month", "put_call", "strike")

CASH_JOURNAL = Contract(
    name="cash_journal",
    fields=(
        Field("entry_id"), Field("value_date", "date"), Field("account_id", required=False), Field("bank_account_id"),
        Field("seg_class", "code", choices=SEG_CLASSES), Field("entry_type", "code", choices=ENTRY_TYPES),
        Field("counterparty", required=False), Field("currency", "currency"), Field("amount", "decimal"),
        Field("reference"), Field("description", required=False),
    ),
    key=("entry_id",), amount_field="amount", currency_field="currency", bank_account_field="bank_account_id",
)

BANK_BALANCES = Contract(
    name="bank_balances",
    fields=(Field("bank_account_id"), Field("currency", "currency"), Field("book_balance", "decimal")),
    key=("bank_account_id", "currency"), amount_field="book_balance", currency_field="currency",
)

BALANCES = Contract(
    name="balances",
    fields=(
        Field("account_id"), Field("currency", "currency"), Field("cash_balance", "decimal"),
        Field("securities_value", "decimal"), Field("open_trade_equity", "decimal"),
        Field("long_option_value", "decimal"), Field("short_option_value", "decimal"),
        Field("initial_margin_requirement", "decimal"), Field("offset_securities_value", "decimal"),
    ),
    key=("account_id", "currency"), amount_field="cash_balance", currency_field="currency",
)

POSITIONS = Contract(
    name="positions",
    fields=(
        Field("account_id"), *_INSTRUMENT, Field("long_quantity", "decimal"), Field("short_quantity", "decimal"),
        Field("settlement_price", "decimal"), Field("currency", "currency"),
    ),
    key=("account_id", *_INSTRUMENT_KEY), currency_field="currency",
)

TRADES = Contract(
    name="trades",
    fields=(
        Field("trade_id"), Field("trade_date", "date"), Field("account_id"), *_INSTRUMENT,
        Field("side", "code", choices=("BUY", "SELL")), Field("quantity", "decimal"), Field("price", "decimal"),
        Field("status", "code", choices=("ACTIVE", "CANCELLED")), Field("clearing_trade_id", required=False),
        Field("exec_id", required=False),
    ),
    key=("trade_id",),
)

CUSTODY = Contract(
    name="custody",
    fields=(
        Field("seg_class", "code", choices=SEG_CLASSES), Field("depository_account_id"),
        Field("holding_type", "code", choices=HOLDING_TYPES), Field("cusip"), Field("description", required=False),
        Field("instrument_class", required=False), Field("quantity", "decimal"), Field("market_value", "decimal"),
        Field("currency", "currency"),
    ),
    key=("seg_class", "depository_account_id", "holding_type", "cusip"),
    amount_field="market_value", currency_field="currency",
)


def collateral_contract(name: str) -> Contract:
    """clearing/collateral.csv and ledger/collateral_books.csv share one contract."""
    return Contract(
        name=name,
        fields=(
            Field("dco"), Field("seg_class", "code", choices=SEG_CLASSES),
            Field("asset_type", "code", choices=("CASH", "SECURITY")),
            Field("holding_type", "code", required=False, choices=HOLDING_TYPES), Field("cusip", required=False),
            Field("currency", "currency"), Field("quantity", "decimal", required=False),
            Field("market_value", "decimal"),
        ),
        key=("dco", "seg_class", "asset_type", "holding_type", "cusip", "currency"),
        amount_field="market_value", currency_field="currency",
    )


OTHER_FCM_EQUITIES = Contract(
    name="other_fcm_equities",
    fields=(
        Field("fcm"), Field("seg_class", "code", choices=SEG_CLASSES), Field("currency", "currency"),
        Field("net_liquidating_equity", "decimal"), Field("investments_value", "decimal"),
        Field("customer_securities_value", "decimal"),
    ),
    key=("fcm", "seg_class", "currency"), amount_field="net_liquidating_equity", currency_field="currency",
)

FOREIGN_DEPOSITORY_EQUITIES = Contract(
    name="foreign_depository_equities",
    fields=(
        Field("depository"),
        Field("depository_type", "code", choices=("FBOT_CLEARING_ORG", "FBOT_MEMBER", "FCM", "OTHER")),
        Field("currency", "currency"), Field("cash", "decimal"), Field("securities_value", "decimal"),
        Field("unrealized_pl", "decimal"), Field("long_option_value", "decimal"), Field("short_option_value", "decimal"),
    ),
    key=("depository", "currency"), amount_field="cash", currency_field="currency",
)

FOREIGN_REQUIREMENTS = Contract(
    name="foreign_requirements",
    fields=(Field("jurisdiction"), Field("currency", "currency"), Field("amount", "decimal")),
    key=("jurisdiction", "currency"), amount_field="amount", currency_field="currency",
)

FX_RATES = Contract(
    name="fx_rates",
    fields=(Field("currency", "currency"), Field("usd_per_unit", "decimal")),
    key=("currency",),
)

# Every per-day tabular contract, by the source table it loads (``src_<folder>__<name>``), with its folder.
DAY_CONTRACTS: dict[str, tuple[str, Contract]] = {
    "src_ledger__cash_journal": ("ledger", CASH_JOURNAL),
    "src_ledger__bank_balances": ("ledger", BANK_BALANCES),
    "src_ledger__balances": ("ledger", BALANCES),
    "src_ledger__positions": ("ledger", POSITIONS),
    "src_ledger__trades": ("ledger", TRADES),
    "src_ledger__custody": ("ledger", CUSTODY),
    "src_ledger__collateral_books": ("ledger", collateral_contract("collateral_books")),
    "src_ledger__other_fcm_equities": ("ledger", OTHER_FCM_EQUITIES),
    "src_ledger__foreign_depository_equities": ("ledger", FOREIGN_DEPOSITORY_EQUITIES),
    "src_ledger__foreign_requirements": ("ledger", FOREIGN_REQUIREMENTS),
    "src_clearing__collateral": ("clearing", collateral_contract("collateral")),
    "src_reference__fx_rates": ("reference", FX_RATES),
}
OPTIONAL_DAY_FILES = ("other_fcm_equities", "foreign_depository_equities", "foreign_requirements")
