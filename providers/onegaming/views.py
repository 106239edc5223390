"""1G seamless-wallet callbacks (spec section 3): thin DRF views over providers.onegaming.callbacks.

Every answer is HTTP 200 JSON with a 1G status; any method but POST gets INVALID_METHOD. Each
call, refused or not, lands in the status-code history with its duration.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.views import APIView

from core.net import client_ip
from core.plain_views import PlainDispatch, json_response
from providers.calllog import CallRecord, call_logged, caller_refusal_limited

from . import dialect, schema
from .answers import ExactJSONRenderer
from .callbacks import callback_answer
from .codes import Status
from .registration import PROVIDER

logger = logging.getLogger(__name__)


class AlwaysJSON(BaseContentNegotiation):
    """1G gets JSON whatever its Accept header says."""

    def select_parser(self, request, parsers):
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


SIGNATURE = OpenApiParameter(
    name=dialect.SIGNATURE_HEADER, type=str, location=OpenApiParameter.HEADER, required=True,
    description="HMAC-SHA256 of the exact request body bytes, keyed with the agent's secret_key, in the "
    "integration's encoding: hex (default; either case) or base64. Wrong or missing: INVALID_SIGNATURE.",
)
SUB_AGENT = OpenApiParameter(
    name=dialect.SUB_AGENT_HEADER, type=str, location=OpenApiParameter.HEADER, required=False,
    description="Optional. When the integration has a sub-agent, a different one here (or in a `sub_agent` "
    "body field) is INVALID_PARTNER.",
)
ORDER = ("Checks, first failure answers: method (INVALID_METHOD) → JSON object body (INVALID_SYNTAX) → "
         "agent_code known, enabled, caller IP allowed, sub-agent if named (INVALID_PARTNER) → UG-Data-Signature "
         "(INVALID_SIGNATURE) → datetime readable (INVALID_SYNTAX: ISO 8601 with or without a zone, "
         "YYYY-MM-DD HH:MM:SS[.fff], or epoch milliseconds as a JSON integer) and, for balance and bet only, within "
         "10 s (REQUEST_TIMEOUT; results and rollbacks are applied whatever their datetime) → required fields "
         "(INVALID_SYNTAX) → types and amounts (INVALID_TYPES) → the call's rules. Always HTTP 200.")


def _schema(summary: str, request, answer, rules: str, example: dict):
    return extend_schema(
        tags=["1Gaming seamless wallet"], summary=summary, description=f"{rules}\n\n{ORDER}",
        parameters=[SIGNATURE, SUB_AGENT], request=request, responses={200: answer},
        examples=[OpenApiExample("request", value=example, request_only=True)],
    )


_COMMON = {"agent_code": "IGBO", "request_id": "r-1", "datetime": "2026-11-22T01:15:02.120Z"}


class _WalletCallbackView(PlainDispatch, APIView):
    """Plain Django at run time (core.plain_views); DRF describes it."""

    call: str = ""
    renderer_classes = (ExactJSONRenderer,)
    parser_classes = (JSONParser,)  # for the schema only: the body is read raw, never through request.data
    authentication_classes = ()  # 1G authenticates by UG-Data-Signature, checked in seamless.envelope_open
    permission_classes = ()
    content_negotiation_class = AlwaysJSON

    def _respond(self, request, answer_for, *, same_transaction: bool = False) -> HttpResponse:
        record = CallRecord(provider=PROVIDER, endpoint=self.call, caller_ip=client_ip(request))
        try:
            with call_logged(record, same_transaction=same_transaction) as guard:
                answer = answer_for(record)
                if guard.broken():  # a statement failed after the money: all of it rolls back
                    answer = {"status": str(Status.UNKNOWN_ERROR)}
                    record.status_code, record.response_body = answer["status"], answer
        except DatabaseError:
            # The shared transaction's COMMIT failed (the database went away: a restart): never an
            # HTTP 500. UNKNOWN_ERROR; 1G's retry gets the first answer if the commit did land.
            logger.exception("1G %s: the call's commit failed", self.call)
            answer = {"status": str(Status.UNKNOWN_ERROR)}
        return json_response(ExactJSONRenderer().render(answer))

    def post(self, request) -> HttpResponse:
        try:
            raw = request.body
        except RequestDataTooBig:  # above DATA_UPLOAD_MAX_MEMORY_SIZE: unreadable, and no HTML 400
            raw = b""
        ip = client_ip(request)

        def answer_for(record: CallRecord) -> dict:
            record.request_body = raw
            return callback_answer(call=self.call, raw=raw, signature=request.headers.get(dialect.SIGNATURE_HEADER),
                                   ip=ip, now=timezone.now(), record=record,
                                   sub_agent=request.headers.get(dialect.SUB_AGENT_HEADER))

        # One transaction for the call and its history row (one commit), except for a batch,
        # whose items stand on their own (one item's database error must not undo the others).
        return self._respond(request, answer_for, same_transaction=self.call != dialect.TRANSACTIONS)

    def http_method_not_allowed(self, request, *args, **kwargs) -> HttpResponse:
        def answer_for(record: CallRecord) -> dict:
            status = dialect.CALLER_LIMITED_STATUS if caller_refusal_limited(record) else Status.INVALID_METHOD
            record.status_code = status
            record.response_body = {"status": status}
            return {"status": str(status)}

        return self._respond(request, answer_for)

    options = http_method_not_allowed


@_schema("Balance of a player's wallet", schema.OneGamingBalanceRequest, schema.OneGamingBalanceAnswer,
         "3.1. USER_NOT_EXIST for an unknown player, INVALID_CURRENCY without a wallet in the currency.",
         {**_COMMON, "player_id": "CLi3000001", "currency": "IDR"})
class BalanceView(_WalletCallbackView):
    call = dialect.BALANCE


@_schema("Bet: charge a ticket", schema.OneGamingBetRequest, schema.OneGamingTxnAnswer,
         "3.2. First match wins: same txn_id and content → first answer again (current balance); same txn_id "
         "other content → DUPLICATE_REF_TXN_ID; USER_NOT_EXIST; INVALID_TOKEN / TOKEN_EXPIRED; USER_DISABLED; "
         "INVALID_CURRENCY; INVALID_GAME_ID; ticket rolled back first → TXN_ROLLED_BACK; ticket has a bet → "
         "DUPLICATE_REF_TXN_ID; INSUFFICIENT_CREDIT (funds or a responsible-gaming limit); else debit, OK.",
         {**_COMMON, "player_id": "CLi3000001", "l_token": "8c5e…", "currency": "IDR", "game_id": 301,
          "round_id": "R-77", "txn_id": "B-1001", "txn_ticket": "T-1001", "amount": 12.5})
class BetView(_WalletCallbackView):
    call = dialect.BET


@_schema("Result: settle a ticket", schema.OneGamingResultRequest, schema.OneGamingTxnAnswer,
         "3.3. Replay/duplicate as for bet; USER_NOT_EXIST; no bet on the ticket for this player or ticket rolled "
         "back → TXN_DOES_NOT_EXIST; ticket already settled → DUPLICATE_REF_TXN_ID; currency not the bet's → "
         "INVALID_CURRENCY; else credit (0 = lost), OK. Never refused for token expiry or a disabled player.",
         {**_COMMON, "player_id": "CLi3000001", "currency": "IDR", "game_id": 301, "round_id": "R-77",
          "txn_id": "W-1001", "txn_ticket": "T-1001", "amount": "30.00"})
class ResultView(_WalletCallbackView):
    call = dialect.RESULT


@_schema("Rollback: undo a ticket", schema.OneGamingRollbackRequest, schema.OneGamingTxnAnswer,
         "3.4. Same txn_id → first answer again; unknown ticket → TXN_DOES_NOT_EXIST and the ticket is remembered "
         "(a late bet on it answers TXN_ROLLED_BACK); ticket rolled back by another txn_id → TXN_ROLLED_BACK; else "
         "refund the bet and take back any paid result (the wallet may go below zero), OK.",
         {**_COMMON, "player_id": "CLi3000001", "currency": "IDR", "game_id": 301, "txn_id": "RB-1001",
          "txn_ticket": "T-1001"})
class RollbackView(_WalletCallbackView):
    call = dialect.ROLLBACK


@_schema("Several bets, results and rollbacks at once", schema.OneGamingTransactionsRequest,
         schema.OneGamingTransactionsAnswer,
         "3.5. Items applied in order, each by its own rules and on its own. The envelope answers OK unless the "
         "envelope itself fails a check; each item's status is in `results`. A stale envelope datetime refuses "
         "each bet item with REQUEST_TIMEOUT and applies the result and rollback items.",
         {**_COMMON, "transactions": [
             {"type": "bet", "player_id": "CLi3000001", "l_token": "8c5e…", "currency": "IDR", "game_id": 301,
              "round_id": "R-78", "txn_id": "B-1002", "txn_ticket": "T-1002", "amount": "10.00"},
             {"type": "result", "player_id": "CLi3000001", "currency": "IDR", "game_id": 301, "round_id": "R-78",
              "txn_id": "W-1002", "txn_ticket": "T-1002", "amount": 0}]})
class TransactionsView(_WalletCallbackView):
    call = dialect.TRANSACTIONS


@csrf_exempt  # a provider's POST carries no CSRF token: it must get the JSON answer, not a 403 page
def unknown_path(request, rest: str = ""):
    """Any other path under /api/onegaming/ (a trailing slash, a typo): HTTP 200 UNKNOWN_ERROR, in
    the history, so that a callback URL configured wrong at 1G shows up there, not as a 404 page."""
    answer = {"status": str(Status.UNKNOWN_ERROR)}
    record = CallRecord(provider=PROVIDER, endpoint=rest or "/", caller_ip=client_ip(request),
                        status_code=str(Status.UNKNOWN_ERROR), response_body=answer, endpoint_known=False)
    caller_refusal_limited(record)  # counted; over the limit the row is not stored (the answer is the same)
    with call_logged(record):
        return JsonResponse(answer)
