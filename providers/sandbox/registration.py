"""The sandbox: stand-in provider lobbies and games served by this project (development and tests).

It holds no integration accounts of its own (`accounts = False`): it only mounts its routes, which
answer 404 unless settings.SANDBOX_ENABLED."""

from core.registry import ProviderRegistration


class SandboxRegistration(ProviderRegistration):
    name = "sandbox"
    label = "Sandbox"
    accounts = False
    urls = "providers.sandbox.urls"
    url_prefix = "sandbox/"
    callback_paths = False


registration = SandboxRegistration()
