"""What the transfer-wallet commands share: finding a transfer-mode integration by its code."""

from django.core.management.base import CommandError

from core.models import Integration, Provider, WalletMode


def transfer_integration(code: str, *, transfer_mode: bool = True) -> Integration:
    integration = Integration.objects.filter(code=code).first()
    if integration is None:
        raise CommandError(f"no integration with code {code!r}")
    if integration.provider != Provider.ONEGAMING:
        raise CommandError(f"integration {code!r} is not a 1Gaming integration")
    if transfer_mode and integration.mode != WalletMode.TRANSFER:
        raise CommandError(f"integration {code!r} is in {integration.mode} mode, not transfer mode")
    return integration
