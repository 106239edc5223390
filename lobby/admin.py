"""Admin for integrations (secret write-only), the game catalogue and launch sessions."""

from django import forms
from django.contrib import admin

from wallet.admin_paging import QuickListMixin

from .models import Game, Integration, LaunchSession


class IntegrationForm(forms.ModelForm):
    """The secret can be set or replaced here but is never rendered back."""

    secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to keep the current secret. It is never shown again once saved.",
    )

    class Meta:
        model = Integration
        fields = ["provider", "code", "name", "mode", "enabled", "agent_code", "sub_agent", "api_key", "secret",
                  "api_base_url", "allowed_ips", "launch_method", "accept_unknown_bet_sessions"]

    def clean_secret(self):
        secret = self.cleaned_data.get("secret", "")
        if not secret and not self.instance.pk:
            raise forms.ValidationError("A new integration needs a secret.")
        return secret or self.instance.secret


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    form = IntegrationForm
    list_display = ["code", "name", "provider", "mode", "agent_code", "api_key", "api_base_url", "enabled"]
    list_filter = ["provider", "mode", "enabled"]
    search_fields = ["code", "name", "agent_code", "api_key"]
    fieldsets = [
        (None, {"fields": ["provider", "code", "name", "mode", "enabled"]}),
        ("Credentials", {"fields": ["agent_code", "sub_agent", "api_key", "secret"]}),
        ("Connection", {"fields": ["api_base_url", "allowed_ips", "launch_method"]}),
        ("Sessions (Oppi)", {"fields": ["accept_unknown_bet_sessions"]}),
    ]


@admin.register(Game)
class GameAdmin(admin.ModelAdmin):
    list_display = ["game_id", "name", "provider", "integration", "category", "brand", "game_type", "enabled"]
    list_filter = ["provider", "integration", "category", "brand", "enabled"]
    list_editable = ["enabled"]
    search_fields = ["game_id", "name", "brand"]
    list_select_related = ["integration"]


@admin.register(LaunchSession)
class LaunchSessionAdmin(QuickListMixin, admin.ModelAdmin):
    list_display = ["created_at", "integration", "player", "game", "device", "method", "expires_at", "validated_at",
                    "last_seen_at"]
    list_filter = ["integration", "device", "method"]
    search_fields = ["=token", "=player__external_id"]
    list_select_related = ["integration", "player", "game"]
    exclude = ["token"]
