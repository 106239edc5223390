"""The provider registry: each provider package declares itself once, and every other app asks here.

A provider package (providers/<name>/) has a `registration` module whose `registration` object is
an instance of a `ProviderRegistration` subclass. `settings.INSTALLED_PROVIDERS` lists those
modules, and is the only place outside the package that names the provider. The lobby, transfers,
reports, the admin and the commands iterate `registrations()` or ask `registration_for(...)`;
none of them imports a provider package.

What a registration declares (every part optional but its name and label):

- wire: its callback URLs (`urls`, mounted under `url_prefix`), whether those paths take the light
  callback handler (`callback_paths`), its status-code catalogue (`status_codes`, `success_codes`);
- money rules: `rules`, a `GameRules` value that the gameplay services are driven by;
- integration accounts: the wallet modes it supports, which `Integration` fields it uses
  (`integration_fields`, with the label and help text staff read them by, `field_texts`; shown in
  the admin as `admin_fieldsets`, set by `integration_add` through `add_arguments` /
  `command_values`) and `integration_errors` (validation, by the admin and `integration_add`);
- the lobby: `lobby_adapter` (a dotted path to a lobby.adapters.ProviderAdapter subclass, which
  also names the provider's live launch credentials: lobby.masking.CredentialRule);
- transfer mode: `transfer_client` (a dotted path to a class taking an Integration), if any;
- reference data (`reference_games`), demo data (`demo_integrations`, `demo_games`) and how the
  reports and the demo name its calls (`endpoint_for`, `status_for`).

The registry imports nothing of ours but core: a registration's heavier parts are dotted paths,
imported the first time they are asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class GameRules:
    """How a provider's seamless protocol differs, as the wallet's gameplay services take it.

    - rollback_check_first: a bet whose id was rolled back already answers "rolled back" before
      anything else (a ticket-keyed protocol) rather than after the money checks;
    - single_settlement: a ticket is settled once (a second result for it is refused);
    - refuse_rolled_back_id: a result naming a transaction that was rolled back is refused;
    - rollback_by: what a rollback names: "ticket" (undoes a whole ticket) or "transaction";
    - rewards: the protocol credits rewards outside of rounds.
    """

    rollback_check_first: bool = False
    single_settlement: bool = False
    refuse_rolled_back_id: bool = False
    rollback_by: str = "transaction"
    rewards: bool = False


class ProviderRegistration:
    """Subclass in providers/<name>/registration.py and create one instance named `registration`."""

    name: ClassVar[str] = ""  # the Integration.provider value
    label: ClassVar[str] = ""  # how staff read it (its full name)
    short_name: ClassVar[str] = ""  # how players read it on buttons (a short name)
    accounts: ClassVar[bool] = True  # False: a package with routes only (the sandbox), no integrations

    # wire
    urls: ClassVar[str | None] = None  # dotted URLconf of its callbacks
    url_prefix: ClassVar[str] = ""  # where they are mounted ("api/<name>/")
    callback_paths: ClassVar[bool] = True  # served by the light callback handler (config/wsgi.py)
    status_codes: ClassVar[dict[str, str]] = {}  # wire status -> description (the admin's catalogue)
    success_codes: ClassVar[frozenset[str]] = frozenset()
    error_status: ClassVar[str] = ""  # its answer to a call that failed on our side
    rules: ClassVar[GameRules] = GameRules()

    # integration accounts
    wallet_modes: ClassVar[frozenset[str]] = frozenset({"seamless"})
    identity_field: ClassVar[str] = ""  # the Integration field a callback names us by (required)
    identity_option: ClassVar[str] = ""  # its integration_add option ("--agent-code")
    secret_max_length: ClassVar[int | None] = None
    integration_fields: ClassVar[tuple[str, ...]] = ()  # provider-only Integration fields
    # How staff read each of those fields for this provider: field -> (label, help text). The
    # columns in core.Integration carry generic words only; the admin shows these.
    field_texts: ClassVar[dict[str, tuple[str, str]]] = {}
    admin_fieldsets: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()  # (title, fields) of its own fields

    # lobby, transfers
    lobby_adapter: ClassVar[str | None] = None  # dotted path of a lobby.adapters.ProviderAdapter subclass
    transfer_client: ClassVar[str | None] = None  # dotted path of a class taking an Integration

    # reference and demo data, reports
    reference_games: ClassVar[tuple[dict, ...]] = ()  # provider-wide catalogue rows (Game fields)
    demo_games: ClassVar[tuple[str, ...]] = ()  # game ids the demo rounds play

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    # --- integration accounts ------------------------------------------------------------

    def integration_errors(self, values: dict[str, Any], *, secret: str = "") -> list[str]:
        """What is wrong with these Integration values for this provider (messages for ops staff).

        `values` holds the fields being set (a new secret apart); the base checks the wallet mode,
        the identity field and the secret's length."""
        errors = []
        mode = values.get("mode")
        if mode and mode not in self.wallet_modes:
            errors.append(f"{self.label} integrations are {' or '.join(sorted(self.wallet_modes))} only")
        if self.identity_field and not values.get(self.identity_field):
            option = f" ({self.identity_option})" if self.identity_option else ""
            errors.append(f"a {self.label} integration needs {_a(self.identity_field.replace('_', ' '))}{option}")
        if self.secret_max_length and len(secret) > self.secret_max_length:
            errors.append(f"{self.label} secret keys are at most {self.secret_max_length} characters")
        for field_name, owner in _field_owners().items():
            if owner is not self and field_name not in self.integration_fields and values.get(field_name) is not None:
                label = (owner.field_text(field_name) or (field_name.replace("_", " "),))[0]
                errors.append(f"{label} is {_a(owner.short_name or owner.label)} setting")
        return errors

    def field_text(self, field_name: str) -> tuple[str, str] | None:
        """(label, help text) of one of its own Integration fields, None when it declares none."""
        return self.field_texts.get(field_name) if field_name in self.integration_fields else None

    def add_arguments(self, parser) -> None:
        """`integration_add` options for this provider's own fields (added once per option name)."""

    def command_values(self, options: dict[str, Any]) -> dict[str, Any]:
        """This provider's own Integration values from the parsed `integration_add` options."""
        return {}

    def demo_integrations(self, base_url: str) -> list[dict[str, Any]]:
        """`integration_upsert` keyword arguments of the demo accounts (pointing at the sandbox at
        `base_url`), each with an optional "games": [(game id, name, category), ...]."""
        return []

    # --- reports and the demo ------------------------------------------------------------

    def endpoint_for(self, action: str) -> str:
        """The call history's endpoint name of a money action (bet, win, rollback, reward)."""
        return action

    def status_for(self, action: str, code: str) -> str:
        """The wire status that answers `action` with the gameplay result code `code`."""
        return code

    # --- parts imported on first use -----------------------------------------------------

    def lobby_adapter_class(self):
        return import_string(self.lobby_adapter) if self.lobby_adapter else None

    def transfer_client_for(self, integration: Any):  # a core.models.Integration
        """The outbound transfer-wallet client of `integration`, or None when the provider has none."""
        return import_string(self.transfer_client)(integration) if self.transfer_client else None


def _field_owners() -> dict[str, ProviderRegistration]:
    """Each provider-only Integration field and the (first) provider that uses it."""
    owners: dict[str, ProviderRegistration] = {}
    for registration in registrations():
        for field_name in registration.integration_fields:
            owners.setdefault(field_name, registration)
    return owners


def _a(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


_lock = threading.Lock()
_loaded: list[ProviderRegistration] | None = None


def _load(package: str) -> ProviderRegistration:
    """`package`.registration.registration (a settings line names the provider package)."""
    obj = import_string(f"{package}.registration.registration")
    if not isinstance(obj, ProviderRegistration):
        raise TypeError(f"INSTALLED_PROVIDERS: {package}.registration.registration is not a ProviderRegistration")
    return obj


def registrations(*, accounts_only: bool = False) -> list[ProviderRegistration]:
    """The installed providers, in settings order (`accounts_only`: those with integrations)."""
    global _loaded
    loaded = _loaded
    if loaded is None:
        with _lock:
            if _loaded is None:
                found = [_load(path) for path in getattr(settings, "INSTALLED_PROVIDERS", ())]
                names = [r.name for r in found]
                duplicates = {n for n in names if names.count(n) > 1}
                if duplicates or not all(names):
                    raise ValueError(f"INSTALLED_PROVIDERS: each provider needs one unique name ({names})")
                _loaded = found
            loaded = _loaded
    return [r for r in loaded if r.accounts] if accounts_only else list(loaded)


def registration_for(provider: Any) -> ProviderRegistration | None:
    """The registration of a provider name or of an integration's provider (None: not installed).

    (The model imports this module for its choices, so it is not imported here, not even for types.)"""
    name = getattr(provider, "provider", provider)
    for registration in registrations():
        if registration.name == name:
            return registration
    return None


def provider_names() -> list[str]:
    return [r.name for r in registrations(accounts_only=True)]


def provider_choices() -> list[tuple[str, str]]:
    """`Integration.provider` choices (a callable, so installing a provider needs no migration)."""
    return [(r.name, r.label) for r in registrations(accounts_only=True)]


def with_transfer_client() -> Iterator[ProviderRegistration]:
    return (r for r in registrations(accounts_only=True) if r.transfer_client)


def success_codes() -> frozenset[str]:
    codes: set[str] = set()
    for registration in registrations():
        codes.update(registration.success_codes)
    return frozenset(codes)


def reset() -> None:
    """Forget the loaded registrations (INSTALLED_PROVIDERS changed: tests)."""
    global _loaded
    with _lock:
        _loaded = None


@receiver(setting_changed)
def _installed_providers_changed(*, setting, **kwargs) -> None:
    if setting != "INSTALLED_PROVIDERS":
        return
    reset()
    # The root URLconf mounts each provider's callbacks: build it again for the new list.
    import importlib
    import sys

    from django.urls import clear_url_caches

    module = sys.modules.get(settings.ROOT_URLCONF)
    if module is not None:
        importlib.reload(module)
    clear_url_caches()
