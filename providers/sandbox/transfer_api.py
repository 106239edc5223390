"""Sandbox stand-in for 1G's transfer API (spec section 4) and its transfer-mode lobby, with faults.

Development and tests only (mounted under /sandbox/onegaming/ when settings.SANDBOX_ENABLED).

- `POST /wallet/create|balance|deposit|withdraw|records` and `/games`, as the spec's table says:
  `UG-Agent` names a sandbox integration (its `api_base_url` contains "/sandbox/") in transfer
  mode, `UG-Sub-Agent` must match its sub-agent when it has one, and `UG-Data-Signature` is
  checked over the raw body with its secret. Refusals answer HTTP 200 with a spec status.
- Wallets are kept per (agent, player) in the cache (local memory under `make run`, Redis when
  `REDIS_URL` is set), as integer ledger units. A `transfer_id` seen before gets the first
  answer again, whatever the new body says; only calls that reached the wallet are remembered
  (a call refused for its signature or syntax, or cut short by a fault that moved nothing, is
  judged afresh when retried).
- Faults are switched per endpoint (staff page `/sandbox/onegaming/faults`, or `fault_set()` in
  tests); each rule fires for its next `times` calls (0: until cleared):

  | fault | what the operator sees | money at the sandbox |
  |---|---|---|
  | `delay` | the answer after `seconds` (default 12, past the client's timeout) | applied (late) |
  | `lose_answer` | HTTP 502 with an HTML body, after applying | applied |
  | `unknown_error` | HTTP 200 `{"status":"UNKNOWN_ERROR"}` | not applied |
  | `http_500` | HTTP 500, text body | not applied |
  | `http_400_status` | HTTP 400 `{"status": <status, default INVALID_TYPES>}`, a final refusal | not applied, recorded FAILED |
  | `http_400_bare` | HTTP 400 without a status (text body) | not applied |
  | `repeat_answer` | the first answer of the previous transfer (another transfer_id) | not applied |

- The transfer-mode lobby (`/lobby` for an agent in transfer mode) validates the l_token with
  the operator like any lobby, then plays rounds against the sandbox wallet: bets and wins
  change 1G's side only, never the operator's seamless callbacks.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from decimal import Decimal
from functools import wraps

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.models import Integration, WalletMode
from providers.onegaming import signing as og_signing
from providers.onegaming.dialect import WIRE_DIGITS, balance_wire, wire_digits
from providers.onegaming.reference import ONEGAMING_GAMES
from wallet.money import AmountError, to_units

from . import wire
from .tables import GAME_CHOICES, framed, game_label

TTL = 30 * 24 * 60 * 60  # sandbox wallets outlive a demo evening
MAX_RECORDS = 5000
FAULTS_KEY = "sandbox:onegaming:faults"
FAULTS = ("delay", "lose_answer", "unknown_error", "http_500", "http_400_status", "http_400_bare", "repeat_answer")
ENDPOINTS = ("create", "balance", "deposit", "withdraw", "records", "games")
DEFAULT_DELAY_S = 12.0
RECORDS_PAGE_SIZE = getattr(settings, "SANDBOX_ONEGAMING_RECORDS_PAGE_SIZE", 50)

# One process's writers take turns (runserver and the test live server are one process). With
# several processes on Redis the sandbox may race: it is a development tool, not 1G.
_lock = threading.RLock()


# --- storage --------------------------------------------------------------------------------


def _wallet_key(agent: str, player_id: str) -> str:
    return f"sandbox:onegaming:wallet:{agent}:{player_id}"


def _transfer_key(agent: str, transfer_id: str) -> str:
    return f"sandbox:onegaming:transfer:{agent}:{transfer_id}"


def _records_key(agent: str) -> str:
    return f"sandbox:onegaming:records:{agent}"


def wallet_get(agent: str, player_id: str) -> dict | None:
    """The sandbox's wallet of a player: {"currency", "balance" (ledger units), "username"}."""
    return cache.get(_wallet_key(agent, player_id))


def _wallet_save(agent: str, player_id: str, wallet: dict) -> None:
    cache.set(_wallet_key(agent, player_id), wallet, TTL)


def records(agent: str) -> list[dict]:
    """Every deposit and withdrawal the sandbox answered for an agent, oldest first."""
    return [r for r in (cache.get(_transfer_key(agent, t)) for t in cache.get(_records_key(agent), [])) if r]


def _remember(agent: str, transfer_id: str, entry: dict) -> None:
    cache.set(_transfer_key(agent, transfer_id), entry, TTL)
    ids = [*cache.get(_records_key(agent), []), transfer_id][-MAX_RECORDS:]
    cache.set(_records_key(agent), ids, TTL)
    cache.set(f"sandbox:onegaming:last-transfer:{agent}", transfer_id, TTL)


# --- faults ---------------------------------------------------------------------------------


def fault_set(fault: str, *, endpoint: str = "*", times: int = 1, status: str = "", seconds: float | None = None) -> None:
    """Inject `fault` into the next `times` calls of `endpoint` ("*": any; times 0: until cleared)."""
    if fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}")
    if endpoint != "*" and endpoint not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint!r}")
    rule = {"fault": fault, "endpoint": endpoint, "times": max(int(times), 0), "status": status,
            "seconds": DEFAULT_DELAY_S if seconds is None else float(seconds)}
    with _lock:
        cache.set(FAULTS_KEY, [*faults(), rule], TTL)


def faults() -> list[dict]:
    return list(cache.get(FAULTS_KEY, []))


def faults_clear() -> None:
    cache.delete(FAULTS_KEY)


def _fault_take(endpoint: str) -> dict | None:
    """The first rule for this endpoint, counted down (a rule that has fired its times is dropped)."""
    with _lock:
        rules = faults()
        for index, rule in enumerate(rules):
            if rule["endpoint"] in ("*", endpoint):
                if rule["times"] == 1:
                    rules.pop(index)
                elif rule["times"] > 1:
                    rules[index] = {**rule, "times": rule["times"] - 1}
                cache.set(FAULTS_KEY, rules, TTL)
                return rule
    return None


# --- wire -----------------------------------------------------------------------------------


def _json_bytes(payload) -> bytes:
    """JSON with Decimals written as numbers with their exact digits (`1500.00`), at any depth."""
    marks: dict[str, str] = {}

    def walk(value):
        if isinstance(value, Decimal):
            key = f"\x00dec{len(marks)}\x00"
            marks[key] = format(value, "f")
            return key
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    text = json.dumps(walk(payload), ensure_ascii=False, separators=(",", ":"))
    for key, number in marks.items():
        text = text.replace(json.dumps(key), number)
    return text.encode()


def _answer(payload: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(_json_bytes(payload), status=status, content_type="application/json")


def _status(status: str) -> HttpResponse:
    return _answer({"status": status})


def _caller(request) -> tuple[Integration | None, HttpResponse | None]:
    """The calling integration when agent, sub-agent, mode and signature are right, else the refusal."""
    integration = wire.onegaming_integration(request.headers.get("UG-Agent", ""))
    if integration is None or integration.mode != WalletMode.TRANSFER or not integration.enabled:
        return None, _status("INVALID_PARTNER")
    if integration.sub_agent and request.headers.get("UG-Sub-Agent", "") != integration.sub_agent:
        return None, _status("INVALID_PARTNER")
    if not og_signing.signature_valid(integration.secret, request.body, request.headers.get("UG-Data-Signature"),
                                       encoding=integration.signature_encoding):
        return None, _status("INVALID_SIGNATURE")
    return integration, None


def _body(request) -> dict | None:
    try:
        body = json.loads(request.body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict) or body.get("datetime") in (None, ""):
        return None
    return body


def _text(body: dict, name: str) -> str:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return ""
    return str(value).strip()


def _amount(body: dict, currency: str) -> int | None:
    value = body.get("amount")
    if isinstance(value, (bool, float)) or not isinstance(value, (str, int, Decimal)):
        return None
    try:
        units = to_units(value, digits=wire_digits(currency))
    except AmountError:
        return None
    return units if units > 0 else None


def _now_text() -> str:
    return timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


def transfer_endpoint(name: str):
    """POST only, signed by a transfer-mode sandbox integration, with the faults switched for `name`."""

    def decorate(handler):
        @csrf_exempt
        @require_POST
        @wraps(handler)
        def view(request):
            integration, refusal = _caller(request)
            if refusal is not None:
                return refusal
            body = _body(request)
            if body is None:
                return _status("INVALID_SYNTAX")
            rule = _fault_take(name)
            if rule is None:
                return handler(integration, body)
            return _faulty(rule, name, handler, integration, body)

        return view

    return decorate


def _faulty(rule: dict, name: str, handler, integration: Integration, body: dict) -> HttpResponse:
    fault = rule["fault"]
    if fault == "delay":
        time.sleep(rule["seconds"])
        return handler(integration, body)
    if fault == "lose_answer":
        handler(integration, body)  # applied; the answer never reaches the operator
        return HttpResponse("<html><body><h1>502 Bad Gateway</h1></body></html>", status=502,
                            content_type="text/html")
    if fault == "unknown_error":
        return _status("UNKNOWN_ERROR")
    if fault == "http_500":
        return HttpResponse("Internal Server Error", status=500, content_type="text/plain")
    if fault == "http_400_bare":
        return HttpResponse("Bad Request", status=400, content_type="text/plain")
    if fault == "http_400_status":
        status = rule["status"] or "INVALID_TYPES"
        transfer_id = _text(body, "transfer_id")
        if transfer_id and name in ("deposit", "withdraw") and cache.get(
                _transfer_key(integration.agent_code, transfer_id)) is None:
            _remember_refusal(integration.agent_code, body, name, status, http_status=400)
        return _answer({"status": status}, status=400)
    if fault == "repeat_answer":
        last = cache.get(f"sandbox:onegaming:last-transfer:{integration.agent_code}")
        entry = cache.get(_transfer_key(integration.agent_code, last)) if last else None
        if entry and last != _text(body, "transfer_id"):
            return _answer(entry["answer"], status=entry.get("http_status", 200))
        return handler(integration, body)
    return handler(integration, body)


def _amount_text(body: dict) -> str:
    """The amount a refused call asked for, as text, when it is a plain number; else empty."""
    value = body.get("amount")
    if isinstance(value, (bool, float)) or not isinstance(value, (str, int, Decimal)):
        return ""
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        return ""
    return format(number, "f") if number.is_finite() and len(str(value)) <= 32 else ""


def _remember_refusal(agent: str, body: dict, kind: str, status: str, *, http_status: int = 200) -> dict:
    transfer_id = _text(body, "transfer_id")
    answer = {"status": status}
    _remember(agent, transfer_id, {
        "answer": answer, "http_status": http_status,
        "record": {"transfer_id": transfer_id, "player_id": _text(body, "player_id"), "type": kind,
                   "currency": _text(body, "currency"), "amount": _amount_text(body), "status": "FAILED",
                   "created_at": _now_text()},
    })
    return answer


# --- the calls ------------------------------------------------------------------------------


@transfer_endpoint("create")
def wallet_create(integration: Integration, body: dict) -> HttpResponse:
    player_id, username, currency = (_text(body, n) for n in ("player_id", "username", "currency"))
    if not (player_id and username and currency):
        return _status("INVALID_SYNTAX")
    if currency not in WIRE_DIGITS:
        return _status("INVALID_CURRENCY")
    with _lock:
        if wallet_get(integration.agent_code, player_id) is not None:
            return _status("USER_EXIST")
        _wallet_save(integration.agent_code, player_id, {"currency": currency, "balance": 0, "username": username})
    return _status("OK")


@transfer_endpoint("balance")
def wallet_balance(integration: Integration, body: dict) -> HttpResponse:
    player_id = _text(body, "player_id")
    if not player_id:
        return _status("INVALID_SYNTAX")
    wallet = wallet_get(integration.agent_code, player_id)
    if wallet is None:
        return _status("USER_NOT_EXIST")
    return _answer({"status": "OK", "player_id": player_id, "currency": wallet["currency"],
                    "balance": balance_wire(wallet["balance"], wallet["currency"])})


def _move(integration: Integration, body: dict, kind: str) -> HttpResponse:
    agent = integration.agent_code
    player_id, transfer_id, currency = (_text(body, n) for n in ("player_id", "transfer_id", "currency"))
    if not (player_id and transfer_id and currency) or body.get("amount") is None:
        return _status("INVALID_SYNTAX")
    with _lock:
        first = cache.get(_transfer_key(agent, transfer_id))
        if first is not None:  # a repeated transfer_id: the first answer, nothing moves again
            return _answer(first["answer"], status=first.get("http_status", 200))
        wallet = wallet_get(agent, player_id)
        amount = _amount(body, currency)
        if wallet is None:
            return _answer(_remember_refusal(agent, body, kind, "USER_NOT_EXIST"))
        if currency != wallet["currency"]:
            return _answer(_remember_refusal(agent, body, kind, "INVALID_CURRENCY"))
        if amount is None:
            return _answer(_remember_refusal(agent, body, kind, "INVALID_TYPES"))
        if kind == "withdraw" and amount > wallet["balance"]:
            return _answer(_remember_refusal(agent, body, kind, "INSUFFICIENT_CREDIT"))
        wallet = {**wallet, "balance": wallet["balance"] + (amount if kind == "deposit" else -amount)}
        _wallet_save(agent, player_id, wallet)
        answer = {"status": "OK", "transfer_id": transfer_id, "balance": balance_wire(wallet["balance"], currency)}
        _remember(agent, transfer_id, {
            "answer": answer, "http_status": 200,
            "record": {"transfer_id": transfer_id, "player_id": player_id, "type": kind, "currency": currency,
                       "amount": str(balance_wire(amount, currency)), "status": "OK", "created_at": _now_text()},
        })
    return _answer(answer)


@transfer_endpoint("deposit")
def deposit(integration: Integration, body: dict) -> HttpResponse:
    return _move(integration, body, "deposit")


@transfer_endpoint("withdraw")
def withdraw(integration: Integration, body: dict) -> HttpResponse:
    return _move(integration, body, "withdraw")


def _time(value) -> dt.datetime | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


@transfer_endpoint("records")
def wallet_records(integration: Integration, body: dict) -> HttpResponse:
    start, end = _time(body.get("start_time")), _time(body.get("end_time"))
    page = body.get("page", 1)
    if start is None or end is None or isinstance(page, bool) or not isinstance(page, int) or page < 1:
        return _status("INVALID_SYNTAX")
    player_id, transfer_id = _text(body, "player_id"), _text(body, "transfer_id")
    rows = [
        r["record"] for r in records(integration.agent_code)
        if start <= _time(r["record"]["created_at"]) <= end
        and (not player_id or r["record"]["player_id"] == player_id)
        and (not transfer_id or r["record"]["transfer_id"] == transfer_id)
    ]
    total_pages = max((len(rows) + RECORDS_PAGE_SIZE - 1) // RECORDS_PAGE_SIZE, 1)
    shown = rows[(page - 1) * RECORDS_PAGE_SIZE: page * RECORDS_PAGE_SIZE]
    return _answer({"status": "OK", "page": page, "total_pages": total_pages,
                    "records": [{**r, "amount": Decimal(r["amount"]) if r["amount"] else None} for r in shown]})


@transfer_endpoint("games")
def games(integration: Integration, body: dict) -> HttpResponse:
    from lobby.models import Game

    names = dict(Game.objects.filter(provider="onegaming", integration__isnull=True).values_list("game_id", "name"))
    return _answer({"status": "OK", "games": [
        {"game_id": int(game_id), "category": category, "brand": brand, "type": kind, "name": names.get(game_id, brand)}
        for category, game_id, brand, kind in ONEGAMING_GAMES
    ]})


# --- the transfer-mode lobby ----------------------------------------------------------------


def lobby_by_mode(seamless_view):
    """`/lobby` for an agent in transfer mode plays against the sandbox wallet; others go to `seamless_view`."""

    @wraps(seamless_view)
    def view(request, mobile: bool = False):
        integration = wire.onegaming_integration(request.GET.get("agent_code", ""))
        if integration is not None and integration.mode == WalletMode.TRANSFER:
            return transfer_lobby(request, integration, mobile=mobile)
        return seamless_view(request, mobile=mobile)

    return view


def _table_key(agent: str, l_token: str) -> str:
    return f"sandbox:onegaming:transfer-table:{agent}:{l_token}"


def _table_save(agent: str, l_token: str, table: dict) -> None:
    """The table a validated l_token opened: its player and the open bet (kept here, not in the
    page, so an edited form cannot change what a win pays)."""
    cache.set(_table_key(agent, l_token), table, 24 * 60 * 60)


def transfer_lobby(request, integration: Integration, *, mobile: bool):
    params = {name: request.GET.get(name, "") for name in ("agent_code", "player_id", "l_token", "bcode", "game_code")}
    answer = wire.onegaming_get(request, "igPokerValidation", {k: params[k] for k in
                                                                ("agent_code", "player_id", "l_token", "bcode")})
    if answer.get("status") != "OK":
        return render(request, "sandbox/refused.html", {"provider": "1Gaming", "status": str(answer.get("status")),
                                                        "detail": "The operator refused this launch."})
    _table_save(integration.agent_code, params["l_token"], {"player_id": answer["player_id"], "ticket": "", "bet": 0})
    state = {"agent_code": integration.agent_code, "player_id": answer["player_id"], "username": answer["username"],
             "l_token": params["l_token"], "game_id": params["game_code"] if not mobile else "",
             "amount": "10", "ticket": ""}
    last = {"call": "igPokerValidation", "status": "OK", "balance": answer.get("balance")}
    return _transfer_page(request, integration, state, mobile=mobile, last=last)


@csrf_exempt
@require_POST
def transfer_round(request):
    """A click at the transfer-mode table: the bet and the win move 1G's (the sandbox's) wallet only."""
    state = {k: request.POST.get(k, "") for k in ("agent_code", "player_id", "username", "l_token", "game_id",
                                                   "amount")}
    integration = wire.onegaming_integration(state["agent_code"])
    table = cache.get(_table_key(state["agent_code"], state["l_token"])) if integration else None
    if table is None or table["player_id"] != state["player_id"]:
        return render(request, "sandbox/refused.html", {"provider": "1Gaming", "status": "INVALID_TOKEN",
                                                        "detail": "This table was not opened by a validated launch."})
    action = request.POST.get("action")
    with _lock:
        table = cache.get(_table_key(state["agent_code"], state["l_token"])) or table
        wallet = wallet_get(integration.agent_code, state["player_id"])
        last = _transfer_play(integration, table, state, wallet, action)
        _table_save(integration.agent_code, state["l_token"], table)
    state["ticket"] = table["ticket"]
    return _transfer_page(request, integration, state, last=last)


def _transfer_play(integration: Integration, table: dict, state: dict, wallet: dict | None, action: str | None) -> dict:
    if wallet is None:
        return {"call": action or "?", "status": "USER_NOT_EXIST"}
    if action == "bet" and not table["ticket"]:
        try:
            amount = to_units(state["amount"].strip(), digits=wire_digits(wallet["currency"]))
        except AmountError:
            amount = 0
        if amount <= 0:
            return {"call": "bet", "status": "enter an amount above 0"}
        if state["game_id"] not in dict(GAME_CHOICES):
            return {"call": "bet", "status": "choose a game first"}
        if amount > wallet["balance"]:
            return {"call": "bet", "status": "INSUFFICIENT_CREDIT"}
        wallet = {**wallet, "balance": wallet["balance"] - amount}
        table.update(ticket=wire.new_id("tkt"), bet=amount)
    elif action in ("win", "lose") and table["ticket"]:
        wallet = {**wallet, "balance": wallet["balance"] + (2 * table["bet"] if action == "win" else 0)}
        table.update(ticket="", bet=0)
    else:
        return {"call": action or "?", "status": "nothing to do"}
    _wallet_save(integration.agent_code, state["player_id"], wallet)
    return {"call": action, "status": "OK", "balance": balance_wire(wallet["balance"], wallet["currency"])}


def _transfer_page(request, integration: Integration, state: dict, *, mobile: bool = False, last: dict | None = None):
    wallet = wallet_get(integration.agent_code, state["player_id"]) or {"currency": "", "balance": 0}
    balance = balance_wire(wallet["balance"], wallet["currency"]) if wallet["currency"] else Decimal(0)
    # Hidden fields name the table; the bet amount and the game are the form's own visible fields.
    posted = {k: state.get(k, "") for k in ("agent_code", "player_id", "username", "l_token")}
    is_framed = framed(request)
    if is_framed:
        posted["framed"] = "1"
    return render(request, "sandbox/game.html", {
        "provider": "1Gaming", "state": posted, "mobile": mobile, "last": last, "round_open": bool(state.get("ticket")),
        "framed": is_framed,
        "amount": state.get("amount", ""), "game_id": state.get("game_id", ""),
        "action_url": reverse("sandbox:onegaming-transfer-round"), "player_name": state.get("username"),
        "balance": balance, "currency": wallet["currency"], "game_label": game_label(state.get("game_id", ""), suffix=" · transfer wallet"),
        "games": GAME_CHOICES, "transfer_mode": True,
    })


# --- the fault switches (staff only) --------------------------------------------------------


@staff_member_required
def fault_page(request):
    """List, add and clear the fault rules; for staff on a development server only."""
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "clear":
            faults_clear()
            return redirect("sandbox:onegaming-faults")
        try:
            fault_set(request.POST.get("fault", ""), endpoint=request.POST.get("endpoint", "*") or "*",
                      times=int(request.POST.get("times") or 1), status=request.POST.get("status", "").strip()[:32],
                      seconds=float(request.POST["seconds"]) if request.POST.get("seconds") else None)
            return redirect("sandbox:onegaming-faults")
        except (TypeError, ValueError) as exc:
            error = str(exc)
    return render(request, "sandbox/faults.html", {"provider": "1Gaming", "rules": faults(), "faults": FAULTS,
                                                   "endpoints": ENDPOINTS,
                                                   "error": error, "default_delay": DEFAULT_DELAY_S})
