"""1G seamless-wallet callback routes (balance, bet, result, rollback, transactions), no trailing
slash; the paths are dialect.CALLBACK_PATHS."""

from django.urls import path

from . import dialect, views

_VIEWS = {dialect.BALANCE: views.BalanceView, dialect.BET: views.BetView, dialect.RESULT: views.ResultView,
          dialect.ROLLBACK: views.RollbackView, dialect.TRANSACTIONS: views.TransactionsView}

urlpatterns: list = [
    path(dialect.CALLBACK_PATHS[call], view.as_view(), name=f"onegaming-{call}") for call, view in _VIEWS.items()
]
