from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "transfers"

    def ready(self):
        from wallet.checks import ledger_check_register
        from wallet.selectors import RECENT, player_overview_section_register

        from .checks import transfer_violations
        from .models import TransferOrder

        ledger_check_register(transfer_violations)  # the transfer wallet's own invariants
        player_overview_section_register(
            "transfer_orders", lambda player: list(TransferOrder.objects.filter(player=player).order_by("-id")[:RECENT]))
