"""The one interface between the lobby and a game provider: how a launch is started.

The lobby never imports a provider package. Each provider package has an adapter class (a
subclass of `ProviderAdapter`), named by dotted path in its registration (core.registry); it is
imported the first time it is asked for. A third provider is one new package (with its
registration and adapter) plus its line in settings.INSTALLED_PROVIDERS.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from core.models import WalletMode
from core.registry import registration_for, registrations

if TYPE_CHECKING:
    from core.models import Integration
    from wallet.models import Account, Player

    from .models import Game, LaunchSession

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
    token: str  # the provider's name for the launch (its launch token or session id)
    method: str
    session: LaunchSession
    deposit: object | None = None  # transfer mode: the confirmed deposit order (transfers.TransferOrder)


class ProviderAdapter(ABC):
    """What the lobby needs from a provider. Subclass it in the provider's package."""

    provider: ClassVar[str]  # the Integration.provider value this adapter serves
    token_name: ClassVar[str] = "token"  # how `manage.py launch` names the token it prints
    short_name: ClassVar[str] = ""  # how players call the provider (a short name), on buttons
    has_lobby: ClassVar[bool] = False  # a launch without a game opens the provider's own lobby
    wallet_modes: ClassVar[frozenset[str]] = frozenset({WalletMode.SEAMLESS})
    # Which values of this provider's launches and calls are live credentials (lobby.masking.
    # CredentialRule, declared in the provider's package); None: token-like URL parameters only.
    credentials: ClassVar[object | None] = None
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


_instances: dict[type, ProviderAdapter] = {}


def adapter_for_provider(provider: str) -> ProviderAdapter | None:
    """The lobby adapter its registration names (one instance per class), or None."""
    registration = registration_for(provider)
    adapter_class = registration.lobby_adapter_class() if registration is not None else None
    if adapter_class is None:
        return None
    instance = _instances.get(adapter_class)
    if instance is None:
        instance = _instances.setdefault(adapter_class, adapter_class())
    return instance


def adapters_all() -> list[ProviderAdapter]:
    """Every installed provider's adapter (one per provider that has one)."""
    return [a for a in (adapter_for_provider(r.name) for r in registrations(accounts_only=True)) if a is not None]


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
           "adapter_for_provider", "adapters_all", "launchable", "lobby_name", "opens_game"]
