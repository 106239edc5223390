"""Issue 25, point 1: every live launch credential is masked on every admin page and CSV, through
one rule that each provider's package declares (providers/<name>/masking.py, collected by
lobby.masking); only a user holding the live-credentials permission explicitly sees it whole.

Oppi's `/game/url` answers `gameUrl` (spec oppi.md section 1: "sends the player to gameUrl"):
that URL plays the player's money, as 1G's `l_token` and `bcode` do."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import respx
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from lobby import adapters
from lobby.masking import CredentialRule, body_shown, launch_url_shown
from lobby.models import LaunchSession
from providers.models import CallLog
from reports.views import REPORTS
from tests.factories import GameFactory, UserFactory

pytestmark = pytest.mark.django_db

GAME_URL = "https://games.oppi.example.test/play/LIVE-PLAY-7f3c9e1d2b4a?auth=SIGNED-ENTRY-99aa77bb66cc"
SESSION_ID = "sess-LIVE-8d2e4f6a1c3b5d7e"
LIVE = ("LIVE-PLAY-7f3c9e1d2b4a", "SIGNED-ENTRY-99aa77bb66cc", SESSION_ID)


@pytest.fixture
def oppi_launch(client, oppi, rich_player):
    """A real Oppi launch through the lobby: the game/url call lands in the call history."""
    from lobby.services import launch_start

    game = GameFactory(integration=oppi, game_id="oppi-crash", provider="oppi")
    with respx.mock:
        respx.post("https://oppi.example.test/game/url").mock(return_value=httpx.Response(
            200, json={"status": "RS_OK", "gameUrl": GAME_URL, "sessionId": SESSION_ID}))
        result = launch_start(integration=oppi, player=rich_player, game=game, device="desktop", method="iframe")
    assert result.url == GAME_URL
    call = CallLog.objects.get(endpoint="game/url")
    assert GAME_URL in call.response_body  # stored whole: shown masked
    return LaunchSession.objects.get(token=SESSION_ID), call


def _role_user(name: str, role: str):
    from audit.roles import roles_sync

    roles_sync(Group, Permission)
    user = UserFactory(username=name, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def viewers(db):
    return {"support": _role_user("sup", "support"), "finance": _role_user("fin", "finance"),
            "admin": _role_user("adm", "admin"),
            "superuser": UserFactory(username="root", is_staff=True, is_superuser=True)}


def _admin_pages() -> list[str]:
    """Every registered model's list and the change page of each of its rows (a few per model)."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        try:
            urls.append(reverse(f"{prefix}_changelist"))
        except NoReverseMatch:
            continue
        for pk in model_admin.get_queryset(_Req()).order_by("-pk").values_list("pk", flat=True)[:2]:
            urls.append(reverse(f"{prefix}_change", args=[pk]))
            urls.append(reverse(f"{prefix}_history", args=[pk]))
    return urls


class _Req:
    user = None


def _csv_urls(client) -> list[str]:
    """Every CSV export that the report pages link to (for a user who may see them)."""
    urls = []
    for report in REPORTS:
        base = reverse("reports:page", args=[report.slug])
        page = client.get(base)
        if page.status_code == 200:
            urls += [f"{base}?export={name}" for name in set(re.findall(r"export=([\w-]+)", page.content.decode()))]
    return urls


@pytest.mark.parametrize("who", ["support", "finance", "admin", "superuser"])
def test_no_role_sees_a_live_launch_credential_on_any_admin_page_or_csv(client, viewers, oppi_launch, who):
    client.force_login(viewers[who])
    seen, csvs = 0, 0
    for url in _admin_pages() + _csv_urls(client):
        response = client.get(url)
        if response.status_code != 200:
            continue
        seen += 1
        csvs += response["Content-Type"].startswith("text/csv")
        text = response.content.decode()
        for live in LIVE:
            assert live not in text, (who, url, live)
    assert seen > 10
    assert csvs > 0 or who == "support"  # support has no reports


@pytest.mark.parametrize("who", ["support", "finance"])
def test_the_launch_page_and_the_game_url_call_show_the_credentials_masked(client, viewers, oppi_launch, who):
    session, call = oppi_launch
    client.force_login(viewers[who])
    launch_page = client.get(reverse("admin:lobby_launchsession_change", args=[session.pk])).content.decode()
    assert "https://games.oppi.example.test/…" in launch_page
    call_page = client.get(reverse("admin:providers_calllog_change", args=[call.pk])).content.decode()
    assert "https://games.oppi.example.test/…" in call_page and "RS_OK" in call_page
    assert "sess…" in call_page


def test_a_user_with_the_explicit_permission_sees_them_whole(client, oppi_launch):
    session, call = oppi_launch
    user = UserFactory(username="investigator", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(
        content_type__app_label__in=["lobby", "providers"],
        codename__in=["view_launchsession", "view_calllog", "view_live_credentials"]))
    client.force_login(user)
    launch_page = client.get(reverse("admin:lobby_launchsession_change", args=[session.pk])).content.decode()
    call_page = client.get(reverse("admin:providers_calllog_change", args=[call.pk])).content.decode()
    for page in (launch_page, call_page):
        assert GAME_URL.replace("&", "&amp;") in page or GAME_URL in page
        assert SESSION_ID in page


def test_no_role_has_the_permission_by_default(viewers):
    from lobby.masking import credentials_visible

    assert not any(credentials_visible(user) for user in viewers.values())


def test_a_third_provider_declares_its_rule_and_the_generic_masker_applies_it(monkeypatch):
    class AcmeAdapter(adapters.ProviderAdapter):
        provider = "acme"
        credentials = CredentialRule(query_params=frozenset({"ticket"}), token_keys=frozenset({"playKey"}),
                                     url_keys=frozenset({"playUrl"}), whole_url=True)

        def launch(self, request):
            raise NotImplementedError

    # The adapter a third provider's registration would name (tests/thirdprovider installs a whole
    # package by its settings line; here only the adapter's rule matters).
    real = adapters.adapter_for_provider
    monkeypatch.setattr(adapters, "adapter_for_provider",
                        lambda provider: AcmeAdapter() if provider == "acme" else real(provider))
    body = ('{"status":"OK","playKey":"k-0123456789abcdef","playUrl":"https://acme.test/p/abcdef0123456789",'
            '"note":"https://x.test/?ticket=t-0123456789abcdef"}')
    shown = body_shown("acme", body, None)
    assert "k-0123456789abcdef" not in shown and "abcdef0123456789" not in shown
    assert "t-0123456789abcdef" not in shown and '"playUrl":"https://acme.test/…"' in shown
    assert launch_url_shown("acme", "https://acme.test/p/abcdef0123456789", "", None) == "https://acme.test/…"


def test_a_1g_lobby_url_answer_is_masked_in_the_call_history(client, viewers, onegaming):
    url = "https://1g.example.test/lobby?agent_code=IGBO&l_token=8c5e0b6e-live-token-abc&bcode=f00dfeedcafebabe01"
    call = CallLog.objects.create(provider="onegaming", integration=onegaming, direction="out",
                                  created_at=timezone.now(), endpoint="lobby/url", status_code="OK",
                                  response_body=json.dumps({"status": "OK", "url": url}))
    client.force_login(viewers["support"])
    page = client.get(reverse("admin:providers_calllog_change", args=[call.pk])).content.decode()
    assert "8c5e0b6e-live-token-abc" not in page and "f00dfeedcafebabe01" not in page
    assert "agent_code=IGBO" in page


def test_a_kept_money_call_shows_the_bet_token_masked(client, viewers, onegaming):
    """A 1G bet's body carries its l_token (spec onegaming.md section 3): the money calls kept past
    the call history's retention (providers.KeptCall) mask it like the call history does."""
    from providers.models import KeptCall

    body = json.dumps({"player_id": "CLi3000001", "l_token": "5f1e2d3c-live-bet-token-77aa", "txn_id": "B1",
                       "amount": "100.00", "currency": "IDR"})
    now = timezone.now()
    kept = KeptCall.objects.create(id=987654, provider="onegaming", integration=onegaming, created_at=now,
                                   kept_at=now, endpoint="bet", status_code="OK", txn_id="B1", request_body=body)
    client.force_login(viewers["support"])
    page = client.get(reverse("admin:providers_keptcall_change", args=[kept.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "5f1e2d3c-live-bet-token-77aa" not in text
    assert "5f1e…" in text and "CLi3000001" in text  # the body is there, its token masked
