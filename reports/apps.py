from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from wallet.selectors import system_balances_register

        from .selectors import system_account_balances

        # The admin's system-account balances from the report totals (exact, one quick query).
        system_balances_register(system_account_balances)
