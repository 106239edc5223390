"""Oppi's wallet callbacks: verify → parse → one handler → render → history.

Every answer is HTTP 200 with a JSON object carrying `status` (spec section 2). The raw body is
read as bytes (never through DRF's parsers) because the signature covers those exact bytes.
"""

from __future__ import annotations

import json
import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from core.net import client_ip
from core.plain_views import PlainDispatch, json_response
from providers.calllog import CallRecord, HistoryWithMoney, call_logged, caller_refusal_limited

from . import dialect, handlers, schema
from .codes import Status
from .handlers import Answer
from .parsing import Parsed, Refused, parse_object, parse_rollback, verify_request
from .registration import PROVIDER

logger = logging.getLogger(__name__)


class JSONWhateverIsAccepted(BaseContentNegotiation):
    """Always JSON: Oppi's answers are JSON whatever Accept says (never a 406 or an HTML page)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


MAX_HISTORY_TEXT = 8000


def _storable_text(value):
    """Strings as the history can store them: PostgreSQL text holds no lone surrogate."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_storable_text(k): _storable_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable_text(v) for v in value]
    return value


def history_body(raw: bytes | None) -> object:
    """What the status-code history keeps of a request body, whatever bytes came.

    Its JSON value when it is JSON (providers.calllog redacts and re-serialises it, escaping
    NULs), else its bytes without NULs (calllog decodes them, replacing what is not UTF-8), or
    its text when it is nested too deep to parse.
    """
    if raw is None:
        return "(body too large, not read)"
    try:
        return _storable_text(json.loads(raw))
    except ValueError:
        return raw.replace(b"\x00", "\ufffd".encode())  # calllog stores non-JSON bytes as text
    except RecursionError:  # nested too deep to parse: calllog must not try either, so hand it text
        return raw[:MAX_HISTORY_TEXT].decode("utf-8", "replace").replace("\x00", "\ufffd")


def _read_body(request) -> bytes | None:
    """The raw body, or None when it is larger than Django agrees to read (DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    try:
        return request.body
    except RequestDataTooBig:
        return None


class OppiWalletView(PlainDispatch, APIView):
    """Base of the five callbacks; a subclass names its endpoint and how to parse and handle.
    Plain Django at run time (core.plain_views); DRF describes it."""

    endpoint = ""
    single_transaction = True  # see post()
    authentication_classes = ()
    permission_classes = ()
    parser_classes = (JSONParser,)  # for the OpenAPI document; the body is read raw, never parsed by DRF
    renderer_classes = (JSONRenderer,)
    content_negotiation_class = JSONWhateverIsAccepted
    metadata_class = None  # OPTIONS is a wrong method too: RS_ERROR, not DRF's metadata

    def handle(self, integration, raw: bytes, history=None) -> Answer:
        """`history`: makes the call's history row to write with its money (handlers._money_call)."""
        raise NotImplementedError

    def post(self, request):
        raw = _read_body(request)
        record = CallRecord(provider=PROVIDER, endpoint=self.endpoint, caller_ip=client_ip(request),
                            request_body=history_body(raw))
        # One transaction for the call and its history row (one commit), except for rollbacks,
        # whose items stand on their own (one item's database error must not undo the others).
        try:
            with call_logged(record, same_transaction=self.single_transaction) as guard:
                body = self._answer(request, raw, record)
                if guard.broken():  # a statement failed after the money: all of it rolls back
                    body = {"status": Status.ERROR.value}
                record.status_code = body["status"]
                record.response_body = body
        except DatabaseError:
            # The shared transaction's COMMIT failed (the database went away: a restart): never an
            # HTTP 500. RS_ERROR; Oppi's retry gets the first answer if the commit did land.
            logger.exception("Oppi %s: the call's commit failed", self.endpoint)
            body = {"status": Status.ERROR.value}
        return json_response(JSONRenderer().render(body))

    def http_method_not_allowed(self, request, *args, **kwargs):
        """Every answer is HTTP 200 JSON with a status, a wrong method included (dialect.WRONG_METHOD_STATUS)."""
        answer = {"status": dialect.WRONG_METHOD_STATUS.value}
        record = CallRecord(provider=PROVIDER, endpoint=self.endpoint, caller_ip=client_ip(request))
        if caller_refusal_limited(record):
            answer = {"status": dialect.CALLER_LIMITED_STATUS.value}
        record.status_code, record.response_body = answer["status"], answer
        with call_logged(record):
            return json_response(JSONRenderer().render(answer))

    @staticmethod
    def _history_with_money(record: CallRecord):
        def bind(render, *, player_id: str, txn_id: str, session_unknown: bool) -> HistoryWithMoney:
            # What _answer notes once the handler returns, noted before the row is written.
            record.player_external_id, record.txn_id, record.session_unknown = player_id, txn_id, session_unknown
            return HistoryWithMoney(record, render)

        return bind

    def _answer(self, request, raw: bytes | None, record: CallRecord) -> dict:
        try:
            integration = verify_request(request, raw)
            record.integration_id = integration.pk
            record.authenticated = True  # the signature holds: from here on the caller is the integration
            answer = self.handle(integration, raw, self._history_with_money(record))
        except Refused as refused:
            if refused.integration is not None:
                record.integration_id = refused.integration.pk
            if not record.authenticated and caller_refusal_limited(record):
                return {"status": dialect.CALLER_LIMITED_STATUS.value}
            return {"status": refused.status.value}
        except Exception:  # the spec: anything unexpected is RS_ERROR; gameplay rolled back
            logger.exception("Oppi %s failed", self.endpoint)
            return {"status": Status.ERROR.value}
        record.player_external_id, record.txn_id = answer.player_id, answer.txn_id
        record.session_unknown = answer.session_unknown
        return answer.body


class BalanceView(OppiWalletView):
    endpoint = "user/balance"

    @extend_schema(**schema.balance_docs)
    def post(self, request):
        return super().post(request)

    def handle(self, integration, raw, history=None):
        return handlers.balance(integration, parse_object(raw, dialect.BALANCE_FIELDS))


class BetView(OppiWalletView):
    endpoint = "transaction/bet"

    @extend_schema(**schema.bet_docs)
    def post(self, request):
        return super().post(request)

    def handle(self, integration, raw, history=None):
        return handlers.bet(integration, parse_object(raw, dialect.BET_FIELDS), history)


class PayoutView(OppiWalletView):
    endpoint = "transaction/payout"

    @extend_schema(**schema.payout_docs)
    def post(self, request):
        return super().post(request)

    def handle(self, integration, raw, history=None):
        return handlers.payout(integration, parse_object(raw, dialect.PAYOUT_FIELDS), history)


class RewardView(OppiWalletView):
    endpoint = "transaction/reward"

    @extend_schema(**schema.reward_docs)
    def post(self, request):
        return super().post(request)

    def handle(self, integration, raw, history=None):
        return handlers.reward(integration, parse_object(raw, dialect.REWARD_FIELDS), history)


def _item_body(item: Answer) -> dict:
    if dialect.ROLLBACK_ITEMS_CARRY_BALANCE:
        return item.body
    return {key: value for key, value in item.body.items() if key != "balance"}


class RollbackView(OppiWalletView):
    """Each item on its own, in order; the envelope is RS_OK only when every item is."""

    endpoint = "transaction/rollback"
    single_transaction = False

    @extend_schema(**schema.rollback_docs)
    def post(self, request):
        return super().post(request)

    def handle(self, integration, raw, history=None):  # items stand alone: no row with one item's money
        items = [self._item(integration, parsed) for parsed in parse_rollback(raw)]
        all_ok = all(item.status == Status.OK for item in items)
        body = {"status": (Status.OK if all_ok else Status.ERROR).value, "data": [_item_body(item) for item in items]}
        players = sorted({item.player_id for item in items})
        return Answer(body, player_id=",".join(players), txn_id=",".join(item.txn_id for item in items),
                      session_unknown=any(item.session_unknown for item in items))

    def _item(self, integration, parsed: Parsed) -> Answer:
        try:
            return handlers.rollback_item(integration, parsed)
        except Exception:  # one item failing (and rolled back whole) does not stop the others
            logger.exception("Oppi rollback item %s failed", parsed.fields.get("transactionId"))
            txn_id = parsed.fields["transactionId"]
            return Answer({"status": Status.ERROR.value, "transactionId": txn_id},
                          player_id=parsed.fields["playerId"], txn_id=txn_id)


@csrf_exempt
def unknown_path(request, rest: str = ""):
    """Any other path under /api/oppi/ (a trailing slash, a typo): HTTP 200 RS_ERROR, in the history,
    so that a callback URL configured wrong at Oppi shows up there instead of as Django's 404 page."""
    answer = {"status": dialect.WRONG_METHOD_STATUS.value}
    record = CallRecord(provider=PROVIDER, endpoint=rest or "/", caller_ip=client_ip(request),
                        endpoint_known=False)
    if caller_refusal_limited(record):
        answer = {"status": dialect.CALLER_LIMITED_STATUS.value}
    record.status_code, record.response_body = answer["status"], answer
    with call_logged(record):
        return JsonResponse(answer)
