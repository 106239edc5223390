"""1G's seamless-wallet dialect: every choice the spec marks *(ours)*, in one place.

The 1G seed lost its example payloads, so some details of the wire are ours (spec
/work/shared/spec/onegaming.md, sections "Parties and money", 1, 3, 6). When a real 1G document
says otherwise, change it here; the ledger (wallet.gameplay) never needs to know.

Choices made here:

- `datetime` is ISO 8601 with a zone (`2026-11-22T01:15:02.120Z`); a value without a zone is
  unreadable (INVALID_SYNTAX). The clock window is 10 seconds either way (seed).
- A body is read as UTF-8 JSON; a string anywhere in it holding NUL or an unpaired surrogate
  (`"\\u0000"`, `"\\ud800"`), or a body above Django's DATA_UPLOAD_MAX_MEMORY_SIZE, is
  unreadable: INVALID_SYNTAX (step 2 of the check order, before the partner).
- A required field sent as `null` counts as missing (INVALID_SYNTAX), like an absent one.
- Amounts are JSON numbers or numeric strings in the wallet's currency, at most the currency's
  wire digits (table in wallet.reference, the seed's section 6 table); a currency outside the
  table allows 2 digits. Digits are counted exactly, trailing zeros not counted (`"12.500"` is
  12.5, fine for IDR; `"1.000000000000000000000000000001"` is refused). Numeric strings are ASCII
  digits with at most one dot; JSON numbers may use an exponent (`1e2` is 100). No minus sign
  (not even `-0`), nothing above 10^10 whole units: INVALID_TYPES. Balances are rendered with
  the same digits, truncated toward zero.
- Ids may be JSON strings or integers (`12` and `"12"` are the same id); booleans, floats,
  empty strings, lists and objects are not ids (INVALID_TYPES), nor are ids longer than where
  they are stored (`game_id` 64 characters, the others 128).
- An `l_token` stays good for bets while it is "fresh": until the launch session's own
  `expires_at` (the start deadline set at launch), and after that for BET_IDLE_WINDOW after its
  last use (lobby validation or an accepted bet), but never longer than MAX_SESSION_AGE after
  the launch. Each accepted bet refreshes the last use (at most once per TOUCH_EVERY, so a busy
  player costs one small UPDATE a minute, on the player's own session row).
- Replay fingerprints: a bet or result is the same call when `player_id, currency, game_id,
  round_id, txn_ticket, amount` (amount compared as a number: `12.5` == `"12.50"`) and the call
  name match (spec 3.2 rule 1). A rollback is the same call when `player_id` and `txn_ticket`
  match; the same rollback `txn_id` for another ticket or player is DUPLICATE_REF_TXN_ID. A
  replay answers in the currency of the first answer (for a rollback: the bet's).
- A rollback whose `currency` is not one the player has a wallet in (perhaps not a currency at
  all) is judged all the same: an unknown ticket is remembered (TXN_DOES_NOT_EXIST, no balance),
  a ticket with a bet is undone in the bet's currency.
- `transactions`: a missing or empty list is INVALID_SYNTAX, a list longer than MAX_BATCH_ITEMS
  is INVALID_SYNTAX, a non-list or an item that is not an object is INVALID_TYPES (envelope).
  An item with an unknown `type` or missing fields answers INVALID_SYNTAX for that item only,
  bad field types INVALID_TYPES for that item only; the envelope stays OK.
- An unexpected server error answers UNKNOWN_ERROR (HTTP 200) and moves nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from wallet.gameplay import Code
from wallet.money import from_units, quantize_for
from wallet.reference import CURRENCIES

from .codes import Status

# --- clock and body -------------------------------------------------------------------------

CLOCK_WINDOW = dt.timedelta(seconds=10)
SIGNATURE_HEADER = "UG-Data-Signature"
MAX_BATCH_ITEMS = 500

# --- calls ----------------------------------------------------------------------------------

BALANCE, BET, RESULT, ROLLBACK, TRANSACTIONS = "balance", "bet", "result", "rollback", "transactions"
BATCH_ITEM_TYPES = (BET, RESULT, ROLLBACK)

COMMON_FIELDS = ("agent_code", "request_id", "datetime")
# Fields each call requires besides the common ones (spec 3.1 - 3.5).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    BALANCE: ("player_id", "currency"),
    BET: ("player_id", "l_token", "currency", "game_id", "round_id", "txn_id", "txn_ticket", "amount"),
    RESULT: ("player_id", "currency", "game_id", "round_id", "txn_id", "txn_ticket", "amount"),
    ROLLBACK: ("player_id", "currency", "game_id", "txn_id", "txn_ticket"),
    TRANSACTIONS: ("transactions",),
}
ID_FIELDS = ("player_id", "l_token", "game_id", "round_id", "txn_id", "txn_ticket")
# Longest id we take (longer: INVALID_TYPES), as long as where it is stored: a game id is a
# catalogue key (64), every other id 128.
ID_MAX_LENGTH: dict[str, int] = {"game_id": 64}
DEFAULT_ID_MAX_LENGTH = 128

# Which fields make two calls with one txn_id "the same call" (besides the call name).
FINGERPRINT_FIELDS: dict[str, tuple[str, ...]] = {
    BET: ("player_id", "currency", "game_id", "round_id", "txn_ticket", "amount"),
    RESULT: ("player_id", "currency", "game_id", "round_id", "txn_ticket", "amount"),
    ROLLBACK: ("player_id", "txn_ticket"),
}

# --- money on the wire ----------------------------------------------------------------------

WIRE_DIGITS: dict[str, int] = {code: digits for code, _name, digits in CURRENCIES}
DEFAULT_DIGITS = 2


def wire_digits(currency: str) -> int:
    return WIRE_DIGITS.get(currency, DEFAULT_DIGITS)


def balance_wire(units: int, currency: str) -> Decimal:
    """A balance as 1G sees it: the currency's digits, truncated toward zero (never more money)."""
    return quantize_for(units, wire_digits(currency))


def amount_wire(units: int, currency: str) -> Decimal:
    return from_units(units).quantize(Decimal(1).scaleb(-wire_digits(currency)))


# --- l_token validity for bets ----------------------------------------------------------------

BET_IDLE_WINDOW = dt.timedelta(minutes=30)
MAX_SESSION_AGE = dt.timedelta(hours=24)
TOUCH_EVERY = dt.timedelta(seconds=60)


def token_fresh(*, created_at: dt.datetime, expires_at: dt.datetime, last_seen_at: dt.datetime | None,
                validated_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether an l_token may still place bets (sliding validity, see the module doc)."""
    if now >= created_at + MAX_SESSION_AGE:
        return False
    if now < expires_at:
        return True
    last_use = max((t for t in (last_seen_at, validated_at) if t is not None), default=None)
    return last_use is not None and now < last_use + BET_IDLE_WINDOW


def token_needs_touch(*, last_seen_at: dt.datetime | None, now: dt.datetime) -> bool:
    return last_seen_at is None or now - last_seen_at >= TOUCH_EVERY


# --- domain codes to 1G statuses ----------------------------------------------------------------

_COMMON: dict[Code, Status] = {
    Code.APPLIED: Status.OK,
    Code.DUPLICATE_ID: Status.DUPLICATE_REF_TXN_ID,
    Code.NO_WALLET: Status.INVALID_CURRENCY,
}

STATUS_FOR: dict[str, dict[Code, Status]] = {
    BET: {
        **_COMMON,
        Code.TICKET_ROLLED_BACK: Status.TXN_ROLLED_BACK,  # 3.2 rule 4
        Code.TICKET_HAS_BET: Status.DUPLICATE_REF_TXN_ID,
        Code.INSUFFICIENT_FUNDS: Status.INSUFFICIENT_CREDIT,
        Code.LIMIT_REACHED: Status.INSUFFICIENT_CREDIT,  # 1G has no code for a limit (3.2 rule 5)
    },
    RESULT: {
        **_COMMON,
        Code.TICKET_NOT_FOUND: Status.TXN_DOES_NOT_EXIST,
        Code.TICKET_ROLLED_BACK: Status.TXN_DOES_NOT_EXIST,  # 3.3 rule 2: rolled back = no bet
        Code.TICKET_SETTLED: Status.DUPLICATE_REF_TXN_ID,
        Code.CURRENCY_MISMATCH: Status.INVALID_CURRENCY,
    },
    ROLLBACK: {
        **_COMMON,
        Code.UNKNOWN_REFERENCE: Status.TXN_DOES_NOT_EXIST,  # 3.4 rule 2 (remembered)
        Code.ALREADY_ROLLED_BACK: Status.TXN_ROLLED_BACK,
    },
}


def status_for(call: str, code: Code) -> Status:
    """The 1G status of a domain result; a code 1G has no word for is UNKNOWN_ERROR."""
    return STATUS_FOR[call].get(code, Status.UNKNOWN_ERROR)


# --- transfer wallet (spec section 4; operator -> 1G) ----------------------------------------
#
# - Paths are ours (the seed names none), relative to the integration's 1G base URL.
# - Every body is compact JSON carrying only the call's fields plus `datetime` (the agent is in
#   the `UG-Agent` header, not repeated in the body).
# - `datetime`, `start_time` and `end_time` are ISO 8601 in UTC with milliseconds and `Z`.
# - Amounts are sent as JSON numbers with exactly the currency's wire digits (`12.50`).

TRANSFER_PATHS: dict[str, str] = {
    "create": "/wallet/create",
    "balance": "/wallet/balance",
    "deposit": "/wallet/deposit",
    "withdraw": "/wallet/withdraw",
    "records": "/wallet/records",
    "games": "/games",
}


def datetime_wire(moment: dt.datetime) -> str:
    """`2026-11-22T01:15:02.120Z`: UTC, milliseconds, Z."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
