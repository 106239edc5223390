"""Reading 1G callback bodies: JSON, datetime, required fields and field types (spec section 3).

Pure functions, no database: each returns the parsed value, or the 1G status that refuses it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from wallet.money import SCALE as LEDGER_DIGITS
from wallet.money import AmountError, to_units

from . import dialect
from .codes import Status

MAX_ID_LENGTH = dialect.DEFAULT_ID_MAX_LENGTH
MAX_CURRENCY_LENGTH = 16
# A JSON integer literal longer than this stays a Decimal: Python refuses to build ints of more
# than 4300 digits, and no id or amount is anywhere near this long (both are refused later).
_MAX_INT_DIGITS = 1000
# Amounts whose decimal exponent is above this are refused before any arithmetic: `1e999999999`
# must not reach Decimal contexts or int() (the ledger's own ceiling is 10^10 whole units).
_MAX_AMOUNT_EXPONENT = 18


class Refused(Exception):
    """A check failed; `status` is what 1G gets."""

    def __init__(self, status: Status):
        super().__init__(status)
        self.status = status


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


def _integer(text: str) -> int | Decimal:
    return int(text) if len(text) <= _MAX_INT_DIGITS else Decimal(text)


# NUL (PostgreSQL text cannot hold it) or a surrogate code point: json.loads pairs a valid
# surrogate pair into one character, so any surrogate left in a parsed string is a lone one (not
# encodable as UTF-8). One compiled search per string: the per-character Python loop it replaces
# was ~4% of a bet's CPU (docs/BENCHMARKS.md).
_UNREADABLE = re.compile("[\x00\ud800-\udfff]")


def _readable_text(value: str) -> bool:
    """No NUL and no lone surrogate."""
    return _UNREADABLE.search(value) is None


def _all_text_readable(value) -> bool:
    if isinstance(value, str):
        return _readable_text(value)
    if isinstance(value, dict):
        return all(_readable_text(k) and _all_text_readable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_all_text_readable(v) for v in value)
    return True


def body_parse(raw: bytes) -> dict:
    """The body as a JSON object, numbers with a fraction as exact Decimals.

    A string holding NUL or an unpaired surrogate (`"\\u0000"`, `"\\ud800"`) is valid JSON but
    not text we can store, compare or echo: the body is unreadable (INVALID_SYNTAX).
    """
    try:
        body = json.loads(raw, parse_float=Decimal, parse_int=_integer, parse_constant=_no_constants)
    except (ValueError, RecursionError):  # includes UnicodeDecodeError and JSONDecodeError
        raise Refused(Status.INVALID_SYNTAX) from None
    if not isinstance(body, dict):
        raise Refused(Status.INVALID_SYNTAX)
    try:
        readable = _all_text_readable(body)
    except RecursionError:
        readable = False
    if not readable:
        raise Refused(Status.INVALID_SYNTAX)
    return body


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _zone(name: str) -> dt.tzinfo:
    """The integration's zone for a `datetime` sent without one (validated when saved; UTC if not)."""
    try:
        return zoneinfo.ZoneInfo(name or dialect.DEFAULT_TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return dt.UTC


def _datetime_from_text(text: str, time_zone: str) -> dt.datetime:
    match = dialect.DATETIME_TEXT.fullmatch(text.strip())
    if match is None:
        raise Refused(Status.INVALID_SYNTAX)
    fraction = (match["fraction"] or "")[:6]  # microseconds: digits beyond are below our clock's grain
    zone = match["zone"] or ""
    zone = "+00:00" if zone in ("Z", "z") else zone
    try:
        sent = dt.datetime.fromisoformat(f"{match['date']}T{match['time']}{'.' + fraction.ljust(6, '0') if fraction else ''}"
                                         f"{zone}")
    except ValueError:  # month 13, hour 25, offset +99:00, ...
        raise Refused(Status.INVALID_SYNTAX) from None
    return sent if sent.tzinfo is not None else sent.replace(tzinfo=_zone(time_zone))


def _datetime_from_epoch(value: int) -> dt.datetime:
    try:
        return _EPOCH + value * dialect.EPOCH_UNIT
    except OverflowError:
        raise Refused(Status.INVALID_SYNTAX) from None


def datetime_parse(value: object, *, time_zone: str = dialect.DEFAULT_TIME_ZONE) -> dt.datetime:
    """The moment a body's `datetime` names (see dialect: DATETIME_TEXT, EPOCH_UNIT); anything
    else is unreadable (INVALID_SYNTAX). A text without a zone is read in `time_zone`."""
    if isinstance(value, str):
        return _datetime_from_text(value, time_zone)
    if isinstance(value, int) and not isinstance(value, bool):
        return _datetime_from_epoch(value)
    raise Refused(Status.INVALID_SYNTAX)


def datetime_stale(sent: dt.datetime, *, now: dt.datetime) -> bool:
    """Whether `sent` is more than the clock window away from our clock (either way)."""
    try:
        return abs(now - sent) > dialect.CLOCK_WINDOW
    except OverflowError:  # year 1 or 9999 with an offset: certainly not now
        return True


def datetime_check(value: object, *, now: dt.datetime, time_zone: str = dialect.DEFAULT_TIME_ZONE) -> None:
    """For a windowed call: INVALID_SYNTAX when unreadable, REQUEST_TIMEOUT when stale."""
    if datetime_stale(datetime_parse(value, time_zone=time_zone), now=now):
        raise Refused(Status.REQUEST_TIMEOUT)


def required_check(fields: dict, names: tuple[str, ...]) -> None:
    if any(fields.get(name) is None for name in names):
        raise Refused(Status.INVALID_SYNTAX)


def id_parse(value: object, *, max_length: int = MAX_ID_LENGTH) -> str:
    """An id: a non-empty string, or a JSON integer meaning the same string."""
    if isinstance(value, bool):
        raise Refused(Status.INVALID_TYPES)
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise Refused(Status.INVALID_TYPES)
    return value


def text_parse(value: object, *, max_length: int) -> str:
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise Refused(Status.INVALID_TYPES)
    return value


def _fraction_digits(number: Decimal) -> int:
    """Fractional digits of an exact Decimal, trailing zeros not counted (`12.50` has 1).

    Counted on the digits themselves: Decimal.normalize() rounds to the context's 28 digits,
    which would take `1.000000000000000000000000000001` for a whole number.
    """
    _sign, digits, exponent = number.as_tuple()
    if not any(digits):  # zero, however many zeros it is written with ("0.000" is 0 for VND too)
        return 0
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing_zeros))


def amount_parse(value: object, *, currency: str, positive: bool, owed: bool = False) -> int:
    """Ledger units of a wire amount: a JSON number or numeric string, exact, within the digits
    (the currency's wire digits; for money `owed` to the player, the ledger's SCALE digits)."""
    if isinstance(value, str):
        if not dialect.AMOUNT_TEXT.fullmatch(value):
            raise Refused(Status.INVALID_TYPES)
        number = Decimal(value)
    elif isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise Refused(Status.INVALID_TYPES)
    else:
        number = Decimal(value)
    # is_signed: negative, and also `-0` (no minus sign belongs in an amount).
    if not number.is_finite() or number.is_signed() or number.adjusted() > _MAX_AMOUNT_EXPONENT:
        raise Refused(Status.INVALID_TYPES)
    digits = LEDGER_DIGITS if owed else dialect.wire_digits(currency)
    if _fraction_digits(number) > digits:
        raise Refused(Status.INVALID_TYPES)
    try:
        units = to_units(number, digits=digits)
    except (AmountError, ArithmeticError):  # ArithmeticError: decimal.Overflow and friends
        raise Refused(Status.INVALID_TYPES) from None
    if positive and units == 0:
        raise Refused(Status.INVALID_TYPES)
    return units


def common_check(body: dict) -> None:
    """Types of the envelope's own fields (agent_code was already matched to a partner)."""
    request_id = body.get("request_id")
    if isinstance(request_id, bool) or not isinstance(request_id, (str, int)):
        raise Refused(Status.INVALID_TYPES)


@dataclass(frozen=True)
class WalletCall:
    """One bet, result or rollback (or balance query), its fields parsed and typed."""

    call: str
    player_id: str
    currency: str
    txn_id: str = ""
    txn_ticket: str = ""
    game_id: str = ""
    round_id: str = ""
    l_token: str = ""
    amount: int = 0  # ledger units

    def fingerprint_fields(self) -> dict:
        return {name: getattr(self, name) for name in dialect.FINGERPRINT_FIELDS[self.call]}


def call_parse(call: str, fields: dict) -> WalletCall:
    """Required fields (INVALID_SYNTAX), then types and amounts (INVALID_TYPES) of one call."""
    names = dialect.REQUIRED_FIELDS[call]
    required_check(fields, names)
    sent = names + tuple(n for n in dialect.OPTIONAL_FIELDS.get(call, ()) if fields.get(n) is not None)
    values: dict = {"call": call}
    values["player_id"] = id_parse(fields["player_id"])
    values["currency"] = (text_parse(fields["currency"], max_length=MAX_CURRENCY_LENGTH)
                          if "currency" in sent else "")  # "": the bet's (a rollback's optional currency)
    for name in dialect.ID_FIELDS:
        if name in sent and name != "player_id":
            values[name] = id_parse(fields[name], max_length=dialect.ID_MAX_LENGTH.get(name, MAX_ID_LENGTH))
    if "amount" in names:
        values["amount"] = amount_parse(fields["amount"], currency=values["currency"], positive=call == dialect.BET,
                                        owed=call in dialect.OWED_AMOUNT_CALLS)
    return WalletCall(**values)


def batch_items(body: dict) -> list:
    """The `transactions` list of a batch envelope (spec 3.5)."""
    items = body["transactions"]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise Refused(Status.INVALID_TYPES)
    if not items or len(items) > dialect.MAX_BATCH_ITEMS:
        raise Refused(Status.INVALID_SYNTAX)
    return items


def item_parse(item: dict) -> WalletCall:
    """One batch item: its `type` names the call (unknown type: INVALID_SYNTAX)."""
    call = item.get("type")
    if call not in dialect.BATCH_ITEM_TYPES:
        raise Refused(Status.INVALID_SYNTAX)
    return call_parse(call, item)
