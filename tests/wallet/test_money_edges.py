"""wallet.money at its edges: exact limits, trailing zeros, and the messages ops staff read.

Amounts are exact (spec: no floats on the money path). Trailing zeros are not fractional
digits (12.50 has two), the largest accepted amount is 10^10 whole units, and every refusal is
an AmountError whose message says what was wrong (shown by commands and the admin).
"""

from decimal import Decimal

import pytest

from wallet.money import MAX_UNITS, AmountError, from_units, quantize_for, to_units


@pytest.mark.parametrize("value, digits, units", [
    ("1.230", 2, 123000),  # a trailing zero after the last allowed digit
    ("1.0", 0, 100000),  # a zero-digit currency accepts a whole amount written with ".0"
    ("10000000000", 2, MAX_UNITS),  # the largest amount: 10^10 whole units
    (Decimal("10000000000.00000"), 5, MAX_UNITS),
    (Decimal("7"), 2, 700000),
    ("0.000", 2, 0),  # zero written with more zeros than the currency's digits is still zero
    ("0.00", 0, 0),
    (Decimal("0E-7"), 0, 0),
    ("0E+3", 2, 0),
])
def test_to_units_exact_at_the_edges(value, digits, units):
    assert to_units(value, digits=digits) == units


@pytest.mark.parametrize("value, digits", [
    ("1.2340", 2),  # three significant fractional digits, then a zero
    ("10.123", 2),  # a zero among the leading digits does not hide the third fractional digit
    ("1.00001", 4),
])
def test_to_units_refuses_a_significant_digit_beyond_the_currency(value, digits):
    with pytest.raises(AmountError, match=f"more than {digits} fractional digits: {value}"):
        to_units(value, digits=digits)


@pytest.mark.parametrize("value, message", [
    (1.5, "floats are not accepted as amounts"),
    ("abc", "not a number: 'abc'"),
    ("NaN", "not a finite number: 'NaN'"),
    ("-1", "negative amount"),
    ("1e400", "amount too large"),  # refused before any arithmetic
    ("10000000000.00001", "amount too large"),  # passes the digit count, one unit over the maximum
])
def test_to_units_says_why_an_amount_is_refused(value, message):
    with pytest.raises(AmountError) as refused:
        to_units(value)
    assert str(refused.value) == message


def test_from_units_always_has_five_fractional_digits():
    assert str(from_units(1)) == "0.00001"
    assert str(from_units(150000000)) == "1500.00000"


def test_quantize_for_rounds_toward_minus_infinity():
    assert quantize_for(1299999, 2) == Decimal("12.99")  # never shown higher than it is
    assert str(quantize_for(150000000, 3)) == "1500.000"
