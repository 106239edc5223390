"""Oppi's wallet callbacks under /api/oppi/ (no trailing slash; spec section 2)."""

from django.urls import path, re_path

from . import views

app_name = "oppi"

urlpatterns = [
    path("user/balance", views.BalanceView.as_view(), name="balance"),
    path("transaction/bet", views.BetView.as_view(), name="bet"),
    path("transaction/payout", views.PayoutView.as_view(), name="payout"),
    path("transaction/reward", views.RewardView.as_view(), name="reward"),
    path("transaction/rollback", views.RollbackView.as_view(), name="rollback"),
    re_path(r"^(?P<rest>.*)$", views.unknown_path, name="unknown"),  # last: everything else
]
