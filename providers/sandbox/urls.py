"""Sandbox provider routes under /sandbox/ (only when settings.SANDBOX_ENABLED)."""

from functools import wraps

from django.conf import settings
from django.http import Http404
from django.urls import path

from . import views


def _sandbox_only(view):
    """Second lock besides config/urls.py: every sandbox view checks the setting on each request,
    so a production process (DEBUG off, SANDBOX_ENABLED unset) never serves it."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not settings.SANDBOX_ENABLED:
            raise Http404("the sandbox provider is disabled")
        return view(request, *args, **kwargs)

    return guarded


app_name = "sandbox"
urlpatterns = [
    path("onegaming/lobby", _sandbox_only(views.onegaming_lobby), name="onegaming-lobby"),
    path("onegaming/lobby/url", _sandbox_only(views.onegaming_lobby_url), name="onegaming-lobby-url"),
    path("onegaming/lobby/mobile", _sandbox_only(views.onegaming_lobby), {"mobile": True}, name="onegaming-lobby-mobile"),
    path("onegaming/lobby/mobile/url", _sandbox_only(views.onegaming_lobby_url), {"mobile": True}, name="onegaming-lobby-mobile-url"),
    path("onegaming/round", _sandbox_only(views.onegaming_round), name="onegaming-round"),
    path("oppi/game/url", _sandbox_only(views.oppi_game_url), name="oppi-game-url"),
    path("oppi/game/sessions", _sandbox_only(views.oppi_game_sessions), name="oppi-game-sessions"),
    path("oppi/play/<str:session_id>", _sandbox_only(views.oppi_play), name="oppi-play"),
]
