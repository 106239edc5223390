from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wallet.money import MAX_UNITS, AmountError, from_units, quantize_for, to_units


@given(st.integers(min_value=0, max_value=MAX_UNITS))
def test_units_survive_a_round_trip_through_decimal(units):
    assert to_units(from_units(units)) == units


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_two_digit_amounts_convert_exactly(value):
    assert from_units(to_units(value, digits=2)) == value


@pytest.mark.parametrize("bad", [1.5, float("nan"), "abc", "-1", "1e400", "NaN", "Infinity", True, None, [], "1.234"])
def test_to_units_refuses_what_is_not_an_exact_amount_when_bad(bad):
    with pytest.raises(AmountError):
        to_units(bad, digits=2)


def test_to_units_accepts_five_digits_at_ledger_scale():
    assert to_units("12.34567") == 1234567
    assert to_units(Decimal("1E+2")) == 100 * 10**5


def test_quantize_for_shows_currency_digits_without_rounding_up():
    assert quantize_for(1234567, 2) == Decimal("12.34")
    assert quantize_for(150000000, 0) == Decimal("1500")


@pytest.mark.parametrize("value", ["1.000000000000000000000000000001", "1e999999999", "9" * 1200, "-0", "-0.00",
                                   Decimal("1E+30")])
def test_to_units_refuses_hidden_digits_huge_exponents_and_negative_zero_when_tricky(value):
    with pytest.raises(AmountError):
        to_units(value, digits=2)


@pytest.mark.parametrize("value, units", [("12.50", 1250000), ("1E+2", 10000000), ("0.10000", 10000), ("0", 0)])
def test_to_units_ignores_trailing_zeros_and_reads_exponents_exactly(value, units):
    assert to_units(value, digits=2) == units


def test_quantize_for_never_shows_less_debt_than_there_is():
    assert quantize_for(-500, 2) == Decimal("-0.01")
