"""`GET /api/onegaming/igPokerValidation`: 1G checks a lobby launch before serving it (spec 2.3).

Checks, first failing one answers (HTTP 200 always):
method GET (`INVALID_METHOD`) → `agent_code` known, enabled, caller IP allowed (`INVALID_PARTNER`)
→ `player_id` known *(ours: else `INVALID_TOKEN`, no token can belong to an unknown player)*
→ `bcode` (`INVALID_SIGNATURE`) → `l_token` issued by this integration to this player
(`INVALID_TOKEN`) → not expired (`TOKEN_EXPIRED`) → player enabled (`USER_DISABLED`) → `OK`.
A session stays good for a reload of the lobby by the same rule as for bets
(`dialect.token_fresh`). A successful check marks the session validated and last seen.
"""

from __future__ import annotations

import hmac
import json
import logging
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from lobby.models import Integration, LaunchSession, Provider, WalletMode
from providers.calllog import CallRecord, call_logged, client_ip
from wallet.models import Account, AccountKind, Player

from .codes import Status
from .dialect import balance_wire, token_fresh
from .signing import bcode
from .views import AlwaysJSON

logger = logging.getLogger(__name__)


def json_exact(payload: dict) -> bytes:
    """JSON text with Decimal values written as numbers with their exact digits (`1500.00`)."""
    decimals: dict[str, str] = {}

    def mark(value: Decimal) -> str:
        key = f"\x00dec{len(decimals)}\x00"
        decimals[key] = format(value, "f")
        return key

    text = json.dumps({k: (mark(v) if isinstance(v, Decimal) else v) for k, v in payload.items()},
                      ensure_ascii=False, separators=(",", ":"))
    for key, number in decimals.items():
        text = text.replace(json.dumps(key), number)
    return text.encode()


def _answer(record: CallRecord, status: Status, **fields) -> HttpResponse:
    body = {"status": str(status), **fields}
    record.status_code = str(status)
    record.response_body = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in body.items()}
    return HttpResponse(json_exact(body), content_type="application/json")


def _check(params: dict[str, str], ip: str | None, record: CallRecord) -> tuple[Status, dict]:
    now = timezone.now()
    integration = Integration.objects.filter(provider=Provider.ONEGAMING, agent_code=params["agent_code"]).first()
    if not params["agent_code"] or integration is None or not integration.enabled or not integration.ip_allowed(ip):
        return Status.INVALID_PARTNER, {}
    record.integration_id = integration.pk
    player = Player.objects.filter(external_id=params["player_id"]).first() if params["player_id"] else None
    if player is None:
        return Status.INVALID_TOKEN, {}
    expected = bcode(integration.secret, integration.agent_code, player.external_id, player.username)
    received = params["bcode"].strip().lower().encode("utf-8", "replace")  # bytes: any characters compare
    if not hmac.compare_digest(expected.encode(), received):
        return Status.INVALID_SIGNATURE, {}
    session = (
        LaunchSession.objects.select_related("currency")
        .filter(integration=integration, token=params["l_token"], player=player)
        .first()
    )
    if session is None:
        return Status.INVALID_TOKEN, {}
    if not token_fresh(created_at=session.created_at, expires_at=session.expires_at,
                       last_seen_at=session.last_seen_at, validated_at=session.validated_at, now=now):
        return Status.TOKEN_EXPIRED, {}
    if not player.is_enabled:
        return Status.USER_DISABLED, {}
    wallets = Account.objects.filter(player=player, kind=AccountKind.WALLET).select_related("currency")
    wallet = wallets.filter(currency=session.currency).first() or wallets.order_by("currency_id").first()
    if wallet is None:  # a player without any wallet cannot play; 1G has no better code for it
        return Status.USER_DISABLED, {}
    LaunchSession.objects.filter(pk=session.pk).update(validated_at=now, last_seen_at=now)
    return Status.OK, {
        "player_id": player.external_id,
        "username": player.username,
        "currency": wallet.currency_id,
        "balance": balance_wire(_balance_units(integration, player, wallet), wallet.currency_id),
    }


def _balance_units(integration: Integration, player: Player, wallet: Account) -> int:
    """Seamless: the player's wallet. Transfer mode: the balance in 1G's own wallet as last known
    to us (spec 2.3); nothing known yet (no transfer) is 0."""
    if integration.mode != WalletMode.TRANSFER:
        return wallet.balance
    from transfers.services import provider_balance_last_known  # transfers imports this package

    known = provider_balance_last_known(integration=integration, player=player, currency=wallet.currency_id)
    return known or 0


def _param(request, name: str) -> str:
    """A query parameter as text we can look up: NUL (PostgreSQL text cannot hold it) makes it
    unusable, which answers like an absent one."""
    value = request.GET.get(name, "")
    return "" if "\x00" in value else value


@csrf_exempt
def ig_poker_validation(request):
    params = {name: _param(request, name) for name in ("agent_code", "player_id", "l_token", "bcode")}
    record = CallRecord(
        provider=Provider.ONEGAMING, endpoint="igPokerValidation", caller_ip=client_ip(request),
        player_external_id=params["player_id"], txn_id=params["l_token"], request_body=params,
    )
    with call_logged(record):
        if request.method != "GET":
            return _answer(record, Status.INVALID_METHOD)
        try:
            status, fields = _check(params, record.caller_ip, record)
        except Exception:  # never an HTML 500 for 1G: UNKNOWN_ERROR, logged
            logger.exception("1G igPokerValidation failed")
            status, fields = Status.UNKNOWN_ERROR, {}
        return _answer(record, status, **fields)


class IgPokerValidationView(APIView):
    """The same endpoint as a DRF view, so that the OpenAPI description documents it for 1G;
    every method goes to `ig_poker_validation`, which answers in 1G's statuses."""

    authentication_classes = ()
    permission_classes = ()
    content_negotiation_class = AlwaysJSON  # never a 406: 1G gets JSON whatever it accepts

    @extend_schema(
        operation_id="onegaming_ig_poker_validation",
        summary="1G checks a lobby launch (section 2.3)",
        description=(
            "1G calls this before serving its lobby. OK carries the player's username, currency and balance "
            "(a JSON number with the currency's digits). Otherwise one of INVALID_PARTNER (unknown or disabled "
            "agent, or caller IP not allowed), INVALID_SIGNATURE (bcode wrong: lowercase hex "
            "HMAC-SHA256(secret_key, agent_code + player_id + username)), INVALID_TOKEN (no such l_token, or "
            "another player's), TOKEN_EXPIRED, USER_DISABLED. Always HTTP 200 JSON."
        ),
        parameters=[OpenApiParameter(name, str, OpenApiParameter.QUERY, required=True)
                    for name in ("agent_code", "player_id", "l_token", "bcode")],
        responses={200: OpenApiResponse(description="status and, with OK, the player's wallet", examples=[
            OpenApiExample("OK", value={"status": "OK", "player_id": "CLi3000001", "username": "Mikha",
                                        "currency": "IDR", "balance": 1500.00}),
            OpenApiExample("Expired", value={"status": "TOKEN_EXPIRED"}),
        ])},
        tags=["1Gaming lobby"],
    )
    def get(self, request):
        return ig_poker_validation(request._request)

    def http_method_not_allowed(self, request, *args, **kwargs):
        return ig_poker_validation(request._request)

    options = http_method_not_allowed
