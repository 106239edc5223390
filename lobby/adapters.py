"""The one interface between the lobby and a game provider: how a launch is started.

The lobby never imports a provider package. Each provider package has an adapter class (a
subclass of `ProviderAdapter`), named by dotted path in `settings.LOBBY_PROVIDER_ADAPTERS`; the
registry imports those paths the first time an adapter is asked for. A third provider is one
new package with its adapter, plus one line in that setting (tests may also call `register()`).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

from .models import WalletMode

if TYPE_CHECKING:
    from wallet.models import Account, Player

    from .models import Game, Integration, LaunchSession

DEFAULT_ADAPTERS = (
    "providers.onegaming.lobby_adapter.OneGamingAdapter",
    "providers.oppi.lobby_adapter.OppiAdapter",
)


class LaunchError(Exception):
    """A launch that cannot start; the message is safe to show to the player."""


@dataclass(frozen=True)
class LaunchRequest:
    """Everything the lobby has decided before a provider takes over."""

    integration: Integration
    player: Player
    game: Game | None
    device: str
    method: str
    wallet: Account  # the wallet the player plays with (its currency is the launch's)


@dataclass(frozen=True)
class LaunchResult:
    url: str
    token: str  # the provider's name for the launch (1G l_token, Oppi sessionId, ...)
    method: str
    session: LaunchSession
    deposit: object | None = None  # transfer mode: the confirmed deposit order (transfers.TransferOrder)


class ProviderAdapter(ABC):
    """What the lobby needs from a provider. Subclass it in the provider's package."""

    provider: ClassVar[str]  # the Integration.provider value this adapter serves
    token_name: ClassVar[str] = "token"  # how `manage.py launch` names the token it prints
    short_name: ClassVar[str] = ""  # how players call the provider ("1G"), on buttons
    has_lobby: ClassVar[bool] = False  # a launch without a game opens the provider's own lobby
    wallet_modes: ClassVar[frozenset[str]] = frozenset({WalletMode.SEAMLESS})
    # Which values of this provider's launches and calls are live credentials (lobby.masking.
    # CredentialRule, declared in the provider's package); None: token-like URL parameters only.
    credentials: ClassVar[object | None] = None

    @abstractmethod
    def launch(self, request: LaunchRequest) -> LaunchResult:
        """Create the launch session and return where to send the player; LaunchError if it cannot."""

    def opens_game(self, device: str) -> bool:
        """Whether a launch on this device opens the chosen game (False: the provider's lobby)."""
        return True

    def supports_mode(self, mode: str) -> bool:
        return mode in self.wallet_modes


_registry: dict[str, ProviderAdapter] = {}
_loaded = False
_lock = threading.Lock()


def register(adapter: ProviderAdapter | type[ProviderAdapter]) -> ProviderAdapter:
    """Make `adapter` the one for its provider (a later registration replaces an earlier one)."""
    instance = adapter() if isinstance(adapter, type) else adapter
    if not getattr(instance, "provider", ""):
        raise ValueError(f"{type(instance).__name__} names no provider")
    _registry[instance.provider] = instance
    return instance


def unregister(provider: str) -> None:
    _registry.pop(provider, None)


def _load_configured() -> None:
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        for path in getattr(settings, "LOBBY_PROVIDER_ADAPTERS", DEFAULT_ADAPTERS):
            adapter = import_string(path)
            if adapter.provider not in _registry:  # a test's register() wins over the setting
                register(adapter)
        _loaded = True


def adapter_for_provider(provider: str) -> ProviderAdapter | None:
    _load_configured()
    return _registry.get(provider)


def adapters_all() -> list[ProviderAdapter]:
    """Every registered adapter (one per provider)."""
    _load_configured()
    return list(_registry.values())


def adapter_for(integration: Integration) -> ProviderAdapter:
    """The adapter of the integration's provider; LaunchError when none is registered."""
    adapter = adapter_for_provider(integration.provider)
    if adapter is None:
        raise LaunchError("This game provider is not available right now.")
    return adapter


def opens_game(integration: Integration, device: str) -> bool:
    adapter = adapter_for_provider(integration.provider)
    return adapter.opens_game(device) if adapter else True


def launchable(integration: Integration) -> bool:
    """Whether a registered adapter can launch this integration in its wallet mode."""
    adapter = adapter_for_provider(integration.provider)
    return adapter is not None and adapter.supports_mode(integration.mode)


def lobby_name(integration: Integration) -> str | None:
    """The provider's name for "Open the … lobby" buttons, or None when it has no lobby of its own."""
    adapter = adapter_for_provider(integration.provider)
    if adapter is None or not adapter.has_lobby:
        return None
    return adapter.short_name or integration.get_provider_display()


__all__ = ["LaunchError", "LaunchRequest", "LaunchResult", "ProviderAdapter", "adapter_for",
           "adapter_for_provider", "launchable", "lobby_name", "opens_game", "register", "unregister"]
