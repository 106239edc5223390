"""Oppi's dialect: every choice the spec leaves to us, and how domain codes become Oppi statuses.

Keep provider-specific decisions here, in one place, so that ops and reviewers can read them
without digging through views. Choices marked *(ours)* in docs/oppi.md are these constants.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from wallet.gameplay import Code
from wallet.money import MAX_UNITS, SCALE

from .codes import Status

# --- keys, clock and sessions (ours) ---------------------------------------------------------

# A request whose x-timestamp is further than this from our clock is refused (both directions).
TIMESTAMP_WINDOW_MS = 300 * 1000
# A session (sessionId from /game/url) that saw no bet for this long is expired for new bets.
SESSION_IDLE_LIMIT = dt.timedelta(minutes=30)
# last_seen_at is refreshed only when older than this: one cheap UPDATE per minute per session.
SESSION_TOUCH_EVERY = dt.timedelta(minutes=1)

# Outbound HTTP timeouts, seconds.
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0

# (ours) An x-timestamp longer than this many digits is not a time in milliseconds (and Python
# refuses to convert very long digit strings): RS_ERROR_SIGNATURE_EXPIRED without parsing.
TIMESTAMP_MAX_DIGITS = 16

HEADER_API_KEY = "x-api-key"
HEADER_TIMESTAMP = "x-timestamp"
HEADER_SIGNATURE = "x-signature"


def now_ms() -> int:
    """UTC Unix time in milliseconds (Oppi's x-timestamp)."""
    return time.time_ns() // 1_000_000


# --- amounts ---------------------------------------------------------------------------------

# Oppi sends amounts and balances as integers of 1/100000 of the currency unit.
WIRE_SCALE = 5
assert SCALE >= WIRE_SCALE, "the ledger must hold Oppi's five fractional digits exactly"
_WIRE_TO_UNITS = 10 ** (SCALE - WIRE_SCALE)


class AmountRefused(ValueError):
    def __init__(self, status: Status):
        super().__init__(status.value)
        self.status = status


def amount_from_wire(value: object) -> int:
    """An Oppi amount (already of a JSON number type) to ledger units, exactly.

    JSON is parsed with parse_float=Decimal, so `100` arrives as int and `100.0`, `1e2` and
    `12.5` as Decimal. *(ours)* Only a JSON integer literal is an integer amount: `100.0` and
    `1e2` are refused like `12.5` (RS_ERROR_INVALID_NUMBER) because Oppi's scale is integral and
    a fraction or exponent means the sender did not apply it. A negative amount is
    RS_ERROR_INVALID_AMOUNT; so is one beyond what the ledger accepts.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise AmountRefused(Status.INVALID_NUMBER)
    if value < 0:
        raise AmountRefused(Status.INVALID_AMOUNT)
    units = value * _WIRE_TO_UNITS
    if units > MAX_UNITS:
        raise AmountRefused(Status.INVALID_AMOUNT)
    return units


def amount_to_wire(units: int) -> int:
    """Ledger units to Oppi's integer scale; exact (the ledger never holds finer amounts)."""
    wire, rest = divmod(units, _WIRE_TO_UNITS)
    if rest:
        raise ValueError(f"{units} units are not representable on Oppi's scale")
    return wire


def is_json_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, Decimal))


# --- request fields --------------------------------------------------------------------------

# (ours) Ids are JSON strings; a number, bool, object or list in an id field is
# RS_ERROR_INCORRECT_DATA. Amounts are JSON numbers, isWin a JSON boolean.
STRING, NUMBER, BOOLEAN = "string", "number", "boolean"

# field name -> (JSON type, required). Optional fields may be absent or null.
BALANCE_FIELDS = {"sessionId": (STRING, True), "playerId": (STRING, True)}
BET_FIELDS = {
    "transactionId": (STRING, True),
    "sessionId": (STRING, True),
    "playerId": (STRING, True),
    "gameId": (STRING, True),
    "currency": (STRING, True),
    "amount": (NUMBER, True),
}
PAYOUT_FIELDS = {
    "transactionId": (STRING, True),
    "refTransactionId": (STRING, True),
    "sessionId": (STRING, True),
    "playerId": (STRING, True),
    "gameId": (STRING, True),
    "currency": (STRING, True),
    "amount": (NUMBER, True),
    "isWin": (BOOLEAN, True),
}
REWARD_FIELDS = {
    "transactionId": (STRING, True),
    "refTransactionId": (STRING, True),
    "sessionId": (STRING, True),
    "rewardType": (STRING, True),
    "playerId": (STRING, True),
    "gameId": (STRING, True),
    "rewardedAmount": (NUMBER, True),
    "currency": (STRING, False),
}
ROLLBACK_ITEM_FIELDS = {
    "transactionId": (STRING, True),
    "refTransactionId": (STRING, True),
    "sessionId": (STRING, True),
    "playerId": (STRING, True),
    "gameId": (STRING, True),
}
AMOUNT_FIELDS = ("amount", "rewardedAmount")

# (ours) The longest text each string field may hold: what our columns store (player and game
# ids 64, transaction and session ids 128, a reward's ticket is "reward:" + refTransactionId).
# A longer value, or one with a NUL character or a lone surrogate (text no database column can
# hold), is RS_ERROR_FIELD_REQUIRED_OR_INVALID, in the required-fields step of the checks.
FIELD_MAX_LENGTH = {
    "transactionId": 128,
    "refTransactionId": 120,
    "sessionId": 128,
    "playerId": 64,
    "gameId": 64,
    "currency": 8,
    "rewardType": 64,
}
DEFAULT_MAX_LENGTH = 128


def text_field_valid(name: str, value: str) -> bool:
    """Can we store and echo this string field? (Emptiness is checked separately.)"""
    if len(value) > FIELD_MAX_LENGTH.get(name, DEFAULT_MAX_LENGTH) or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, from a "\ud800" escape in the JSON
        return False
    return True


# --- domain codes -> Oppi statuses -----------------------------------------------------------

CODE_STATUS: dict[Code, Status] = {
    Code.APPLIED: Status.OK,
    Code.DUPLICATE_ID: Status.DUPLICATE_TRANSACTION,
    # "currency not the wallet's" (spec, bet rules)
    Code.NO_WALLET: Status.FIELD_REQUIRED_OR_INVALID,
    Code.CURRENCY_MISMATCH: Status.FIELD_REQUIRED_OR_INVALID,
    Code.INSUFFICIENT_FUNDS: Status.NOT_ENOUGH_MONEY,
    Code.LIMIT_REACHED: Status.LIMIT_REACHED,
    # Oppi's bet ticket is its own transactionId, so a second bet on it is a reused id.
    Code.TICKET_HAS_BET: Status.DUPLICATE_TRANSACTION,
    # A bet (or payout, reward) whose id was rolled back before it arrived (spec: bet rules;
    # ours: the same answer for payouts and rewards).
    Code.TICKET_ROLLED_BACK: Status.DUPLICATE_TRANSACTION,
    # Payout: no bet of this player under refTransactionId, or that bet was rolled back.
    Code.TICKET_NOT_FOUND: Status.TRANSACTION_DOES_NOT_EXIST,
    Code.TICKET_SETTLED: Status.DUPLICATE_TRANSACTION,  # never with single_settlement=False
    Code.REWARD_EXISTS: Status.DUPLICATE_TRANSACTION,  # one reward per refTransactionId and player
    # Rollback item naming a reference never seen (remembered so the late original is refused).
    Code.UNKNOWN_REFERENCE: Status.TRANSACTION_DOES_NOT_EXIST,
    Code.ALREADY_ROLLED_BACK: Status.OK,  # nothing moves
    # (ours) A rollback naming another rollback: not a bet, payout or reward; no special code.
    Code.NOT_UNDOABLE: Status.ERROR,
}
assert set(CODE_STATUS) == set(Code), "every domain code needs an Oppi status"


def status_for(code: Code) -> Status:
    return CODE_STATUS[code]
