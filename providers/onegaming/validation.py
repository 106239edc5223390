"""`GET /api/onegaming/igPokerValidation`: 1G checks a lobby launch before serving it (spec 2.3).

The seed guarantees only `l_token`: the launch is found by it alone, and `agent_code`,
`player_id`, `bcode` (and a sub-agent, `sub_agent` query parameter or `UG-Sub-Agent` header)
are checked only when sent (a parameter sent empty counts as not sent). Checks, first failing
one answers (HTTP 200 always):

1. method GET (`INVALID_METHOD`);
2. `agent_code`, when sent: a 1G integration with that agent code, enabled, the caller's IP
   allowed, any sub-agent named its own (`INVALID_PARTNER`);
3. `l_token`: a launch of that integration (of any 1G integration when no `agent_code` was sent)
   (`INVALID_TOKEN`); without `agent_code`, the launch's integration must then pass step 2's
   checks (`INVALID_PARTNER`);
4. `player_id`, when sent: the launch's player (`INVALID_TOKEN`: the token is another player's);
5. `bcode`, when sent: HMAC-SHA256(secret, agent_code + player_id + username) of the launch's
   integration and player, in the integration's signature encoding (`INVALID_SIGNATURE`);
6. the launch still fresh (`TOKEN_EXPIRED`, `dialect.token_fresh`, the same rule as for bets);
7. the player enabled and holding a wallet (`USER_DISABLED`) → `OK`.

The token is judged before anything about the player, so a caller without a live l_token learns
nothing about player ids: an unknown player and a known one both answer `INVALID_TOKEN`.
A successful check marks the session validated and last seen. The history row names the
integration and the launch's player, never the l_token (its `txn_id` stays empty; the stored
query shows `l_token` and `bcode` as `***`).
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from core.models import Integration, WalletMode
from core.net import client_ip
from lobby.models import LaunchSession
from lobby.sessions import session_validated
from providers.calllog import CallRecord, call_logged, caller_refusal_limited
from transfers.services import provider_balance_last_known
from wallet.models import Account, AccountKind, Player

from . import dialect
from .codes import Status
from .dialect import balance_wire, token_fresh
from .handlers import sub_agent_matches
from .registration import PROVIDER
from .signing import bcode_valid
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


# Answers given before the caller showed a live l_token with its checks (agent, token, bcode):
# such calls are "refused before authentication" in the history (cut short, limited per address).
REFUSED_BEFORE_AUTHENTICATION = frozenset({Status.INVALID_METHOD, Status.INVALID_PARTNER, Status.INVALID_TOKEN,
                                           Status.INVALID_SIGNATURE})


def _answer(record: CallRecord, status: Status, **fields) -> HttpResponse:
    record.authenticated = status not in REFUSED_BEFORE_AUTHENTICATION
    if not record.authenticated and caller_refusal_limited(record):
        status, fields = dialect.CALLER_LIMITED_STATUS, {}
    body = dialect.names_to_wire({"status": str(status), **fields})
    record.status_code = str(status)
    record.response_body = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in body.items()}
    return HttpResponse(json_exact(body), content_type="application/json")


def lobby_balance(session: LaunchSession, player: Player) -> tuple[str, int] | None:
    """(currency, balance in ledger units) that an OK answer carries: the wallet chosen at launch,
    else the player's first wallet; None when the player has none."""
    wallets = Account.objects.filter(player=player, kind=AccountKind.WALLET)
    wallet = wallets.filter(currency=session.currency_id).first() or wallets.order_by("currency_id").first()
    if wallet is None:
        return None
    return wallet.currency_id, _balance_units(session.integration, player, wallet)


def _balance_units(integration: Integration, player: Player, wallet: Account) -> int:
    """Seamless: the player's wallet. Transfer mode: the balance in 1G's own wallet as last known
    to us (spec 2.3); nothing known yet (no transfer) is 0."""
    if integration.mode != WalletMode.TRANSFER:
        return wallet.balance
    known = provider_balance_last_known(integration=integration, player=player, currency=wallet.currency_id)
    return known or 0


def _usable(value: str | None) -> bool:
    """A sent value we can look up: PostgreSQL text cannot hold NUL, so such a value matches nothing."""
    return value is not None and "\x00" not in value


def _partner_ok(integration: Integration, ip: str | None, sub_agents: tuple) -> bool:
    return integration.enabled and integration.ip_allowed(ip) and sub_agent_matches(integration, *sub_agents)


def _integration_by_agent(agent_code: str) -> Integration | None:
    if not _usable(agent_code):
        return None
    return Integration.objects.filter(provider=PROVIDER, agent_code=agent_code).first()


def _launch_find(token: str | None, integration: Integration | None) -> LaunchSession | None:
    """The launch of this l_token (within `integration` when the call named one). Tokens are
    unique per integration only: a token two integrations share is no launch we can tell."""
    if not _usable(token):
        return None
    launches = LaunchSession.objects.select_related("integration", "player").filter(
        token=token, integration__provider=PROVIDER)
    if integration is not None:
        launches = launches.filter(integration=integration)
    found = list(launches[:2])
    return found[0] if len(found) == 1 else None


def _check(params: dict[str, str | None], ip: str | None, sub_agent_header: str | None,
           record: CallRecord) -> tuple[Status, dict]:
    """The checks of the module doc, in order."""
    now = timezone.now()
    sub_agents = (params["sub_agent"], params["sub_partner_id"], sub_agent_header)
    integration = None
    if params["agent_code"] is not None:
        integration = _integration_by_agent(params["agent_code"])
        if integration is None or not _partner_ok(integration, ip, sub_agents):
            return Status.INVALID_PARTNER, {}
        record.integration_id = integration.pk
    session = _launch_find(params["l_token"], integration)
    if session is None:
        return Status.INVALID_TOKEN, {}
    integration = session.integration
    if not _partner_ok(integration, ip, sub_agents):
        return Status.INVALID_PARTNER, {}
    record.integration_id = integration.pk
    player = session.player
    if params["player_id"] is not None and params["player_id"] != player.external_id:
        return Status.INVALID_TOKEN, {}
    record.player_external_id = player.external_id
    if params["bcode"] is not None and not bcode_valid(integration.secret, integration.agent_code, player.external_id,
                                                       player.username, params["bcode"]):
        return Status.INVALID_SIGNATURE, {}
    if not token_fresh(created_at=session.created_at, expires_at=session.expires_at,
                       last_seen_at=session.last_seen_at, validated_at=session.validated_at, now=now):
        return Status.TOKEN_EXPIRED, {}
    if not player.is_enabled:
        return Status.USER_DISABLED, {}
    balance = lobby_balance(session, player)
    if balance is None:  # a player without any wallet cannot play; 1G has no better code for it
        return Status.USER_DISABLED, {}
    currency, units = balance
    session_validated(session, now)
    return Status.OK, {
        "player_id": player.external_id,
        "username": player.username,
        "currency": currency,
        "balance": balance_wire(units, currency),
    }


QUERY_PARAMS = ("agent_code", "player_id", "l_token", "bcode", "sub_agent", "sub_partner_id")  # + the seed's alias


def _param(request, name: str) -> str | None:
    """A query parameter by our name (its wire name from the dialect); absent or empty is None (not sent)."""
    return request.GET.get(dialect.WIRE_NAMES.get(name, name)) or None


@csrf_exempt
def ig_poker_validation(request):
    params = {name: _param(request, name) for name in QUERY_PARAMS}
    record = CallRecord(
        provider=PROVIDER, endpoint=dialect.VALIDATION_PATH, caller_ip=client_ip(request),
        player_external_id=params["player_id"] if _usable(params["player_id"]) else "",
        request_body={name: value for name, value in params.items() if value is not None},
    )
    with call_logged(record):
        if request.method != "GET":
            return _answer(record, Status.INVALID_METHOD)
        try:
            status, fields = _check(params, record.caller_ip, request.headers.get(dialect.SUB_AGENT_HEADER), record)
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
            "1G calls this before serving its lobby. Only l_token is required: the launch is found by it, and "
            "agent_code, player_id, bcode and sub_agent are checked only when sent. Checks, first failure answers: "
            "agent_code unknown or disabled, caller IP not allowed, or another sub-agent (INVALID_PARTNER) → l_token "
            "unknown (INVALID_TOKEN) → player_id not the launch's player (INVALID_TOKEN) → bcode wrong "
            "(INVALID_SIGNATURE: HMAC-SHA256(secret_key, agent_code + player_id + username) in the integration's "
            "encoding, hex by default) → TOKEN_EXPIRED → USER_DISABLED → OK with the player's username, currency "
            "and balance (a JSON number with the currency's digits). Always HTTP 200 JSON."
        ),
        parameters=[OpenApiParameter("l_token", str, OpenApiParameter.QUERY, required=True)] + [
            OpenApiParameter(name, str, OpenApiParameter.QUERY, required=False)
            for name in ("agent_code", "player_id", "bcode", "sub_agent")],
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
