"""What the transfer-wallet commands share: finding a transfer-mode integration by its code."""

from django.core.management.base import CommandError

from core.models import Integration, WalletMode
from core.registry import registration_for


def transfer_integration(code: str, *, transfer_mode: bool = True) -> Integration:
    integration = Integration.objects.filter(code=code).first()
    if integration is None:
        raise CommandError(f"no integration with code {code!r}")
    registration = registration_for(integration)
    if registration is None or not registration.transfer_client:
        raise CommandError(f"integration {code!r} is not of a provider with a transfer wallet")
    if transfer_mode and integration.mode != WalletMode.TRANSFER:
        raise CommandError(f"integration {code!r} is in {integration.mode} mode, not transfer mode")
    return integration
