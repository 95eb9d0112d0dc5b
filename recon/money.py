"""Exact money: the one place that builds a Decimal from input, and the rounding rules.

Every amount, price and rate in fcm-recon is a :class:`decimal.Decimal`. :func:`to_decimal` is the only constructor
used on input values: it refuses floats (and bools) and names the bad value. Warehouse columns are
``DECIMAL(38, 9)``: :func:`to_scale` checks that a value fits that scale exactly, :func:`round_scale` rounds a
computed value (an FX conversion, say) once, half-even, and :func:`round_cents` is for presentation only.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from dataclasses import dataclass
from functools import lru_cache

from recon.errors import InvariantViolation

MONEY_PRECISION = 38
MONEY_SCALE = 9
_SCALE_QUANTUM = Decimal(1).scaleb(-MONEY_SCALE)
_CENT = Decimal("0.01")
_MAX_ABS = Decimal(10) ** (MONEY_PRECISION - MONEY_SCALE)

# Arithmetic on amounts happens in this context: 50 significant digits hold any DECIMAL(38, 9) sum exactly, and
# inexact or overflowing results are never silent because we quantize explicitly and check the range.
MONEY_CONTEXT = decimal.Context(prec=50, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, decimal.Overflow])

# ISO 4217 minor units that differ from 2 (the default). BAI2 amounts carry no decimal point: these give the places.
_MINOR_UNITS_NOT_2 = {
    "BHD": 3, "BIF": 0, "CLF": 4, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0, "JOD": 3, "JPY": 0, "KMF": 0,
    "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0, "RWF": 0, "TND": 3, "UGX": 0, "UYI": 0, "UYW": 4, "VND": 0,
    "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
}


class MoneyError(ValueError):
    """An input value is not an exact decimal amount; the message names the value and where it came from."""


def to_decimal(value: object, where: str = "") -> Decimal:
    """Build an exact Decimal from a str, int or Decimal; refuse floats, bools and non-finite values.

    ``where`` names the source (file, line, field) for the error message.
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"{where or 'amount'}: expected an exact decimal, found {type(value).__name__} {value!r}")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"{where or 'amount'}: expected a decimal number, found {value!r}") from None
        if "_" in text or "e" in text.lower() or text.lower().lstrip("+-").startswith(("inf", "nan", "snan")):
            raise MoneyError(f"{where or 'amount'}: expected a decimal number (no exponent), found {value!r}")
    else:
        raise MoneyError(f"{where or 'amount'}: expected an exact decimal, found {type(value).__name__} {value!r}")
    if not result.is_finite():
        raise MoneyError(f"{where or 'amount'}: expected a finite decimal, found {value!r}")
    return result


def to_scale(value: Decimal, where: str = "") -> Decimal:
    """Return ``value`` at scale 9 when that is exact and within DECIMAL(38, 9); otherwise raise MoneyError."""
    quantized = value.quantize(_SCALE_QUANTUM, context=MONEY_CONTEXT)
    if quantized != value:
        raise MoneyError(f"{where or 'amount'}: {value} has more than {MONEY_SCALE} decimal places")
    if abs(quantized) >= _MAX_ABS:
        raise MoneyError(f"{where or 'amount'}: {value} does not fit DECIMAL({MONEY_PRECISION}, {MONEY_SCALE})")
    return quantized


def round_scale(value: Decimal) -> Decimal:
    """Round a computed value once, half-even, to scale 9 (the warehouse scale)."""
    return value.quantize(_SCALE_QUANTUM, context=MONEY_CONTEXT)


def round_cents(value: Decimal) -> Decimal:
    """Round half-even to the cent: for presentation only, never before a sum or a comparison."""
    return value.quantize(_CENT, context=MONEY_CONTEXT)


@lru_cache(maxsize=1)
def iso_currencies() -> frozenset[str]:
    """Every ISO 4217 currency code (the maintained list of pycountry)."""
    import pycountry

    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def currency_places(currency: str) -> int:
    """The ISO 4217 minor units of ``currency`` (2 unless listed otherwise); an unknown code is an error."""
    if currency not in iso_currencies():
        raise MoneyError(f"currency: expected an ISO 4217 code, found {currency!r}")
    return _MINOR_UNITS_NOT_2.get(currency, 2)


def implied_decimal(digits: str, currency: str, where: str = "") -> Decimal:
    """Read an amount written without a decimal point (BAI2), with the implied places of ``currency``.

    ``digits`` is an optional sign followed by digits only; anything else raises MoneyError.
    """
    body = digits[1:] if digits[:1] in "+-" else digits
    if not body.isdigit() or not body.isascii():
        raise MoneyError(f"{where or 'amount'}: expected digits with an optional sign, found {digits!r}")
    return Decimal(digits).scaleb(-currency_places(currency))


@dataclass(frozen=True, slots=True)
class Amount:
    """An exact amount in one currency. Adding amounts of different currencies is an error."""

    number: Decimal
    currency: str

    def __add__(self, other: object) -> Amount:
        if not isinstance(other, Amount):
            return NotImplemented
        if other.currency != self.currency:
            raise InvariantViolation(f"cannot add {other.currency} to {self.currency}")
        return Amount(self.number + other.number, self.currency)

    def __neg__(self) -> Amount:
        return Amount(-self.number, self.currency)

    def __sub__(self, other: Amount) -> Amount:
        return self + (-other)
