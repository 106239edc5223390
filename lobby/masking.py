"""How the admin shows values that open a wallet or a player's lobby: never in full (unless the
user holds the live-credentials permission explicitly: see CredentialRule)."""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

# Query parameters of a launch URL that carry a live token or the check code derived from it.
SECRET_QUERY_PARAMS = frozenset({"l_token", "token", "bcode", "sessionid", "session_id", "session"})
SHOWN_CHARS = 4


def mask(value: str | None) -> str:
    """The first few characters and an ellipsis; a value too short to show part of is all hidden."""
    value = value or ""
    if not value:
        return ""
    if len(value) < 3 * SHOWN_CHARS:
        return "…"
    return f"{value[:SHOWN_CHARS]}…"


def mask_url(url: str | None) -> str:
    """A launch URL with its token-like query values (and any path segment equal to one) masked."""
    if not url:
        return ""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    secrets = [value for name, value in query if name.lower() in SECRET_QUERY_PARAMS and value]
    masked_query = "&".join(
        f"{quote(name)}={mask(value) if name.lower() in SECRET_QUERY_PARAMS else quote(value)}" for name, value in query
    )
    path = parts.path
    for secret in secrets:
        path = path.replace(secret, mask(secret))
    return urlunsplit((parts.scheme, parts.netloc, path, masked_query, ""))


def mask_url_with_token(url: str | None, token: str | None) -> str:
    """mask_url, and the session's own token wherever else it appears (e.g. a provider's play path)."""
    masked = mask_url(url)
    if token:
        masked = masked.replace(token, mask(token))
    return masked


# --- live launch credentials: one rule per provider, declared in its package ------------------

CREDENTIALS_PERMISSION = "lobby.view_live_credentials"


@dataclass(frozen=True)
class CredentialRule:
    """What of a provider's launches and calls is a live launch credential: a value that opens the
    player's game or lobby, and so plays their money. Each provider package declares one
    (providers/<name>/masking.py, named by its lobby adapter's `credentials`); the admin pages
    show every such value masked unless the user holds CREDENTIALS_PERMISSION explicitly.

    - query_params: URL query parameters whose value is a credential (in launch URLs, and in any
      URL inside a call body);
    - token_keys: JSON keys of call bodies whose value is a credential token;
    - url_keys: JSON keys of call bodies whose value is a launch URL;
    - whole_url: the launch URL as a whole is the credential (the provider's own format, no known
      parameter): only its scheme and host are shown.
    The launch's own token is masked wherever it appears, for every provider."""

    query_params: frozenset[str] = frozenset()
    token_keys: frozenset[str] = frozenset()
    url_keys: frozenset[str] = frozenset()
    whole_url: bool = False


# A provider that declares nothing still gets the token-like parameters masked.
DEFAULT_RULE = CredentialRule(query_params=SECRET_QUERY_PARAMS)


def credential_rule(provider: str) -> CredentialRule:
    from .adapters import adapter_for_provider

    adapter = adapter_for_provider(provider)
    rule = getattr(adapter, "credentials", None)
    return rule if isinstance(rule, CredentialRule) else DEFAULT_RULE


def credential_rules() -> list[CredentialRule]:
    from .adapters import adapters_all

    return [credential_rule(adapter.provider) for adapter in adapters_all()] or [DEFAULT_RULE]


def credentials_visible(user) -> bool:
    """Whether `user` sees live launch credentials in full: only with CREDENTIALS_PERMISSION granted
    explicitly, to the user or one of their groups (a superuser's blanket rights do not count)."""
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "pk", None):
        return False
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    app_label, codename = CREDENTIALS_PERMISSION.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).filter(
        Q(user=user) | Q(group__user=user)).exists()


def _mask_params(url: str, params: frozenset[str]) -> str:
    names = {name.lower() for name in params}
    if not url or not names:
        return url or ""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    secrets = [value for name, value in query if name.lower() in names and value]
    masked_query = "&".join(
        f"{quote(name)}={mask(value) if name.lower() in names else quote(value)}" for name, value in query
    )
    path = parts.path
    for secret in secrets:
        path = path.replace(secret, mask(secret))
    return urlunsplit((parts.scheme, parts.netloc, path, masked_query, ""))


def _mask_url_by(rule: CredentialRule, url: str) -> str:
    if not url:
        return ""
    if rule.whole_url:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}/…" if parts.scheme and parts.netloc else mask(url)
    return _mask_params(url, rule.query_params | SECRET_QUERY_PARAMS)


def launch_url_shown(provider: str, url: str | None, token: str | None, user) -> str:
    """A launch URL as `user` may see it: whole with the permission, else masked by the provider's rule."""
    if credentials_visible(user):
        return url or ""
    masked = _mask_url_by(credential_rule(provider), url or "")
    if token:
        masked = masked.replace(token, mask(token))
    return masked


def token_shown(token: str | None, user) -> str:
    return (token or "") if credentials_visible(user) else mask(token)


def _json_string_value(key: str) -> re.Pattern:
    return re.compile(r'("' + re.escape(key) + r'"\s*:\s*")((?:[^"\\]|\\.)*)(")')


def body_shown(provider: str, text: str | None, user, *, rules: list[CredentialRule] | None = None) -> str:
    """A stored call body (JSON text, possibly cut short) as `user` may see it: the credentials
    that the provider's rule names masked. `provider` empty (a caller we could not tell): every
    provider's rule applies."""
    text = text or ""
    if not text or credentials_visible(user):
        return text
    for rule in rules or ([credential_rule(provider)] if provider else credential_rules()):
        for key in rule.token_keys:
            text = _json_string_value(key).sub(lambda m: m.group(1) + mask(m.group(2)) + m.group(3), text)
        for key in rule.url_keys:
            text = _json_string_value(key).sub(
                lambda m, rule=rule: m.group(1) + _mask_url_by(rule, m.group(2)) + m.group(3), text)
        params = rule.query_params | SECRET_QUERY_PARAMS
        if params:
            pattern = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(re.escape(p) for p in sorted(params))
                                 + r")=([^&\"#\s\\]+)", re.IGNORECASE)
            text = pattern.sub(lambda m: f"{m.group(1)}={mask(m.group(2))}", text)
    return text


# The user a page is being rendered for. ModelAdmin objects are shared by every request thread, so
# the viewer is a context variable set around the view and its rendering, never an attribute.
_viewer: ContextVar = ContextVar("credentials_viewer", default=None)


def viewer():
    """The user of the admin page being rendered (None outside one: everything masked)."""
    return _viewer.get()


class CredentialsMaskedAdmin:
    """ModelAdmin mixin: the change form and the list are rendered knowing their viewer, so that
    display methods can call launch_url_shown / token_shown / body_shown with `viewer()`."""

    def _as_viewer(self, request, view, *args, **kwargs):
        token = _viewer.set(request.user)
        try:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()  # the template reads the fields now, while the viewer is set
            return response
        finally:
            _viewer.reset(token)

    def changeform_view(self, request, *args, **kwargs):
        return self._as_viewer(request, super().changeform_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._as_viewer(request, super().changelist_view, *args, **kwargs)
