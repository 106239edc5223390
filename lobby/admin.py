"""Admin for integrations (secret write-only, API key masked), the game catalogue and launch sessions
(tokens, bcodes and launch URLs masked): no staff user, superusers included, reads what moves money
or opens a player's lobby."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from core.admin import AuditedAdmin
from core.models import Integration
from core.registry import registration_for, registrations
from wallet.admin_paging import QuickListMixin

from .integrations import secret_set
from .masking import CredentialsMaskedAdmin, launch_url_shown, mask, token_shown, viewer
from .models import Game, LaunchSession


class IntegrationForm(forms.ModelForm):
    """The secret and the API key can be set or replaced here, never read: neither is a form field
    bound to the model, so no widget (editable or read-only) ever renders the stored value."""

    new_secret = forms.CharField(
        label="Secret", required=False, max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to keep the current secret. It is never shown, to anyone, once saved.",
    )
    new_api_key = forms.CharField(
        label="API key", required=False, max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Leave empty to keep the current key (providers that name us by API key). Shown masked once saved.",
    )

    class Meta:
        model = Integration
        fields = ["provider", "code", "name", "mode", "enabled", "agent_code", "sub_agent",
                  "api_base_url", "allowed_ips", "launch_method"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each provider's own fields (its registration's): a form posted without them (a script,
        # an older page) keeps what is stored. They read as the provider that owns them says
        # (its `field_texts`): the integration's provider, or on a new one the only provider
        # that uses the field (a field several providers use keeps the model's generic words).
        provider = self.data.get("provider") if self.is_bound else None
        registration = registration_for(provider or self.instance.provider)
        for name in _provider_fields():
            if name not in self.fields:
                continue
            self.fields[name].required = False
            owners = [r for r in registrations(accounts_only=True) if name in r.integration_fields]
            owner = registration if registration in owners else owners[0] if len(owners) == 1 else None
            text = owner.field_text(name) if owner is not None else None
            if text:
                self.fields[name].label, self.fields[name].help_text = text[0][:1].upper() + text[0][1:], text[1]

    def _kept(self, name: str):
        value = self.cleaned_data.get(name)
        if value in (None, "") and not isinstance(value, bool):
            return getattr(self.instance, name) or Integration._meta.get_field(name).default
        return value

    def _post_clean(self):
        for name in _provider_fields():
            if name in self.cleaned_data:
                self.cleaned_data[name] = self._kept(name)
        super()._post_clean()

    def clean(self):
        cleaned = super().clean()
        secret = cleaned.get("new_secret", "")
        api_key = cleaned.get("new_api_key", "").strip()
        provider = cleaned.get("provider") or self.instance.provider
        registration = registration_for(provider)
        if not secret and not self.instance.secret:
            self.add_error("new_secret", "A new integration needs a secret.")
        if registration is not None:
            limit = registration.secret_max_length
            if limit and len(secret) > limit:
                self.add_error("new_secret", f"{registration.short_name or registration.label} secret keys are at "
                                             f"most {limit} characters.")
            if registration.identity_field == "api_key" and not (api_key or self.instance.api_key):
                self.add_error("new_api_key", f"{_a(registration.label)} integration needs an API key.")
            else:
                # What the registration checks of its accounts (as integration_add does): the
                # wallet mode, how it names us, and no other provider's setting changed.
                for error in registration.integration_errors(self._provider_values(registration, api_key)):
                    self.add_error(None, error[:1].upper() + error[1:] + ".")
        if api_key and Integration.objects.filter(provider=provider, api_key=api_key).exclude(
                pk=self.instance.pk).exists():
            self.add_error("new_api_key", "Another integration of this provider has this API key.")
        return cleaned

    def _provider_values(self, registration, api_key: str) -> dict:
        """The values its registration validates: the identity fields, its own settings, and any
        other provider's setting this form would change from its default."""
        values = {name: self.cleaned_data.get(name, getattr(self.instance, name))
                  for name in ("mode", "agent_code", "sub_agent")}
        values["api_key"] = api_key or self.instance.api_key
        for name in _provider_fields():
            if name not in self.cleaned_data:
                continue
            value = self._kept(name)
            if name in registration.integration_fields or value != Integration._meta.get_field(name).default:
                values[name] = value
        return values


def _provider_fields() -> list[str]:
    names: list[str] = []
    for registration in registrations(accounts_only=True):
        names += [n for n in registration.integration_fields if n not in names]
    return names


def _a(word: str) -> str:
    return f"{'An' if word[:1].lower() in 'aeiou' else 'A'} {word}"


def _provider_fieldsets(obj) -> list[tuple[str, dict]]:
    """The provider's own fields under the titles its registration gives them; on a new
    integration (provider not chosen yet) every installed provider's, each field once."""
    registration = registration_for(obj.provider) if obj is not None else None
    chosen = [registration] if registration is not None else registrations(accounts_only=True)
    fieldsets, shown = [], set()
    for r in chosen:
        for title, fields in r.admin_fieldsets:
            fields = [f for f in fields if f in r.integration_fields and f not in shown]
            shown.update(fields)
            if fields:
                fieldsets.append((title, {"fields": fields}))
    return fieldsets


@admin.register(Integration)
class IntegrationAdmin(AuditedAdmin):
    form = IntegrationForm
    list_display = ["code", "name", "provider", "mode", "agent_code", "api_key_masked", "api_base_url", "enabled"]
    list_filter = ["provider", "mode", "enabled"]
    search_fields = ["code", "name", "agent_code"]  # not the API key: a search would confirm a guess
    readonly_fields = ["api_key_masked", "secret_status"]

    def get_fieldsets(self, request, obj=None):
        credentials = ["agent_code", "sub_agent", "api_key_masked", "secret_status"]
        if self.has_change_permission(request, obj) if obj else self.has_add_permission(request):
            credentials += ["new_api_key", "new_secret"]
        return [
            (None, {"fields": ["provider", "code", "name", "mode", "enabled"]}),
            ("Credentials", {"fields": credentials}),
            ("Connection", {"fields": ["api_base_url", "allowed_ips", "launch_method"]}),
            *_provider_fieldsets(obj),
        ]

    @admin.display(description="API key")
    def api_key_masked(self, obj):
        return mask(obj.api_key) or "—"

    @admin.display(description="Secret")
    def secret_status(self, obj):
        if obj is None or not obj.secret:
            return "not set"
        if obj.secret_set_at is None:
            return "set (before the date was recorded)"
        when = timezone.localtime(obj.secret_set_at).strftime("%Y-%m-%d %H:%M %Z")
        return f"set on {when} by {obj.secret_set_by or 'unknown'}"

    def save_model(self, request, obj, form, change):
        secret = form.cleaned_data.get("new_secret")
        if secret:
            secret_set(obj, secret, by=request.user.get_username())
        api_key = form.cleaned_data.get("new_api_key", "").strip()
        if api_key:
            obj.api_key = api_key
        super().save_model(request, obj, form, change)


@admin.register(Game)
class GameAdmin(AuditedAdmin):
    # At 1280 px the "enabled" switch must stay on screen: brand and type are on the detail page.
    list_display = ["game_id", "name", "integration_or_provider", "category", "enabled", "discovered_at"]
    list_filter = ["provider", "integration", "category", "brand", "enabled",
                   ("discovered_at", admin.EmptyFieldListFilter)]
    list_editable = ["enabled"]
    search_fields = ["game_id", "name", "brand"]
    list_select_related = ["integration"]

    @admin.display(description="catalogue", ordering="integration__code")
    def integration_or_provider(self, obj):
        return obj.integration.code if obj.integration_id else f"{obj.get_provider_display()} (all)"


@admin.register(LaunchSession)
class LaunchSessionAdmin(CredentialsMaskedAdmin, QuickListMixin, admin.ModelAdmin):
    """Read-only; the token (the provider's launch token or session id), the bcode and the launch
    URL are masked by the provider's credential rule (lobby.masking): with any of them anyone
    could open the lobby or the game as the player. Only the explicitly granted live-credentials
    permission shows them."""

    list_display = ["launch", "created_at", "integration", "player", "game", "device", "method", "expires_at",
                    "validated_at", "last_seen_at"]
    list_filter = ["integration", "device", "method"]
    search_fields = ["=token", "=player__external_id"]  # exact match only: finding needs the whole token
    list_select_related = ["integration", "player", "game"]
    fields = ["token_masked", "integration", "player", "game", "currency", "device", "method", "url_masked",
              "created_at", "expires_at", "validated_at", "last_seen_at"]
    readonly_fields = fields

    @admin.display(description="launch")
    def launch(self, obj):
        return str(obj)

    @admin.display(description="token")
    def token_masked(self, obj):
        return token_shown(obj.token, viewer())

    @admin.display(description="launch URL")
    def url_masked(self, obj):
        return launch_url_shown(obj.integration.provider, obj.url, obj.token, viewer())
