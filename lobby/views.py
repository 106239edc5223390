"""Player pages: sign in, the catalogue with balances, and launching a game."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.models import Integration, LaunchMethod, WalletMode
from wallet.models import Account, AccountKind, Player
from wallet.money import quantize_for
from wallet.selectors import player_game_history

from .adapters import launchable, lobby_name, opens_game
from .forms import DepositForm, PreferencesForm
from .models import Device, Game
from .selectors import game_for_integration, games_for_integration
from .services import DepositPending, LaunchError, launch_start, play_wallet, provider_balances
from .services import money_back as transfer_back

MOBILE_AGENT = re.compile(r"Mobi|Android|iPhone|iPad|iPod|Opera Mini|IEMobile", re.IGNORECASE)
SESSION_PREFS = "lobby_prefs"
# How the lobby tells a player where a game will open (the launch methods, in plain words).
OPENS_IN = {LaunchMethod.IFRAME: "Plays on this page", LaunchMethod.REDIRECT: "Opens in this window",
            LaunchMethod.NEW_TAB: "Opens in a new tab"}
# How a player reads each kind of game movement (a rollback gives a bet's money back).
ACTION_LABELS = {"bet": "Bet", "win": "Win", "reward": "Bonus", "rollback": "Refund"}


class LoginView(auth_views.LoginView):
    template_name = "lobby/login.html"
    redirect_authenticated_user = True


def _prefs(request) -> dict[str, str]:
    return {"device": "auto", "method": "", "currency": "", **request.session.get(SESSION_PREFS, {})}


def _device(request, prefs: dict[str, str]) -> str:
    if prefs["device"] in Device.values:
        return prefs["device"]
    return Device.MOBILE if MOBILE_AGENT.search(request.headers.get("User-Agent", "")) else Device.DESKTOP


def _player(request) -> Player | None:
    return Player.objects.filter(user=request.user).first()


def _wallets(player: Player) -> list[dict]:
    accounts = Account.objects.filter(player=player, kind=AccountKind.WALLET).select_related("currency")
    return [
        {"currency": a.currency_id, "balance": quantize_for(a.balance, a.currency.digits)}
        for a in accounts.order_by("currency_id")
    ]


def _matches(game, query: str) -> bool:
    haystack = f"{game.name} {game.brand} {game.category} {game.game_id}".lower()
    return all(word in haystack for word in query.lower().split())


# How a card names the wallet a game plays from (each game's wallet mode, in plain words).
MODE_LABELS = {WalletMode.SEAMLESS: "Your wallet", WalletMode.TRANSFER: "Transfer wallet"}


def _catalogue(query: str, method_choice: str, device: str, player: Player) -> dict:
    """One catalogue for every enabled integration the lobby can launch.

    A game offered by several integrations of one provider (say, from the player's wallet and
    through a transfer wallet) is one card: it plays through the first integration offering it
    (seamless ones come first) and names every wallet mode it is offered in. Each transfer-mode
    integration is also one panel with its single way in (the deposit page) and "Back to my wallet".
    """
    cards: dict[tuple[str, str], dict] = {}
    providers, transfers = [], []
    integrations = Integration.objects.filter(enabled=True).order_by("mode", "provider", "code")
    for rank, integration in enumerate(i for i in integrations if launchable(i)):
        method = method_choice or integration.launch_method
        lobby = lobby_name(integration)
        entry = {
            "integration": integration,
            "name": integration.name or integration.get_provider_display(),
            "lobby_name": lobby,
            # A provider whose phone entry point takes no game: every card opens the provider's lobby.
            "opens_lobby_only": bool(lobby) and not opens_game(integration, device),
            "opens_in": OPENS_IN[method],
            "new_tab": method == LaunchMethod.NEW_TAB,
            "mode": integration.mode,
        }
        if integration.mode == WalletMode.TRANSFER:
            transfers.append({**entry, "held": provider_balances(integration=integration, player=player)})
        else:
            providers.append(entry)
        for game in games_for_integration(integration=integration):
            key = (integration.provider, game.game_id)
            if key in cards:
                if integration.mode not in cards[key]["modes"]:
                    cards[key]["modes"].append(integration.mode)
                continue
            if query and not _matches(game, query):
                continue
            cards[key] = {"game": game, "via": entry, "modes": [integration.mode], "rank": (rank, game.sort_order)}
    for card in cards.values():
        card["mode_labels"] = [MODE_LABELS.get(mode, mode) for mode in card["modes"]]
    return {"categories": _by_category(list(cards.values())), "count": len(cards), "providers": providers,
            "transfers": transfers}


def _by_category(cards: list[dict]) -> list[tuple[str, list]]:
    """Categories in catalogue order (the seed's: SPORT, SLOT, LIVECASINO, ...; a later provider's
    after), games inside each in their catalogue order."""
    groups: dict[str, list] = {}
    for card in sorted(cards, key=lambda c: c["rank"]):
        groups.setdefault(card["game"].category or "Other", []).append(card)
    return list(groups.items())


@login_required
def catalogue(request):
    player = _player(request)
    prefs = _prefs(request)
    query = request.GET.get("q", "").strip()[:100]
    wallets = _wallets(player) if player else []
    device = _device(request, prefs)
    context = {
        "player": player,
        "wallets": wallets,
        "query": query,
        "prefs": prefs,
        "device": device,
        "play_currency": prefs["currency"] if prefs["currency"] in {w["currency"] for w in wallets} else
        (wallets[0]["currency"] if wallets else ""),
        "form": PreferencesForm(initial=prefs, auto_id="pref-%s"),
        "catalogue": _catalogue(query, prefs["method"], device, player) if player else None,
    }
    return render(request, "lobby/catalogue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """The preferences live on the games page: GET goes there (to the form), POST saves them."""
    if request.method == "GET":
        return redirect(reverse("lobby:catalogue") + "#preferences")
    player = _player(request)
    held = Account.objects.filter(player=player, kind=AccountKind.WALLET).values_list("currency_id", flat=True)
    form = PreferencesForm(request.POST, currencies=list(held) if player else [])
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        prefs = _prefs(request)
        prefs.update({k: v for k, v in form.cleaned_data.items() if k in request.POST})
        request.session[SESSION_PREFS] = prefs
    return redirect("lobby:catalogue")


@login_required
@require_POST
def launch(request, code: str):
    """Start a game; answer with a page that frames it, or send the player to it.

    A transfer-mode integration first asks how much to take in (the deposit page), and opens
    only once that deposit is confirmed.
    """
    player = _player(request)
    integration = get_object_or_404(Integration, code=code)
    if player is None:
        messages.error(request, "Your login has no player account; please contact support.")
        return redirect("lobby:catalogue")
    game_id = request.POST.get("game", "").strip()
    game = game_for_integration(integration=integration, game_id=game_id) if game_id else None
    if game_id and game is None:
        messages.error(request, "This game is not in the catalogue.")
        return redirect("lobby:catalogue")
    prefs = _prefs(request)
    options = {"integration": integration, "player": player, "game": game, "device": _device(request, prefs),
               "method": request.POST.get("method") or prefs["method"] or None, "currency": prefs["currency"] or None}
    try:
        if integration.mode == WalletMode.TRANSFER:
            return _transfer_launch(request, options)
        result = launch_start(**options)
    except LaunchError as exc:
        messages.error(request, str(exc))
        return redirect("lobby:catalogue")
    return _open(request, result, integration, player)


def _open(request, result, integration: Integration, player: Player):
    if result.method == LaunchMethod.IFRAME:
        return render(request, "lobby/play.html", {
            "result": result, "game": result.session.game, "integration": integration, "player": player,
            "wallets": _wallets(player), "transfer": integration.mode == WalletMode.TRANSFER,
            "lobby_name": lobby_name(integration),
            "held": provider_balances(integration=integration, player=player)
            if integration.mode == WalletMode.TRANSFER else []})
    return redirect(result.url)


def _transfer_launch(request, options: dict):
    """The deposit page (no amount yet, or a wrong one), else deposit, then open the lobby."""
    integration, player = options["integration"], options["player"]
    wallet = play_wallet(player, options["currency"])
    held = provider_balances(integration=integration, player=player)
    has_money_there = any(row["currency"] == wallet.currency_id and row["balance"] > 0 for row in held)
    form = DepositForm(request.POST if "amount" in request.POST else None, wallet=wallet, allow_zero=has_money_there,
                       initial={"game": request.POST.get("game", ""), "method": request.POST.get("method", "")})
    if not form.is_valid():
        return render(request, "lobby/deposit.html", {
            "form": form, "integration": integration, "player": player, "game": options["game"], "held": held,
            "lobby_name": lobby_name(integration) or integration.get_provider_display(),
            "wallet": {"currency": wallet.currency_id, "balance": quantize_for(wallet.balance, wallet.currency.digits)},
            "has_money_there": has_money_there, "opens_lobby_only": not opens_game(integration, options["device"]),
        })
    try:
        result = launch_start(**options, deposit=form.cleaned_data["amount"])
    except DepositPending as exc:
        messages.warning(request, str(exc))
        return redirect("lobby:catalogue")
    if result.deposit is not None:
        amount = quantize_for(result.deposit.amount, wallet.currency.digits)
        messages.success(request, f"{amount} {wallet.currency_id} taken into {integration.name or integration.code}.")
    return _open(request, result, integration, player)


@login_required
@require_POST
def money_back(request, code: str):
    """"Back to my wallet": everything the transfer-mode provider holds for the player comes back."""
    player = _player(request)
    integration = get_object_or_404(Integration, code=code)
    if player is None:
        messages.error(request, "Your login has no player account; please contact support.")
        return redirect("lobby:catalogue")
    try:
        results = transfer_back(integration=integration, player=player)
    except LaunchError as exc:
        messages.error(request, str(exc))
        return redirect("lobby:catalogue")
    for result in results:
        (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("lobby:catalogue")


@login_required
@require_GET
@never_cache
def balances(request):
    """The signed-in player's balances, polled by the lobby and the game page while a game is open."""
    player = _player(request)
    if player is None:
        return JsonResponse({"wallets": []}, status=403)
    return JsonResponse({"wallets": [{"currency": w["currency"], "balance": str(w["balance"])}
                                     for w in _wallets(player)]})


def _game_names(rows) -> dict[tuple[str, str], str]:
    """(provider, game id) -> catalogue name, for the games in a page of history."""
    codes = {row.game_code for row in rows if row.game_code}
    return {(g.provider, g.game_id): g.name for g in Game.objects.filter(game_id__in=codes)}


@login_required
def history(request):
    """The player's own recent rounds: what each bet, win and refund moved, in the wallet's currency."""
    player = _player(request)
    if player is None:
        return render(request, "lobby/history.html", {"player": None}, status=403)
    rows = player_game_history(player)
    names = _game_names(rows)
    entries = [{"row": row, "game": names.get((row.integration.provider, row.game_code)) or row.game_code or "—",
                "label": ACTION_LABELS.get(row.action, row.action)} for row in rows]
    return render(request, "lobby/history.html", {"player": player, "entries": entries})
