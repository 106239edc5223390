"""Third Wave's seamless callbacks: verify, parse into a wallet call, render the answer, log it."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal, InvalidOperation

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.models import Integration
from core.net import client_ip
from lobby.sessions import session_read
from providers.calllog import CallRecord, call_logged
from wallet import gameplay, reads
from wallet.money import AmountError, from_units, to_units

from .registration import PROVIDER, registration


def _answer(record: CallRecord, status: str, balance: int | None = None) -> JsonResponse:
    body = {"status": status}
    if balance is not None:
        body["balance"] = str(from_units(balance))
    record.status_code, record.response_body = status, body
    return JsonResponse(body)


def _verified(request) -> Integration | None:
    key = request.headers.get("X-TW-Key", "")
    integration = Integration.objects.filter(provider=PROVIDER, api_key=key, enabled=True).first() if key else None
    if integration is None:
        return None
    expected = hmac.new(integration.secret.encode(), request.body, hashlib.sha256).hexdigest()
    return integration if hmac.compare_digest(expected, request.headers.get("X-TW-Sign", "")) else None


@csrf_exempt
@require_POST
def money_call(request, action: str):
    record = CallRecord(provider=PROVIDER, endpoint=registration.endpoint_for(action), caller_ip=client_ip(request),
                        request_body=request.body)
    with call_logged(record):
        integration = _verified(request)
        if integration is None:
            return _answer(record, "DENIED")
        record.integration_id = integration.pk
        try:
            body = json.loads(request.body)
            amount = to_units(str(Decimal(str(body.get("amount", "0")))))
        except (ValueError, InvalidOperation, AmountError):
            return _answer(record, "ERROR")
        record.player_external_id, record.txn_id = str(body.get("player", "")), str(body.get("txn", ""))
        # A bet needs the player's launch session: read with the player, in the wallet's one read.
        parts = (session_read(integration.pk, str(body.get("session", ""))),) if action == "bet" else ()
        found = reads.call_read(integration_id=integration.pk, player_external_id=record.player_external_id,
                                parts=parts)
        player = found.player
        if player is None:
            return _answer(record, "DENIED")
        ticket = str(body.get("ticket", ""))
        if action == "bet" and found.part("session") is None:
            return _answer(record, "DENIED")
        call = gameplay.GameCall(integration_id=integration.pk, player=player, external_id=record.txn_id,
                                 fingerprint=gameplay.fingerprint(action=action, **body), currency=body.get("currency"),
                                 game_code=str(body.get("game", "")), round_id=ticket, rules=registration.rules)
        if action == "bet":
            result = gameplay.bet_place(call, ticket=ticket, amount=amount)
        elif action == "result":
            result = gameplay.win_settle(call, ticket=ticket, amount=amount)
        else:
            result = gameplay.transaction_rollback(call, reference=ticket)
        return _answer(record, registration.status_for(action, result.code), result.balance)
