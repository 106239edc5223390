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

# (ours) A balance call checks only that the session is the player's, not idleness nor the blocked
# state: it moves nothing and the game shows it. True applies the bet's idle and blocked checks.
BALANCE_CHECKS_IDLE_AND_BLOCKED = False

# Session checks (revised spec): only `balance` and `bet` are refused for a sessionId we did not
# get from /game/url for the player; payout, reward and rollback record it and are never refused.
SESSION_CHECKED_FOR = frozenset({"balance", "bet"})
# The integration setting `accept_unknown_bet_sessions` lets these calls accept a session unknown
# to us for a known player (spec: bets).
UNKNOWN_SESSION_ACCEPTABLE_FOR = frozenset({"bet"})
# (ours) Even with that setting, a sessionId that /game/url gave for ANOTHER player is refused:
# it is not a format difference but a session of someone else.
ANOTHER_PLAYERS_SESSION_ACCEPTABLE = False

# (ours) Which wallet a call without a currency (balance, reward without `currency`, the balance
# in a refusal) uses, first that applies: the named session's currency; the player's latest
# session on this integration (when the named one is unknown to us); the player's oldest wallet.
CURRENCY_FALLBACK = ("session", "latest_session", "oldest_wallet")

# Outbound HTTP timeouts, seconds.
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0

# (ours) An x-timestamp longer than this many digits is not a time in milliseconds (and Python
# refuses to convert very long digit strings): RS_ERROR_SIGNATURE_EXPIRED without parsing.
TIMESTAMP_MAX_DIGITS = 16

# (ours, revised spec) A request with no body (GET /game/sessions) is signed over the empty
# string, as the spec says. If Oppi's sandbox refuses that, switch to the two characters `""`,
# which their snippet's `JSON.stringify("")` produces: set EMPTY_BODY_SIGNED_AS = b'""'.
# Only the signed text changes; the request still carries no body.
EMPTY_BODY_SIGNED_AS: bytes = b""

# (ours) What a wrong HTTP method (OPTIONS included) or an unknown path under /api/oppi/ answers,
# always HTTP 200 JSON; and a body above DATA_UPLOAD_MAX_MEMORY_SIZE (no signature can be checked
# over it, so it is refused after the header, key, merchant, IP and clock checks).
WRONG_METHOD_STATUS = Status.ERROR
BODY_TOO_LARGE_STATUS = Status.INCORRECT_DATA
# (ours) What a caller gets once its address had more calls refused before authentication than
# settings.CALLER_REFUSALS_LIMIT within the window (providers.calllog): "IP & Domain restricted".
CALLER_LIMITED_STATUS = Status.IP_RESTRICTION

# (ours) The hex x-signature is compared without case ("AB12…" like "ab12…"); the spec says
# lowercase, so False would refuse uppercase with RS_ERROR_SIGNATURE_NOT_MATCH.
SIGNATURE_HEX_ANY_CASE = True

# (ours) Each rollback item's answer carries `balance` (after that item) besides `status` and
# `transactionId`; False answers only those two, as the spec's table shows.
ROLLBACK_ITEMS_CARRY_BALANCE = True

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


def payout_credit(amount: int, is_win: bool) -> int:
    """(ours) What a payout credits: `amount`; isWin is recorded (fingerprint) but only tells a
    loss (0) from a win, so `isWin: false` with an amount still credits it."""
    return amount


# Rewards (revised spec): for these `rewardType`s one reward per refTransactionId (the bonus id)
# and player; other types (a jackpot may be won again) are deduplicated by transactionId only.
# (ours) The type is compared without case and surrounding spaces ("Bonus" is a bonus), and a
# bonus rolled back still counts as paid (another reward under its id stays refused).
ONCE_PER_REFERENCE_REWARD_TYPES = frozenset({"bonus"})


def reward_once_per_reference(reward_type: str) -> bool:
    return reward_type.strip().lower() in ONCE_PER_REFERENCE_REWARD_TYPES

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
