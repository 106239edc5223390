"""Oppi's wallet callbacks: verify → parse → one handler → render → history.

Every answer is HTTP 200 with a JSON object carrying `status` (spec section 2). The raw body is
read as bytes (never through DRF's parsers) because the signature covers those exact bytes.
"""

from __future__ import annotations

import logging

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from lobby.models import Provider
from providers.calllog import CallRecord, call_logged, client_ip

from . import dialect, handlers, schema
from .codes import Status
from .handlers import Answer
from .inbound import Parsed, Refused, parse_object, parse_rollback, verify_request

logger = logging.getLogger(__name__)


class OppiWalletView(APIView):
    """Base of the five callbacks; a subclass names its endpoint and how to parse and handle."""

    endpoint = ""
    authentication_classes = ()
    permission_classes = ()
    parser_classes = (JSONParser,)  # for the OpenAPI document; the body is read raw, never parsed by DRF

    def handle(self, integration, raw: bytes) -> Answer:
        raise NotImplementedError

    def post(self, request):
        raw = request.body
        record = CallRecord(provider=Provider.OPPI, endpoint=self.endpoint, caller_ip=client_ip(request),
                            request_body=raw)
        with call_logged(record):
            body = self._answer(request, raw, record)
            record.status_code = body["status"]
            record.response_body = body
        return Response(body, status=200)

    def http_method_not_allowed(self, request, *args, **kwargs):
        """Every answer is HTTP 200 JSON with a status, a wrong method included (ours: RS_ERROR)."""
        record = CallRecord(provider=Provider.OPPI, endpoint=self.endpoint, caller_ip=client_ip(request),
                            status_code=Status.ERROR.value, response_body={"status": Status.ERROR.value})
        with call_logged(record):
            return Response({"status": Status.ERROR.value}, status=200)

    def _answer(self, request, raw: bytes, record: CallRecord) -> dict:
        try:
            integration = verify_request(request)
            record.integration_id = integration.pk
            answer = self.handle(integration, raw)
        except Refused as refused:
            if refused.integration is not None:
                record.integration_id = refused.integration.pk
            return {"status": refused.status.value}
        except Exception:  # the spec: anything unexpected is RS_ERROR; gameplay rolled back
            logger.exception("Oppi %s failed", self.endpoint)
            return {"status": Status.ERROR.value}
        record.player_external_id, record.txn_id = answer.player_id, answer.txn_id
        return answer.body


class BalanceView(OppiWalletView):
    endpoint = "user/balance"

    @extend_schema(**schema.balance_docs)
    def post(self, request):
        return super().post(request)

    def handle(self, integration, raw):
        return handlers.balance(integration, parse_object(raw, dialect.BALANCE_FIELDS))


class BetView(OppiWalletView):
    endpoint = "transaction/bet"

    @extend_schema(**schema.bet_docs)
    def post(self, request):
        return super().post(request)

    def handle(self, integration, raw):
        return handlers.bet(integration, parse_object(raw, dialect.BET_FIELDS))


class PayoutView(OppiWalletView):
    endpoint = "transaction/payout"

    @extend_schema(**schema.payout_docs)
    def post(self, request):
        return super().post(request)

    def handle(self, integration, raw):
        return handlers.payout(integration, parse_object(raw, dialect.PAYOUT_FIELDS))


class RewardView(OppiWalletView):
    endpoint = "transaction/reward"

    @extend_schema(**schema.reward_docs)
    def post(self, request):
        return super().post(request)

    def handle(self, integration, raw):
        return handlers.reward(integration, parse_object(raw, dialect.REWARD_FIELDS))


class RollbackView(OppiWalletView):
    """Each item on its own, in order; the envelope is RS_OK only when every item is."""

    endpoint = "transaction/rollback"

    @extend_schema(**schema.rollback_docs)
    def post(self, request):
        return super().post(request)

    def handle(self, integration, raw):
        items = [self._item(integration, parsed) for parsed in parse_rollback(raw)]
        all_ok = all(item.status == Status.OK for item in items)
        body = {"status": (Status.OK if all_ok else Status.ERROR).value, "data": [item.body for item in items]}
        players = sorted({item.player_id for item in items})
        return Answer(body, player_id=",".join(players), txn_id=",".join(item.txn_id for item in items))

    def _item(self, integration, parsed: Parsed) -> Answer:
        try:
            return handlers.rollback_item(integration, parsed)
        except Exception:  # one item failing (and rolled back whole) does not stop the others
            logger.exception("Oppi rollback item %s failed", parsed.fields.get("transactionId"))
            txn_id = parsed.fields["transactionId"]
            return Answer({"status": Status.ERROR.value, "transactionId": txn_id},
                          player_id=parsed.fields["playerId"], txn_id=txn_id)
