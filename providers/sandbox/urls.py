"""Sandbox provider routes under /sandbox/ (only when settings.SANDBOX_ENABLED)."""

from django.urls import path

from . import views

app_name = "sandbox"
urlpatterns = [
    path("onegaming/lobby", views.onegaming_lobby, name="onegaming-lobby"),
    path("onegaming/lobby/url", views.onegaming_lobby_url, name="onegaming-lobby-url"),
    path("onegaming/lobby/mobile", views.onegaming_lobby, {"mobile": True}, name="onegaming-lobby-mobile"),
    path("onegaming/lobby/mobile/url", views.onegaming_lobby_url, {"mobile": True}, name="onegaming-lobby-mobile-url"),
    path("onegaming/round", views.onegaming_round, name="onegaming-round"),
    path("oppi/game/url", views.oppi_game_url, name="oppi-game-url"),
    path("oppi/game/sessions", views.oppi_game_sessions, name="oppi-game-sessions"),
    path("oppi/play/<str:session_id>", views.oppi_play, name="oppi-play"),
]
