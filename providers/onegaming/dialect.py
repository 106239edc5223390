"""1G's dialect: every choice the spec marks *(ours)*, in one place (the table in
docs/onegaming.md, "Every choice of ours", points at each name here or at an integration setting).

The 1G seed lost its example payloads, so some details of the wire are ours (spec
/work/shared/spec/onegaming.md, sections "Parties and money", 1, 3, 6). When a real 1G document
says otherwise, change it here; the ledger (wallet.gameplay) never needs to know.

Choices made here:

- Paths: each seamless call is `POST <callback base>/<call name>` (CALLBACK_PATHS); the lobby
  entry points are LOBBY_PATHS on the integration's 1G base URL.
- Field names: the code uses the names of the spec; WIRE_NAMES maps them to the names on the
  wire (today the same). Inbound bodies are renamed once (`names_from_wire`), answers once on
  the way out (`names_to_wire`), so a real 1G document renames a field here and nowhere else.
- `datetime` (DATETIME_TEXT): ISO 8601 extended form with seconds, `T`, `t` or a space between
  date and time, 1-9 fractional digits (dot or comma), and a zone (`Z`, `+07:00`, `+0700`, `+07`)
  or none; a value without a zone is read in the integration's `time_zone` (default UTC). A JSON
  integer is a Unix epoch in milliseconds. Anything else (date alone, no seconds, a numeric
  string, a float, ISO basic form) is unreadable: INVALID_SYNTAX, for every call.
- The clock window is 10 seconds either way (seed), for WINDOWED_CALLS only (`balance`, `bet`,
  and the `bet` items of a batch, judged by the envelope's `datetime`); results and rollbacks
  are paid whatever their `datetime`.
- Signatures: HMAC-SHA256 of the raw body, encoded per integration (`signature_encoding`: hex,
  either case inbound, lowercase outbound; or base64, standard or URL-safe alphabet, padding
  optional inbound, standard with padding outbound); see signing.py.
- Sub-agent: SUB_AGENT_HEADER or the SUB_AGENT_FIELD body field (query parameter for the lobby
  check); checked only when the integration has a sub-agent and the call names one.
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
import re
import zoneinfo
from decimal import Decimal

from wallet.gameplay import Code
from wallet.money import from_units, quantize_for
from wallet.reference import CURRENCIES

from .codes import Status

# --- calls and paths ----------------------------------------------------------------------------

BALANCE, BET, RESULT, ROLLBACK, TRANSACTIONS = "balance", "bet", "result", "rollback", "transactions"
# Values a batch item's `type` may take, each the name of its call (spec 3.5).
BATCH_ITEM_TYPES = (BET, RESULT, ROLLBACK)
# Path of each seamless callback under /api/onegaming/ (no trailing slash).
CALLBACK_PATHS: dict[str, str] = {call: call for call in (BALANCE, BET, RESULT, ROLLBACK, TRANSACTIONS)}
VALIDATION_PATH = "igPokerValidation"  # the seed's own name
# Lobby entry points on the integration's 1G base URL: (device is mobile, asks for the URL) -> path.
LOBBY_PATHS: dict[tuple[bool, bool], str] = {
    (False, False): "/lobby", (False, True): "/lobby/url",
    (True, False): "/lobby/mobile", (True, True): "/lobby/mobile/url",
}

# Transfer wallet (operator -> 1G, spec section 4): the paths are TRANSFER_PATHS below, with the
# outbound client's other wire rules.

# --- lobby bcode -------------------------------------------------------------------------------

# Seed: "After Encrypted | bcode varchar(50)". A hex HMAC-SHA256 is 64 characters, so the bcode we
# send is standard base64 with padding (44 characters) *(ours)*, whatever the integration's
# `signature_encoding` (which keeps governing UG-Data-Signature). None: follow that setting.
# A received bcode is taken in either encoding (hex, 64 characters; base64, 43-44), compared over
# the whole digest.
BCODE_ENCODING: str | None = "base64"
BCODE_MAX_LENGTH = 50


def bcode_encoding(signature_encoding: str) -> str:
    return BCODE_ENCODING or signature_encoding


# --- headers --------------------------------------------------------------------------------

SIGNATURE_HEADER = "UG-Data-Signature"
AGENT_HEADER = "UG-Agent"
SUB_AGENT_HEADER = "UG-Sub-Agent"
SUB_AGENT_FIELD = "sub_agent"

# --- field names on the wire --------------------------------------------------------------------

# Our name -> 1G's name on the wire, for request bodies and answers alike. Only names that differ
# need an entry; today none does (the seed lost its example bodies: these are the spec's names).
WIRE_NAMES: dict[str, str] = {
    "agent_code": "agent_code", "request_id": "request_id", "datetime": "datetime", "player_id": "player_id",
    "l_token": "l_token", "currency": "currency", "game_id": "game_id", "round_id": "round_id",
    "txn_id": "txn_id", "txn_ticket": "txn_ticket", "amount": "amount", "transactions": "transactions",
    "type": "type", "sub_agent": SUB_AGENT_FIELD, "status": "status", "balance": "balance", "results": "results",
    "username": "username",
}
# Other names 1G may send for one of our fields: the seed's own words ("A transaction with same
# transaction_uuid was sent"; "incorrect sub_partner_id is sent"). Read wherever our name is read.
# Sent together with our name and a different value, the field is not one value: it becomes a
# list, which no id check takes (INVALID_TYPES; a sub-agent: INVALID_PARTNER).
WIRE_ALIASES: dict[str, str] = {"transaction_uuid": "txn_id", "sub_partner_id": "sub_agent"}
_FROM_WIRE = {wire: ours for ours, wire in WIRE_NAMES.items() if wire != ours}
_TO_WIRE = {ours: wire for ours, wire in WIRE_NAMES.items() if wire != ours}


_NESTED = ("transactions", "results")  # lists of objects whose keys are renamed too


def _renamed(value: dict, names: dict[str, str]) -> dict:
    """`value` with its keys renamed by `names`, and the keys of the objects in its batch lists."""
    if not names:
        return value
    renamed = {}
    for key, item in value.items():
        new_key = names.get(key, key)
        if (key in _NESTED or new_key in _NESTED) and isinstance(item, list):
            item = [_renamed(entry, names) if isinstance(entry, dict) else entry for entry in item]
        renamed[new_key] = item
    return renamed


def _same_value(a: object, b: object) -> bool:
    if isinstance(a, (str, int)) and isinstance(b, (str, int)) and not isinstance(a, bool) and not isinstance(b, bool):
        return str(a) == str(b)
    return a == b


def _aliases_read(body: dict) -> dict:
    """`body` with each WIRE_ALIASES name read as our name (see WIRE_ALIASES)."""
    if not any(alias in body for alias in WIRE_ALIASES):
        return body
    body = dict(body)
    for alias, ours in WIRE_ALIASES.items():
        if alias not in body:
            continue
        value = body.pop(alias)
        if body.get(ours) is None:
            body[ours] = value
        elif value is not None and not _same_value(body[ours], value):
            body[ours] = [body[ours], value]
    return body


def names_from_wire(body: dict) -> dict:
    """An inbound body (and its batch items) with our field names (aliases included)."""
    body = _aliases_read(_renamed(body, _FROM_WIRE))
    items = body.get("transactions")
    if isinstance(items, list):
        body["transactions"] = [_aliases_read(item) if isinstance(item, dict) else item for item in items]
    return body


def names_to_wire(answer: dict) -> dict:
    """An answer (and its batch results) with 1G's field names."""
    return _renamed(answer, _TO_WIRE)


# --- datetime and the clock window ------------------------------------------------------------

# (ours) What a caller gets once its address had more calls refused before authentication than
# settings.CALLER_REFUSALS_LIMIT within the window (providers.calllog): the seed's general code,
# "General error status, for cases without a special error code" (1G has no rate-limit code).
CALLER_LIMITED_STATUS = Status.UNKNOWN_ERROR

CLOCK_WINDOW = dt.timedelta(seconds=10)
# Calls judged against the window; `bet` items of a batch are judged by the envelope's datetime.
WINDOWED_CALLS = frozenset({BALANCE, BET})
# ISO 8601 extended form with seconds; zone optional (none: the integration's time zone).
DATETIME_TEXT = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ](?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:[.,](?P<fraction>[0-9]{1,9}))?"
    r"(?P<zone>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
# A JSON integer `datetime` is a Unix epoch in this unit.
EPOCH_UNIT = dt.timedelta(milliseconds=1)
DEFAULT_TIME_ZONE = "UTC"

# --- catalogue ------------------------------------------------------------------------------

# `type` of a catalogue product whose games 1G lists one by one (seed table: "lobby" or "list");
# a bet may name such a game (lobby.models.Game.product = the product's game id).
LIST_PRODUCT_TYPE = "list"
# `type` of a product 1G runs as a lobby of its own (live dealers, sportsbooks): inside a session
# launched into one, the player may switch games (seed, INVALID_GAME_ID), see
# seamless.lobby_game_accept.
LOBBY_PRODUCT_TYPE = "lobby"

# --- body -----------------------------------------------------------------------------------

MAX_BATCH_ITEMS = 500

# The `transactions` envelope's status when its own checks pass *(ours: the seed lost the example)*:
# BATCH_TOP_OK answers OK with a status per item; BATCH_TOP_FIRST_REFUSED puts the first refused
# item's status on top (still with every item's own status in `results`; OK when all are OK).
BATCH_TOP_OK, BATCH_TOP_FIRST_REFUSED = "ok", "first_refused"
BATCH_TOP_STATUS = BATCH_TOP_OK

COMMON_FIELDS = ("agent_code", "request_id", "datetime")
# Fields each call requires besides the common ones (spec 3.1 - 3.5).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    BALANCE: ("player_id", "currency"),
    BET: ("player_id", "l_token", "currency", "game_id", "round_id", "txn_id", "txn_ticket", "amount"),
    RESULT: ("player_id", "currency", "game_id", "round_id", "txn_id", "txn_ticket", "amount"),
    # Issue 22: owed money is never refused on form; a rollback without currency/game_id takes
    # them from the bet it names (OPTIONAL_FIELDS).
    ROLLBACK: ("player_id", "txn_id", "txn_ticket"),
    TRANSACTIONS: ("transactions",),
}
# Fields read (and type-checked) when sent, but not required.
OPTIONAL_FIELDS: dict[str, tuple[str, ...]] = {ROLLBACK: ("currency", "game_id")}
# Calls whose amount is money owed to the player: more fraction digits than the wire table are
# taken exactly as long as the ledger holds them (wallet.money.SCALE, 5 digits), refused beyond.
OWED_AMOUNT_CALLS = frozenset({RESULT})
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

# Body fields each answer echoes back (spec 3.1 - 3.5), besides status, request_id and balance;
# a batch answer lists `results`, one per item, each echoing ITEM_ECHOED.
ANSWER_ECHOED: dict[str, tuple[str, ...]] = {
    BALANCE: ("player_id", "currency"),
    BET: ("txn_id", "txn_ticket", "currency"),
    RESULT: ("txn_id", "txn_ticket", "currency"),
    ROLLBACK: ("txn_id", "txn_ticket", "currency"),
    TRANSACTIONS: (),
}
ITEM_ECHOED = ("txn_id", "txn_ticket")

# --- money on the wire ----------------------------------------------------------------------

# An amount sent as a string: ASCII digits with at most one dot (no sign, exponent or spaces; `\d`
# would also take other scripts' digits: "١٠" is not an amount on the wire). JSON numbers are
# taken as they are (`1e2` is 100), exactly (parse_float=Decimal).
AMOUNT_TEXT = re.compile(r"[0-9]+(\.[0-9]+)?")
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
# - `datetime`, `start_time` and `end_time` are ISO 8601 with milliseconds, written in the
#   integration's `time_zone` (the zone inbound times without one are read in; seed: "The system
#   only proceed request within 10 sec of datetime from requested content"): the wall-clock time
#   of that zone followed by its offset (`2026-11-22T08:15:02.120+07:00`), `Z` for UTC. A 1G that
#   reads the digits as its local time and one that honours the offset read the same instant.
# - Amounts are sent as JSON numbers with exactly the currency's wire digits (`12.50`).

TRANSFER_PATHS: dict[str, str] = {
    "create": "/wallet/create",
    "balance": "/wallet/balance",
    "deposit": "/wallet/deposit",
    "withdraw": "/wallet/withdraw",
    "records": "/wallet/records",
    "games": "/games",
}


def datetime_wire(moment: dt.datetime, time_zone: str | None = None) -> str:
    """`2026-11-22T08:15:02.120+07:00` in `time_zone` (an IANA name; default UTC: `...Z`)."""
    zone = _zone(time_zone)
    local = moment.astimezone(zone)
    text = local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}"
    offset = local.utcoffset() or dt.timedelta(0)
    if not offset:
        return text + "Z"
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _zone(name: str | None) -> dt.tzinfo:
    if not name or name == DEFAULT_TIME_ZONE:
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return dt.UTC  # the model validates the name; a bad one must not stop a transfer


# A re-sent transfer answered with this status: 1G holds that transfer_id (seed: "A transaction
# with same transaction_uuid was sent"). Never a refusal: the order stays held and 1G's records
# decide it (spec section 4).
TRANSFER_HELD_STATUSES = frozenset({Status.DUPLICATE_REF_TXN_ID.value})
