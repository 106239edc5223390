"""Player pages: sign in, catalogue, balances (polled), history, preferences, launch."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "lobby"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("balances/", views.balances, name="balances"),
    path("history/", views.history, name="history"),
    path("preferences/", views.preferences, name="preferences"),
    path("play/<slug:code>/", views.launch, name="launch"),
    path("play/<slug:code>/back/", views.money_back, name="money-back"),
]
