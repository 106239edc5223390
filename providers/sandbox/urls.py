"""Sandbox provider routes under /sandbox/ (only when settings.SANDBOX_ENABLED)."""

from functools import wraps

from csp.constants import SELF
from django.conf import settings
from django.http import Http404
from django.urls import path

from . import transfer_api, views


def _sandbox_only(view):
    """Second lock besides config/urls.py: every sandbox view checks the setting on each request,
    so a production process (DEBUG off, SANDBOX_ENABLED unset) never serves it."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not settings.SANDBOX_ENABLED:
            raise Http404("the sandbox provider is disabled")
        response = view(request, *args, **kwargs)
        # The stand-in lobbies and games are framed by our own lobby, as a provider's would be
        # (every other page of ours refuses any frame: X_FRAME_OPTIONS, CSP frame-ancestors).
        response["X-Frame-Options"] = "SAMEORIGIN"
        response._csp_replace = {"frame-ancestors": [SELF]}
        return response

    return guarded


app_name = "sandbox"
urlpatterns = [
    # A transfer-mode agent's lobby plays against the sandbox's transfer wallet (transfer_api.py).
    path("onegaming/lobby", _sandbox_only(transfer_api.lobby_by_mode(views.onegaming_lobby)), name="onegaming-lobby"),
    path("onegaming/lobby/url", _sandbox_only(views.onegaming_lobby_url), name="onegaming-lobby-url"),
    path("onegaming/lobby/mobile", _sandbox_only(transfer_api.lobby_by_mode(views.onegaming_lobby)), {"mobile": True},
         name="onegaming-lobby-mobile"),
    path("onegaming/lobby/mobile/url", _sandbox_only(views.onegaming_lobby_url), {"mobile": True}, name="onegaming-lobby-mobile-url"),
    path("onegaming/round", _sandbox_only(views.onegaming_round), name="onegaming-round"),
    # 1G's transfer API (spec section 4) and its fault switches.
    path("onegaming/wallet/create", _sandbox_only(transfer_api.wallet_create), name="onegaming-wallet-create"),
    path("onegaming/wallet/balance", _sandbox_only(transfer_api.wallet_balance), name="onegaming-wallet-balance"),
    path("onegaming/wallet/deposit", _sandbox_only(transfer_api.deposit), name="onegaming-wallet-deposit"),
    path("onegaming/wallet/withdraw", _sandbox_only(transfer_api.withdraw), name="onegaming-wallet-withdraw"),
    path("onegaming/wallet/records", _sandbox_only(transfer_api.wallet_records), name="onegaming-wallet-records"),
    path("onegaming/games", _sandbox_only(transfer_api.games), name="onegaming-games"),
    path("onegaming/transfer/round", _sandbox_only(transfer_api.transfer_round), name="onegaming-transfer-round"),
    path("onegaming/faults", _sandbox_only(transfer_api.fault_page), name="onegaming-faults"),
    path("oppi/game/url", _sandbox_only(views.oppi_game_url), name="oppi-game-url"),
    path("oppi/game/sessions", _sandbox_only(views.oppi_game_sessions), name="oppi-game-sessions"),
    path("oppi/play/<str:session_id>", _sandbox_only(views.oppi_play), name="oppi-play"),
]
