"""Integration's provider settings are declared by each provider's registration (issue 23):
core's columns carry generic words; the label, help text, admin fieldset and validation of a
provider's own field are its registration's, and the admin and `integration_add` read them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from core.models import Integration
from core.registry import registrations
from lobby.integrations import integration_upsert

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_FIELDS = ("signature_encoding", "time_zone", "accept_unknown_bet_sessions", "accept_bets_in_other_currency")


def _provider_words() -> re.Pattern:
    """Every installed provider's name, label and short name (and the 1G/Oppi spellings), as
    whole words and case-sensitive (a short name may be a common pair of letters in lower case)."""
    words = {"1G", "1Gaming", "onegaming", "ONEGAMING", "Oppi", "oppi", "OPPI"}
    for registration in registrations(accounts_only=True):  # (the sandbox stands in for them: not one)
        words.update(w for w in (registration.name, registration.name.upper(), registration.label,
                                 registration.short_name) if w)
    escaped = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({escaped})(?![\w-])")


def test_no_text_in_core_names_a_provider():
    """core/ (models, admin, registry, ...: code, strings, comments) names no provider."""
    named = _provider_words()
    offenders = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if named.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert offenders == []


@pytest.mark.parametrize("state", ["model", "migrations"])
def test_integrations_labels_and_help_texts_are_generic(state):
    """The model and the migrations' latest state (core and its history table in audit)."""
    if state == "model":
        models = [Integration, Integration.history.model]
    else:
        project = MigrationLoader(None, ignore_no_migrations=True).project_state()
        models = [project.apps.get_model("core", "Integration"), project.apps.get_model("audit", "HistoricalIntegration")]
    named = _provider_words()
    texts = [(m.__name__, f.name, str(getattr(f, "verbose_name", "")), str(getattr(f, "help_text", "")))
             for m in models for f in m._meta.get_fields() if hasattr(f, "help_text")]
    assert texts and [t for t in texts if named.search(t[2]) or named.search(t[3])] == []


def _integration_of(registration) -> Integration:
    identity = {registration.identity_field: f"{registration.name}-id"} if registration.identity_field else {}
    integration, _ = integration_upsert(provider=registration.name, code=f"{registration.name}-fields"[:32],
                                        secret="s3cr3t", **identity)
    return integration


def _change_page(admin_user, integration) -> str:
    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("admin:core_integration_change", args=[integration.pk]))
    assert page.status_code == 200
    return page.content.decode()


@pytest.mark.django_db
def test_each_providers_change_form_shows_its_own_labels_only(admin_user):
    installed = registrations(accounts_only=True)
    assert any(r.field_texts for r in installed)
    for registration in installed:
        html = _change_page(admin_user, _integration_of(registration))
        for field_name in registration.integration_fields:
            label, help_text = registration.field_text(field_name)
            assert f'name="{field_name}"' in html, (registration.name, field_name)
            assert escape(label[:1].upper() + label[1:]) in html, field_name
            assert help_text in html or escape(help_text) in html, field_name  # the admin marks help texts safe
        for title, _ in registration.admin_fieldsets:
            assert escape(title) in html
        for other in installed:
            for field_name in set(other.integration_fields) - set(registration.integration_fields):
                assert f'name="{field_name}"' not in html, (registration.name, field_name)
            for title, _ in other.admin_fieldsets if other is not registration else ():
                assert f"<h2>{escape(title)}</h2>" not in html, (registration.name, title)


@pytest.mark.django_db
def test_a_provider_without_settings_shows_none(settings, admin_user):
    settings.INSTALLED_PROVIDERS = [*settings.INSTALLED_PROVIDERS, "tests.thirdprovider"]
    third = next(r for r in registrations() if r.name == "thirdwave")
    html = _change_page(admin_user, _integration_of(third))
    for field_name in PROVIDER_FIELDS:
        assert f'name="{field_name}"' not in html


@pytest.mark.django_db
def test_the_add_form_shows_each_provider_setting_once_under_its_providers_title(admin_user):
    client = Client()
    client.force_login(admin_user)
    html = client.get(reverse("admin:core_integration_add")).content.decode()
    for registration in registrations(accounts_only=True):
        for title, _ in registration.admin_fieldsets:
            assert escape(title) in html
    for field_name in PROVIDER_FIELDS:
        assert html.count(f'name="{field_name}"') == 1


@pytest.mark.django_db
def test_the_admin_validates_with_the_providers_registration(admin_user):
    """Another provider's setting switched on, or a wallet mode the provider lacks, is refused."""
    installed = registrations(accounts_only=True)
    for registration in installed:
        integration = _integration_of(registration)
        foreign = [f for r in installed if r is not registration for f in r.integration_fields
                   if f not in registration.integration_fields
                   and Integration._meta.get_field(f).get_internal_type() == "BooleanField"]
        data = {"provider": registration.name, "code": integration.code, "name": "x", "mode": "seamless",
                "enabled": "on", "agent_code": integration.agent_code, "sub_agent": "", "new_api_key": "",
                "new_secret": "", "api_base_url": "", "allowed_ips": "", "launch_method": "iframe",
                "change_reason": "test"}
        client = Client()
        client.force_login(admin_user)
        url = reverse("admin:core_integration_change", args=[integration.pk])
        assert client.post(url, data).status_code == 302  # its own settings only: saved
        if "transfer" not in registration.wallet_modes:
            refused = client.post(url, {**data, "mode": "transfer"})
            assert refused.status_code == 200 and "only" in refused.context["adminform"].form.non_field_errors()[0]
        for field_name in foreign:
            # not on its form: a posted value is ignored, the stored default stays
            assert client.post(url, {**data, field_name: "on"}).status_code == 302
            assert getattr(Integration.objects.get(pk=integration.pk), field_name) is False


@pytest.mark.django_db
def test_adding_an_integration_in_the_admin_refuses_another_providers_setting(admin_user):
    installed = registrations(accounts_only=True)
    client = Client()
    client.force_login(admin_user)
    checked = 0
    for registration in installed:
        foreign = [f for r in installed if r is not registration for f in r.integration_fields
                   if f not in registration.integration_fields
                   and Integration._meta.get_field(f).get_internal_type() == "BooleanField"]
        identity = registration.identity_field
        data = {"provider": registration.name, "code": f"{registration.name}-new"[:32], "name": "new",
                "mode": "seamless", "enabled": "on", "agent_code": "AG-NEW" if identity == "agent_code" else "",
                "sub_agent": "", "new_api_key": "key-new" if identity == "api_key" else "", "new_secret": "s3cr3t",
                "api_base_url": "", "allowed_ips": "", "launch_method": "iframe", "change_reason": "new"}
        for field_name in foreign:
            refused = client.post(reverse("admin:core_integration_add"), {**data, field_name: "on"})
            assert refused.status_code == 200, field_name
            errors = " ".join(refused.context["adminform"].form.non_field_errors()).lower()
            owner = next(r for r in installed if field_name in r.integration_fields)
            assert f"{owner.field_text(field_name)[0].lower()} is " in errors and "setting" in errors, errors
            checked += 1
        assert client.post(reverse("admin:core_integration_add"), data).status_code == 302
        assert Integration.objects.get(code=data["code"]).provider == registration.name
    assert checked  # the installed providers have settings of their own


@pytest.mark.django_db
def test_a_setting_no_installed_provider_declares_is_refused():
    from lobby.integrations import IntegrationError

    registration = registrations(accounts_only=True)[0]
    identity = {registration.identity_field: "who"} if registration.identity_field else {}
    with pytest.raises(IntegrationError, match="no installed provider has the setting colour"):
        integration_upsert(provider=registration.name, code="no-such-setting", secret="s", colour="red", **identity)
    assert not Integration.objects.filter(code="no-such-setting").exists()
