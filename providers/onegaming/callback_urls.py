"""1G seamless-wallet callback routes (balance, bet, result, rollback, transactions)."""

urlpatterns: list = []
