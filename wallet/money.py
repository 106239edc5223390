"""Exact money: every amount in the ledger is an integer count of 1/100000 of a currency unit.

One scale for all currencies. Five fractional digits hold wire amounts counted in 1/100000 of
a unit exactly, and every currency of the seed (at most 3 digits). Integers keep SQLite and
PostgreSQL equally exact; floats never touch an amount. Conversions to and from the wire live in the provider packages
and go through these helpers.
"""

import re
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

SCALE = 5
UNITS_PER_WHOLE = 10**SCALE
# Largest amount the ledger accepts for one transfer: far above any real bet, far below the
# 64-bit limit so that sums of many transfers cannot overflow a BIGINT.
MAX_UNITS = 10**15  # 10^10 whole currency units


class AmountError(ValueError):
    """An amount that is not an exact, non-negative number within the allowed digits."""


def to_units(value: Decimal | int | str, *, digits: int = SCALE) -> int:
    """Exact conversion of a decimal amount to ledger units.

    `digits` is how many fractional digits the caller allows (a currency's wire digits);
    more digits, a non-number, a float, a negative or a non-finite value raise AmountError.
    """
    if isinstance(value, (bool, float)):
        raise AmountError("floats are not accepted as amounts")
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise AmountError(f"not a number: {value!r}") from exc
    if not number.is_finite():
        raise AmountError(f"not a finite number: {value!r}")
    sign, digit_tuple, exponent = number.as_tuple()
    if sign:
        raise AmountError("negative amount")  # -0 included: amounts are never negative
    # Count fractional digits on the number as written (no context rounding), ignoring
    # trailing zeros: 12.50 has two, 1.000000000000000000000000000001 has thirty.
    digit_list = list(digit_tuple)
    while exponent < 0 and len(digit_list) > 1 and digit_list[-1] == 0:
        digit_list.pop()
        exponent += 1
    if not any(digit_list):  # zero has no fractional digits, however many zeros it is written with
        exponent = max(exponent, 0)
    if -exponent > min(digits, SCALE):
        raise AmountError(f"more than {digits} fractional digits: {value}")
    # Refuse huge magnitudes before any arithmetic (1e999999999 must not be computed).
    if any(digit_list) and len(digit_list) + exponent > len(str(MAX_UNITS // UNITS_PER_WHOLE)) + 1:
        raise AmountError("amount too large")
    units = int(number.scaleb(SCALE))
    if units > MAX_UNITS:
        raise AmountError("amount too large")
    return units


def from_units(units: int) -> Decimal:
    """Ledger units to an exact Decimal with the ledger's five fractional digits."""
    return Decimal(units).scaleb(-SCALE).quantize(Decimal(1).scaleb(-SCALE))


def quantize_for(units: int, digits: int) -> Decimal:
    """Ledger units shown with a currency's wire digits, rounded toward minus infinity."""
    # Floor: a positive balance is never shown higher than it is, a debt never smaller.
    value = Decimal(units).scaleb(-SCALE)
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_FLOOR)


# What staff may type as an amount: an optional sign, ASCII digits, optionally a point followed
# by digits. No exponent, no second sign, no separators, no spaces inside, no NaN or Infinity.
_TYPED_AMOUNT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def typed_to_units(text: str | None, *, digits: int) -> int:
    """A signed amount typed by staff in currency units, to signed ledger units.

    Strict: `-3` and `10.50` are amounts, a leading `-` is a debit and a leading `+` is allowed;
    `+-5`, `1e3`, `5.`, `1,000`, `NaN` and more fractional digits than the currency has are not.
    """
    raw = (text or "").strip()
    if not raw:
        raise AmountError("enter an amount, e.g. 10.50 or -3")
    if not _TYPED_AMOUNT.fullmatch(raw):
        raise AmountError(f"{raw!r} is not an amount: write digits, optionally a leading - for a debit and a "
                          f"point with at most {digits} decimals, e.g. 10.50 or -3")
    units = to_units(raw.lstrip("+-"), digits=digits)
    return -units if raw.startswith("-") else units
