"""OpenAPI descriptions of Oppi's wallet callbacks, for a provider engineer reading /api/docs.

Documentation only: requests are checked by providers.oppi.parsing, which needs stricter JSON
type checks (100 vs 100.0 vs "100") than serializers give.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework import serializers

from .codes import DESCRIPTIONS, Status

HEADERS = [
    OpenApiParameter("x-api-key", str, OpenApiParameter.HEADER, required=True,
                     description="The auth key Oppi issued for this integration."),
    OpenApiParameter("x-timestamp", str, OpenApiParameter.HEADER, required=True,
                     description="UTC Unix time in milliseconds; refused when more than 300 s from our clock."),
    OpenApiParameter("x-signature", str, OpenApiParameter.HEADER, required=True,
                     description='Lowercase hex HMAC-SHA256(secret key, <raw body> + "|" + <x-timestamp>).'),
]

AMOUNT_HELP = ("Integer: the real amount x 100000 (12.34567 -> 1234567). A fraction or exponent "
               "(12.5, 100.0, 1e2) is RS_ERROR_INVALID_NUMBER; a negative is RS_ERROR_INVALID_AMOUNT.")
STATUS_HELP = "One of: " + "; ".join(f"{s.value} ({DESCRIPTIONS[s]})" for s in Status)
CHECK_ORDER = (
    "Always HTTP 200. Checks, first failing one answers: headers present → x-api-key known → "
    "integration enabled → caller IP → timestamp window → signature → JSON types "
    "(RS_ERROR_INCORRECT_DATA) → required fields, and ids we can store: no NUL or lone surrogate, "
    "transactionId/sessionId ≤ 128, refTransactionId ≤ 120, playerId/gameId ≤ 64 characters "
    "(RS_ERROR_FIELD_REQUIRED_OR_INVALID) → amounts → "
    "business rules. A transactionId seen before with the same fields answers its first status "
    "again (current balance) and moves nothing; with other fields RS_ERROR_DUPLICATE_TRANSACTION."
)


def _id(help_text: str) -> serializers.CharField:
    return serializers.CharField(help_text=help_text)


class OppiBalanceRequest(serializers.Serializer):
    sessionId = _id("The sessionId our /game/url call got for this player.")
    playerId = _id("Our player id, as sent to /game/url.")


class OppiBalanceAnswer(serializers.Serializer):
    status = serializers.CharField(help_text=STATUS_HELP)
    sessionId = serializers.CharField()
    balance = serializers.IntegerField(required=False, help_text="x 100000; absent when the player is unknown.")


class OppiBetRequest(serializers.Serializer):
    transactionId = _id("Oppi's id of this bet; the idempotency key.")
    sessionId = _id("The sessionId from /game/url; refused when idle for more than 30 minutes.")
    playerId = _id("Our player id.")
    gameId = _id("A game of the integration's catalogue, enabled.")
    currency = _id("The wallet's currency (the session's).")
    amount = serializers.IntegerField(help_text=AMOUNT_HELP)


class OppiTransactionAnswer(serializers.Serializer):
    status = serializers.CharField(help_text=STATUS_HELP)
    transactionId = serializers.CharField()
    balance = serializers.IntegerField(required=False, help_text="x 100000; present whenever the player is known.")


class OppiPayoutRequest(OppiBetRequest):
    sessionId = _id("Recorded; never a reason to refuse (it may differ from /game/url's).")
    refTransactionId = _id("The bet this pays (its transactionId). A bet may have several payouts.")
    isWin = serializers.BooleanField(help_text="false with amount 0 records a loss.")


class OppiRewardRequest(serializers.Serializer):
    transactionId = _id("Oppi's id of this reward.")
    refTransactionId = _id("Bonus or jackpot id: one bonus per refTransactionId and player; jackpots repeat.")
    sessionId = _id("Recorded; never a reason to refuse (it may differ from /game/url's).")
    rewardType = _id("Free-spin win, bonus, jackpot, …: `bonus` is once per refTransactionId.")
    playerId = _id("Our player id.")
    gameId = _id("The game.")
    rewardedAmount = serializers.IntegerField(help_text=AMOUNT_HELP)
    currency = serializers.CharField(required=False, help_text="Optional; default the session's currency.")


class OppiRollbackItem(serializers.Serializer):
    transactionId = _id("Oppi's id of this rollback.")
    refTransactionId = _id("The bet, payout or reward to undo.")
    sessionId = _id("Recorded; never a reason to refuse (it may differ from /game/url's).")
    playerId = _id("Our player id.")
    gameId = _id("The game.")


class OppiRollbackRequest(serializers.Serializer):
    transactions = OppiRollbackItem(many=True)


class OppiRollbackItemAnswer(serializers.Serializer):
    status = serializers.CharField(help_text="RS_OK (also when already rolled back), "
                                             "RS_ERROR_TRANSACTION_DOES_NOT_EXIST (never seen; remembered), …")
    transactionId = serializers.CharField()
    balance = serializers.IntegerField(required=False, help_text="x 100000, after this item.")


class OppiRollbackAnswer(serializers.Serializer):
    status = serializers.CharField(help_text="RS_OK when every item is RS_OK, else RS_ERROR "
                                             "(or the status of a failed header/body check, without data).")
    data = OppiRollbackItemAnswer(many=True, required=False)


def _docs(summary: str, description: str, request, answer, example_request: dict, example_answer: dict) -> dict:
    return {
        "tags": ["Oppi Games wallet"],
        "summary": summary,
        "description": f"{description}\n\n{CHECK_ORDER}",
        "parameters": HEADERS,
        "request": request,
        "responses": {200: answer},
        "examples": [
            OpenApiExample("request", value=example_request, request_only=True),
            OpenApiExample("answer", value=example_answer, response_only=True),
        ],
        "auth": [],
    }


balance_docs = _docs(
    "Player balance",
    "The player's balance in the session's currency. Refusals: RS_ERROR_RECORD_NOT_FOUND (unknown "
    "player), RS_ERROR_SESSION_REQUIRED_OR_INVALID (sessionId not ours for this player).",
    OppiBalanceRequest, OppiBalanceAnswer,
    {"sessionId": "9f1c…", "playerId": "CLi3000001"},
    {"status": "RS_OK", "sessionId": "9f1c…", "balance": 150000000},
)
bet_docs = _docs(
    "Debit a bet",
    "Refusals in order: replay/duplicate, RS_ERROR_RECORD_NOT_FOUND, RS_ERROR_SESSION_REQUIRED_OR_INVALID "
    "(unknown or idle session; an integration may accept unknown ones), RS_ERROR_PLAYER_BLOCKED, RS_ERROR_GAME_INACTIVE, "
    "RS_ERROR_FIELD_REQUIRED_OR_INVALID (currency not the wallet's), RS_ERROR_LIMIT_REACHED "
    "(responsible-gaming limit), RS_ERROR_NOT_ENOUGH_MONEY, RS_ERROR_DUPLICATE_TRANSACTION (this "
    "transactionId was rolled back before it arrived).",
    OppiBetRequest, OppiTransactionAnswer,
    {"transactionId": "b-1", "sessionId": "9f1c…", "playerId": "CLi3000001", "gameId": "oppi-crash",
     "currency": "IDR", "amount": 1000000},
    {"status": "RS_OK", "transactionId": "b-1", "balance": 149000000},
)
payout_docs = _docs(
    "Credit a payout of a bet",
    "Never refused for its sessionId (recorded only), an idle session or a blocked player. "
    "RS_ERROR_TRANSACTION_DOES_NOT_EXIST when refTransactionId names no bet of this player or a rolled-back one.",
    OppiPayoutRequest, OppiTransactionAnswer,
    {"transactionId": "p-1", "refTransactionId": "b-1", "sessionId": "9f1c…", "playerId": "CLi3000001",
     "gameId": "oppi-crash", "currency": "IDR", "amount": 2500000, "isWin": True},
    {"status": "RS_OK", "transactionId": "p-1", "balance": 151500000},
)
reward_docs = _docs(
    "Credit a reward (free-spin win, bonus, jackpot)",
    "Never refused for its sessionId (recorded only). For rewardType bonus, one reward per refTransactionId "
    "and player (another is RS_ERROR_DUPLICATE_TRANSACTION); other types (a jackpot can be won again) are "
    "deduplicated by transactionId only.",
    OppiRewardRequest, OppiTransactionAnswer,
    {"transactionId": "r-1", "refTransactionId": "jackpot-7", "sessionId": "9f1c…", "rewardType": "jackpot",
     "playerId": "CLi3000001", "gameId": "oppi-crash", "rewardedAmount": 5000000},
    {"status": "RS_OK", "transactionId": "r-1", "balance": 156500000},
)
rollback_docs = _docs(
    "Roll back transactions",
    "Each item on its own, in order, never refused for its sessionId: undo the named payout or reward "
    "(taken back; may leave the wallet below zero), or void a bet's round (stake refunded, every payout on "
    "it not already rolled back taken back). Already rolled back: item RS_OK. Never seen: item "
    "RS_ERROR_TRANSACTION_DOES_NOT_EXIST and the id is remembered so the late original is refused.",
    OppiRollbackRequest, OppiRollbackAnswer,
    {"transactions": [{"transactionId": "rb-1", "refTransactionId": "b-1", "sessionId": "9f1c…",
                       "playerId": "CLi3000001", "gameId": "oppi-crash"}]},
    {"status": "RS_OK", "data": [{"status": "RS_OK", "transactionId": "rb-1", "balance": 150000000}]},
)
