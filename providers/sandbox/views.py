"""Sandbox provider: stand-ins for the 1G lobby and the Oppi game API, and a tiny game.

Development and tests only (mounted at /sandbox/ when settings.SANDBOX_ENABLED). The game
plays rounds against OUR real callback endpoints over HTTP with real signatures (see wire.py),
so a round played here is exactly what a provider would do.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lobby.models import LaunchSession
from providers.oppi import dialect as oppi_dialect
from providers.oppi import signing as oppi_signing
from wallet.money import AmountError, from_units, to_units

from . import store, wire
from .tables import GAME_CHOICES, framed, game_label

LOBBY_PARAMS = ("agent_code", "player_id", "l_token", "bcode", "game_code")
OPPI_WINDOW_MS = 300_000
def _oppi_amount(units: int) -> str:
    """A x100000 amount as currency text: two decimals, more only when the amount has them."""
    value = from_units(units)
    cents = value.quantize(Decimal("0.01"))
    return format(cents if cents == value else value.normalize(), "f")


# --- 1G lobby -------------------------------------------------------------------------------


def _lobby_params(request) -> dict[str, str]:
    return {name: request.GET.get(name, "") for name in LOBBY_PARAMS}


@csrf_exempt
@require_GET
def onegaming_lobby_url(request, mobile: bool = False):
    """`GET /lobby/url` and `/lobby/mobile/url`: where to send the player (`{"status":"OK","url"}`)."""
    params = {k: v for k, v in _lobby_params(request).items() if v and not (mobile and k == "game_code")}
    if not all(params.get(k) for k in ("agent_code", "player_id", "l_token", "bcode")):
        return JsonResponse({"status": "INVALID_SYNTAX"})
    if wire.onegaming_integration(params["agent_code"]) is None:
        return JsonResponse({"status": "INVALID_PARTNER"})
    page = reverse("sandbox:onegaming-lobby-mobile" if mobile else "sandbox:onegaming-lobby")
    return JsonResponse({"status": "OK", "url": request.build_absolute_uri(f"{page}?{urlencode(params)}")})


@csrf_exempt
@require_GET
def onegaming_lobby(request, mobile: bool = False):
    """`GET /lobby` and `/lobby/mobile`: check the launch with the operator, then show the game."""
    params = _lobby_params(request)
    integration = wire.onegaming_integration(params["agent_code"])
    if integration is None:
        return _refused(request, "1Gaming", "INVALID_PARTNER", "No sandbox integration has this agent code.")
    check = {k: params[k] for k in ("agent_code", "player_id", "l_token", "bcode")}
    answer = wire.onegaming_get(request, "igPokerValidation", check)
    if answer.get("status") != "OK":
        return _refused(request, "1Gaming", str(answer.get("status")), "The operator refused this launch.")
    game_code = params["game_code"] if not mobile else ""  # none: the lobby product, no game chosen yet
    lobby = {"username": answer["username"], "currency": answer["currency"], "balance": str(answer["balance"])}
    store.onegaming_lobby_save(params["l_token"], lobby)
    state = {**lobby, "agent_code": integration.agent_code, "l_token": params["l_token"], "game_id": game_code,
             "amount": "10", "ticket": ""}
    return _onegaming_page(request, state, mobile=mobile, last={"call": "igPokerValidation", **answer})


def _own_launch(request, integration, token: str) -> LaunchSession | None:
    """The signed-in player's own launch with this token, or None (not signed in, or not theirs)."""
    if not request.user.is_authenticated or not token:
        return None
    return (LaunchSession.objects.select_related("player")
            .filter(integration=integration, token=token, player__user=request.user).first())


def _not_yours(request, provider: str):
    response = _refused(request, provider, "NOT_YOUR_GAME",
                        "Sign in to the lobby and open this game from there: a round is played only by the "
                        "signed-in player on their own launch.")
    response.status_code = 403
    return response


@require_POST
def onegaming_round(request):
    """A click in the 1G sandbox game: Bet, Win or Lose, sent to our callbacks.

    Only the signed-in player, on their own launch; the browser names the launch, the game and the
    bet amount, nothing else: the player, the currency and the open bet come from the sandbox's
    own records (the lobby's igPokerValidation answer and the bet it placed), so a win is always
    twice the bet that was really placed."""
    l_token = request.POST.get("l_token", "")
    integration = wire.onegaming_integration(request.POST.get("agent_code", ""))
    if integration is None:
        return _refused(request, "1Gaming", "INVALID_PARTNER", "No sandbox integration has this agent code.")
    launch = _own_launch(request, integration, l_token)
    lobby = store.onegaming_lobby_get(l_token)
    if launch is None or lobby is None:
        return _not_yours(request, "1Gaming")
    open_round = store.round_get("onegaming", l_token)
    state = {**lobby, "l_token": l_token, "agent_code": integration.agent_code,
             "game_id": (open_round or {}).get("game_id") or request.POST.get("game_id", ""),
             "amount": request.POST.get("amount", "10"), "ticket": (open_round or {}).get("ticket", "")}
    action = request.POST.get("action")
    common = {"player_id": launch.player.external_id, "currency": lobby["currency"], "game_id": state["game_id"]}
    if action == "bet" and open_round is None:
        amount = wire.decimal_or_none(state["amount"])
        if amount is None:
            return _onegaming_page(request, state, last={"call": "bet", "status": "enter an amount above 0"})
        if state["game_id"] not in dict(GAME_CHOICES):
            return _onegaming_page(request, state, last={"call": "bet", "status": "choose a game first"})
        placed = {"ticket": wire.new_id("tkt"), "round_id": wire.new_id("rnd"), "bet": str(amount),
                  "game_id": state["game_id"]}
        answer = wire.onegaming_post(request, integration, "bet", {
            **common, "l_token": l_token, "round_id": placed["round_id"], "txn_id": wire.new_id("bet"),
            "txn_ticket": placed["ticket"], "amount": amount})
        if answer.get("status") == "OK":
            store.round_open("onegaming", l_token, placed)
            state["ticket"] = placed["ticket"]
    elif action in ("win", "lose") and open_round is not None:
        store.round_close("onegaming", l_token)  # first: a double click cannot settle twice from here
        bet = Decimal(open_round["bet"])
        won = bet * 2 if action == "win" else Decimal(0)
        answer = wire.onegaming_post(request, integration, "result", {
            **common, "round_id": open_round["round_id"], "txn_id": wire.new_id("res"),
            "txn_ticket": open_round["ticket"], "amount": won.quantize(bet)})
        state["ticket"] = ""
    else:
        return _onegaming_page(request, state, last={"call": action or "?", "status": "nothing to do"})
    if "balance" in answer:
        state["balance"] = str(answer["balance"])
        store.onegaming_lobby_save(l_token, {**lobby, "balance": state["balance"]})
    return _onegaming_page(request, state, last={"call": action, **answer})


def _onegaming_page(request, state: dict, *, mobile: bool = False, last: dict | None = None):
    # The form carries only what names the launch; the rest is shown, not posted back.
    posted = {k: state.get(k, "") for k in ("agent_code", "l_token")}
    is_framed = framed(request)
    if is_framed:
        posted["framed"] = "1"
    return render(request, "sandbox/game.html", {
        "provider": "1Gaming", "state": posted, "mobile": mobile, "last": last, "framed": is_framed,
        "round_open": bool(state.get("ticket")), "action_url": reverse("sandbox:onegaming-round"),
        "amount": state.get("amount", ""), "game_id": state.get("game_id", ""),
        "player_name": state.get("username"), "balance": state.get("balance"), "currency": state.get("currency"),
        "game_label": game_label(state.get("game_id", "")), "games": GAME_CHOICES,
    })


def _refused(request, provider: str, status: str, detail: str):
    return render(request, "sandbox/refused.html", {"provider": provider, "status": status, "detail": detail})


# --- Oppi game API --------------------------------------------------------------------------


def _oppi_error(status: str) -> JsonResponse:
    return JsonResponse({"status": status})


def _oppi_verify(request):
    """The caller's integration when headers, key, window and signature are right, else an error answer."""
    api_key, timestamp, signature = (request.headers.get(h) for h in ("x-api-key", "x-timestamp", "x-signature"))
    if not (api_key and timestamp and signature):
        return None, _oppi_error("RS_ERROR_MISSING_HEADERS")
    integration = wire.oppi_integration(api_key)
    if integration is None:
        return None, _oppi_error("RS_ERROR_INVALID_APIKEY")
    if not timestamp.isdigit() or abs(int(time.time() * 1000) - int(timestamp)) > OPPI_WINDOW_MS:
        return None, _oppi_error("RS_ERROR_SIGNATURE_EXPIRED")
    # A request without a body is signed over the text our client signs (dialect's one-line switch).
    signed = request.body or oppi_dialect.EMPTY_BODY_SIGNED_AS
    if not oppi_signing.signature_valid(integration.secret, signed, timestamp, signature):
        return None, _oppi_error("RS_ERROR_SIGNATURE_NOT_MATCH")
    return integration, None


@csrf_exempt
@require_POST
def oppi_game_url(request):
    """`POST /game/url`: open a session and answer `{"status":"RS_OK","gameUrl","sessionId"}`."""
    integration, error = _oppi_verify(request)
    if error:
        return error
    try:
        body = json.loads(request.body)
    except ValueError:
        return _oppi_error("RS_ERROR_INCORRECT_DATA")
    if not isinstance(body, dict) or not isinstance(body.get("balance", 0), int):
        return _oppi_error("RS_ERROR_INCORRECT_DATA")
    if not all(isinstance(body.get(k), str) and body[k] for k in ("gameId", "playerId", "currency")):
        return _oppi_error("RS_ERROR_FIELD_REQUIRED_OR_INVALID")
    session_id = wire.new_id("sess")
    store.session_save(session_id, {
        "sessionId": session_id, "apiKey": integration.api_key, "gameId": body["gameId"],
        "playerId": body["playerId"], "playerName": str(body.get("playerName") or body["playerId"]),
        "currency": body["currency"], "balance": body.get("balance", 0), "createdAt": int(time.time() * 1000),
    })
    game_url = request.build_absolute_uri(reverse("sandbox:oppi-play", args=[session_id]))
    return JsonResponse({"status": "RS_OK", "gameUrl": game_url, "sessionId": session_id})


@csrf_exempt
@require_GET
def oppi_game_sessions(request):
    """`GET /game/sessions?page=&limit=&playerId=&gameId=` (signed with an empty body)."""
    integration, error = _oppi_verify(request)
    if error:
        return error
    try:
        page = max(int(request.GET.get("page", 1)), 1)
        limit = min(max(int(request.GET.get("limit", 20)), 1), 100)
    except ValueError:
        return _oppi_error("RS_ERROR_INCORRECT_DATA")
    rows = [
        s for s in store.sessions()
        if s["apiKey"] == integration.api_key
        and all(not request.GET.get(k) or s[k] == request.GET[k] for k in ("playerId", "gameId"))
    ]
    data = [{k: v for k, v in s.items() if k != "apiKey"} for s in rows[(page - 1) * limit: page * limit]]
    return JsonResponse({"status": "RS_OK", "page": page, "limit": limit, "total": len(rows), "data": data})


@require_http_methods(["GET", "POST"])
def oppi_play(request, session_id: str):
    """The Oppi sandbox game: Bet, then Win or Lose, each sent to our Oppi wallet endpoints.

    Only the signed-in player whose launch this session is; the open bet lives in the sandbox's
    store (never in the page), so a payout is always twice the bet really placed."""
    session = store.session_get(session_id)
    if session is None:
        raise Http404("unknown sandbox session")
    integration = wire.oppi_integration(session["apiKey"])
    if integration is None:
        return _refused(request, "Oppi Games", "RS_ERROR_INVALID_APIKEY", "The integration no longer points here.")
    if _own_launch(request, integration, session_id) is None:
        return _not_yours(request, "Oppi Games")
    last = None
    amount = request.POST.get("amount", "10")
    if request.method == "POST":
        last = _oppi_round(request, integration, session, amount)
        session = store.session_get(session_id) or session
    open_round = store.round_get("oppi", session_id)
    is_framed = framed(request)
    return render(request, "sandbox/game.html", {
        "provider": "Oppi Games", "state": {"framed": "1"} if is_framed else {}, "framed": is_framed,
        "last": last, "round_open": open_round is not None,
        "amount": amount, "action_url": reverse("sandbox:oppi-play", args=[session_id]),
        "player_name": session["playerName"], "balance": _oppi_amount(int(session["balance"])),
        "currency": session["currency"], "game_label": session["gameId"],
    })


def _oppi_round(request, integration, session: dict, amount_text: str) -> dict:
    action = request.POST.get("action")
    session_id = session["sessionId"]
    open_round = store.round_get("oppi", session_id)
    common = {"sessionId": session_id, "playerId": session["playerId"], "gameId": session["gameId"],
              "currency": session["currency"]}
    if action == "bet" and open_round is None:
        try:
            amount = to_units(amount_text.strip())
        except AmountError:
            return {"call": "bet", "status": "enter an amount above 0 (at most 5 decimals)"}
        if amount <= 0:
            return {"call": "bet", "status": "enter an amount above 0"}
        txn = wire.new_id("bet")
        answer = wire.oppi_post(request, integration, "transaction/bet",
                                {"transactionId": txn, **common, "amount": amount})
        if answer.get("status") == "RS_OK":
            store.round_open("oppi", session_id, {"txn": txn, "amount": amount})
    elif action in ("win", "lose") and open_round is not None:
        store.round_close("oppi", session_id)  # first: a double click cannot pay twice from here
        won = int(open_round["amount"]) * 2 if action == "win" else 0
        answer = wire.oppi_post(request, integration, "transaction/payout", {
            "transactionId": wire.new_id("pay"), "refTransactionId": open_round["txn"], **common,
            "amount": won, "isWin": action == "win"})
    else:
        return {"call": action or "?", "status": "nothing to do"}
    if isinstance(answer.get("balance"), int):
        store.session_save(session_id, {**session, "balance": answer["balance"]})
    return {"call": action, **answer}
