"""Reading 1G callback bodies: JSON, datetime, required fields and field types (spec section 3).

Pure functions, no database: each returns the parsed value, or the 1G status that refuses it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal

from wallet.money import AmountError, to_units

from . import dialect
from .codes import Status

_NUMERIC_STRING = re.compile(r"\d+(\.\d+)?")
MAX_ID_LENGTH = 128
MAX_CURRENCY_LENGTH = 16


class Refused(Exception):
    """A check failed; `status` is what 1G gets."""

    def __init__(self, status: Status):
        super().__init__(status)
        self.status = status


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


def body_parse(raw: bytes) -> dict:
    """The body as a JSON object, numbers with a fraction as exact Decimals."""
    try:
        body = json.loads(raw, parse_float=Decimal, parse_constant=_no_constants)
    except (ValueError, RecursionError):  # includes UnicodeDecodeError and JSONDecodeError
        raise Refused(Status.INVALID_SYNTAX) from None
    if not isinstance(body, dict):
        raise Refused(Status.INVALID_SYNTAX)
    return body


def datetime_parse(value: object) -> dt.datetime:
    """ISO 8601 with a zone; anything else is unreadable (INVALID_SYNTAX)."""
    if not isinstance(value, str):
        raise Refused(Status.INVALID_SYNTAX)
    try:
        sent = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise Refused(Status.INVALID_SYNTAX) from None
    if sent.tzinfo is None or sent.utcoffset() is None:
        raise Refused(Status.INVALID_SYNTAX)
    return sent


def datetime_check(value: object, *, now: dt.datetime) -> None:
    """REQUEST_TIMEOUT when the body's `datetime` is more than the window away from our clock."""
    sent = datetime_parse(value)
    if abs(now - sent) > dialect.CLOCK_WINDOW:
        raise Refused(Status.REQUEST_TIMEOUT)


def required_check(fields: dict, names: tuple[str, ...]) -> None:
    if any(fields.get(name) is None for name in names):
        raise Refused(Status.INVALID_SYNTAX)


def id_parse(value: object) -> str:
    """An id: a non-empty string, or a JSON integer meaning the same string."""
    if isinstance(value, bool):
        raise Refused(Status.INVALID_TYPES)
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
        raise Refused(Status.INVALID_TYPES)
    return value


def text_parse(value: object, *, max_length: int) -> str:
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise Refused(Status.INVALID_TYPES)
    return value


def amount_parse(value: object, *, currency: str, positive: bool) -> int:
    """Ledger units of a wire amount: a JSON number or numeric string, exact, within the digits."""
    if isinstance(value, str):
        if not _NUMERIC_STRING.fullmatch(value):
            raise Refused(Status.INVALID_TYPES)
    elif isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise Refused(Status.INVALID_TYPES)
    try:
        units = to_units(value, digits=dialect.wire_digits(currency))
    except AmountError:
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
    values: dict = {"call": call}
    values["player_id"] = id_parse(fields["player_id"])
    values["currency"] = text_parse(fields["currency"], max_length=MAX_CURRENCY_LENGTH)
    for name in dialect.ID_FIELDS:
        if name in names and name != "player_id":
            values[name] = id_parse(fields[name])
    if "amount" in names:
        values["amount"] = amount_parse(fields["amount"], currency=values["currency"], positive=call == dialect.BET)
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
