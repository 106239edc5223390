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

from lobby.reference import ONEGAMING_GAMES
from providers.oppi import dialect as oppi_dialect
from providers.oppi import signing as oppi_signing
from wallet.money import AmountError, from_units, to_units

from . import store, wire

LOBBY_PARAMS = ("agent_code", "player_id", "l_token", "bcode", "game_code")
OPPI_WINDOW_MS = 300_000
DEFAULT_ONEGAMING_GAME = "601"  # 1GPoker, the seed's own lobby game


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
    game_code = (params["game_code"] if not mobile else "") or DEFAULT_ONEGAMING_GAME
    state = {
        "agent_code": integration.agent_code, "player_id": answer["player_id"], "username": answer["username"],
        "l_token": params["l_token"], "currency": answer["currency"], "game_id": game_code,
        "balance": str(answer["balance"]), "amount": "10",
    }
    return _onegaming_page(request, state, mobile=mobile, last={"call": "igPokerValidation", **answer})


@csrf_exempt
@require_POST
def onegaming_round(request):
    """A click in the 1G sandbox game: Bet, Win or Lose, sent to our callbacks."""
    state = {k: request.POST.get(k, "") for k in ("agent_code", "player_id", "username", "l_token", "currency",
                                                   "game_id", "balance", "amount", "ticket", "round_id", "bet")}
    integration = wire.onegaming_integration(state["agent_code"])
    if integration is None:
        return _refused(request, "1Gaming", "INVALID_PARTNER", "No sandbox integration has this agent code.")
    action = request.POST.get("action")
    common = {"player_id": state["player_id"], "currency": state["currency"], "game_id": state["game_id"]}
    if action == "bet":
        amount = wire.decimal_or_none(state["amount"])
        if amount is None:
            return _onegaming_page(request, state, last={"call": "bet", "status": "enter an amount above 0"})
        state.update(ticket=wire.new_id("tkt"), round_id=wire.new_id("rnd"), bet=str(amount))
        answer = wire.onegaming_post(request, integration, "bet", {
            **common, "l_token": state["l_token"], "round_id": state["round_id"], "txn_id": wire.new_id("bet"),
            "txn_ticket": state["ticket"], "amount": amount})
        if answer.get("status") != "OK":
            state.update(ticket="", round_id="", bet="")
    elif action in ("win", "lose") and state["ticket"]:
        won = (Decimal(state["bet"]) * 2) if action == "win" else Decimal(0)
        answer = wire.onegaming_post(request, integration, "result", {
            **common, "round_id": state["round_id"], "txn_id": wire.new_id("res"), "txn_ticket": state["ticket"],
            "amount": won.quantize(Decimal(state["bet"]))})
        state.update(ticket="", round_id="", bet="")
    else:
        return _onegaming_page(request, state, last={"call": action or "?", "status": "nothing to do"})
    if "balance" in answer:
        state["balance"] = str(answer["balance"])
    return _onegaming_page(request, state, last={"call": action, **answer})


def _onegaming_page(request, state: dict, *, mobile: bool = False, last: dict | None = None):
    return render(request, "sandbox/game.html", {
        "provider": "1Gaming", "state": state, "mobile": mobile, "last": last,
        "round_open": bool(state.get("ticket")), "action_url": reverse("sandbox:onegaming-round"),
        "player_name": state.get("username"), "balance": state.get("balance"), "currency": state.get("currency"),
        "game_label": f"Game #{state.get('game_id')}", "games": [g[1] for g in ONEGAMING_GAMES],
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


@csrf_exempt
@require_http_methods(["GET", "POST"])
def oppi_play(request, session_id: str):
    """The Oppi sandbox game: Bet, then Win or Lose, each sent to our Oppi wallet endpoints."""
    session = store.session_get(session_id)
    if session is None:
        raise Http404("unknown sandbox session")
    integration = wire.oppi_integration(session["apiKey"])
    if integration is None:
        return _refused(request, "Oppi Games", "RS_ERROR_INVALID_APIKEY", "The integration no longer points here.")
    state = {"amount": request.POST.get("amount", "10"), "bet_txn": request.POST.get("bet_txn", ""),
             "bet": request.POST.get("bet", ""), "balance": request.POST.get("balance", "")}
    if not state["balance"]:
        state["balance"] = _oppi_amount(int(session["balance"]))
    last = None
    if request.method == "POST":
        last = _oppi_round(request, integration, session, state)
    return render(request, "sandbox/game.html", {
        "provider": "Oppi Games", "state": state, "last": last, "round_open": bool(state["bet_txn"]),
        "action_url": reverse("sandbox:oppi-play", args=[session_id]), "player_name": session["playerName"],
        "balance": state["balance"], "currency": session["currency"], "game_label": session["gameId"],
    })


def _oppi_round(request, integration, session: dict, state: dict) -> dict:
    action = request.POST.get("action")
    common = {"sessionId": session["sessionId"], "playerId": session["playerId"], "gameId": session["gameId"],
              "currency": session["currency"]}
    if action == "bet":
        try:
            amount = to_units(state["amount"].strip())
        except AmountError:
            return {"call": "bet", "status": "enter an amount above 0 (at most 5 decimals)"}
        if amount <= 0:
            return {"call": "bet", "status": "enter an amount above 0"}
        txn = wire.new_id("bet")
        answer = wire.oppi_post(request, integration, "transaction/bet",
                                {"transactionId": txn, **common, "amount": amount})
        state.update(bet_txn=txn if answer.get("status") == "RS_OK" else "", bet=str(amount))
    elif action in ("win", "lose") and state["bet_txn"]:
        won = int(state["bet"]) * 2 if action == "win" else 0
        answer = wire.oppi_post(request, integration, "transaction/payout", {
            "transactionId": wire.new_id("pay"), "refTransactionId": state["bet_txn"], **common,
            "amount": won, "isWin": action == "win"})
        state.update(bet_txn="", bet="")
    else:
        return {"call": action or "?", "status": "nothing to do"}
    if isinstance(answer.get("balance"), int):
        state["balance"] = _oppi_amount(answer["balance"])
    return {"call": action, **answer}
