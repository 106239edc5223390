"""1G seamless-wallet callback routes (balance, bet, result, rollback, transactions), no trailing slash."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("balance", views.BalanceView.as_view(), name="onegaming-balance"),
    path("bet", views.BetView.as_view(), name="onegaming-bet"),
    path("result", views.ResultView.as_view(), name="onegaming-result"),
    path("rollback", views.RollbackView.as_view(), name="onegaming-rollback"),
    path("transactions", views.TransactionsView.as_view(), name="onegaming-transactions"),
]
