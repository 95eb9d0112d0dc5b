"""Money is exact: one constructor refuses floats, implied decimals follow the currency, rounding happens once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from recon.errors import InvariantViolation
from recon.money import Amount, MoneyError, currency_places, implied_decimal, round_cents, to_decimal, to_scale


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12345678901234567.89", Decimal("12345678901234567.89")),
        (" -0.000000001 ", Decimal("-0.000000001")),
        (42, Decimal(42)),
        (Decimal("1.10"), Decimal("1.10")),
    ],
)
def test_to_decimal_builds_exact_values(value: object, expected: Decimal) -> None:
    """Strings, ints and Decimals become the exact Decimal they denote."""
    assert to_decimal(value) == expected


@pytest.mark.parametrize("value", [0.1, 1e20, True, None, "1,000.00", "abc", "NaN", "inf", "1_000", [1]])
def test_to_decimal_refuses_floats_and_non_numbers_naming_the_input(value: object) -> None:
    """A float (or anything not an exact decimal) is refused, and the message names where it came from."""
    with pytest.raises(MoneyError, match="ledger/balances.csv line 3 cash_balance"):
        to_decimal(value, "ledger/balances.csv line 3 cash_balance")


@pytest.mark.parametrize(("digits", "currency", "expected"), [
    ("1234567890123456789", "USD", Decimal("12345678901234567.89")),
    ("-150", "JPY", Decimal("-150")),
    ("1234", "KWD", Decimal("1.234")),
    ("+500", "EUR", Decimal("5.00")),
])
def test_implied_decimals_follow_the_currency(digits: str, currency: str, expected: Decimal) -> None:
    """BAI2 amounts carry no point: USD has 2 places, JPY 0, KWD 3."""
    assert implied_decimal(digits, currency) == expected


def test_implied_decimal_refuses_letters_and_bad_currencies() -> None:
    """Letters in an amount, or a currency that is not ISO-shaped, are errors."""
    with pytest.raises(MoneyError, match="12a4"):
        implied_decimal("12a4", "USD")
    with pytest.raises(MoneyError, match="usd"):
        currency_places("usd")


def test_scale_and_rounding_are_explicit() -> None:
    """Scale 9 is checked, never silently rounded; presentation rounds half-even to the cent."""
    assert to_scale(Decimal("1.123456789")) == Decimal("1.123456789")
    with pytest.raises(MoneyError, match="more than 9 decimal places"):
        to_scale(Decimal("1.1234567891"))
    with pytest.raises(MoneyError, match="does not fit"):
        to_scale(Decimal("1e29"))
    assert round_cents(Decimal("2.125")) == Decimal("2.12")
    assert round_cents(Decimal("2.135")) == Decimal("2.14")


def test_amounts_of_different_currencies_do_not_add() -> None:
    """Adding EUR to USD is a programmer error, not a silent sum."""
    assert Amount(Decimal("1.10"), "USD") + Amount(Decimal("2"), "USD") == Amount(Decimal("3.10"), "USD")
    with pytest.raises(InvariantViolation, match="cannot add EUR to USD"):
        Amount(Decimal("1"), "USD") + Amount(Decimal("1"), "EUR")
