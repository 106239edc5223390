"""Issue 8: no staff user (support, finance, superuser) reads an integration secret, an API key or a
live launch token anywhere in the admin."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from core.models import Integration
from lobby.integrations import integration_upsert
from lobby.models import LaunchSession
from tests.factories import PlayerFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRETS = ("demo-1g-secret", "demo-oppi-secret", "demo-oppi-key")
L_TOKEN = "8c5e0b6e-live-token-4f0a-9d55-1234567890ab"
BCODE = "f00dfeedcafebabe0123456789abcdef"
OPPI_SESSION = "sess-7d1f0c2b9e4a5b6c"


@pytest.fixture
def demo_integrations(db):
    onegaming, _ = integration_upsert(provider="onegaming", code="onegaming-demo", agent_code="DEMO",
                                      secret="demo-1g-secret", api_base_url="https://1g.example.test")
    oppi, _ = integration_upsert(provider="oppi", code="oppi-demo", api_key="demo-oppi-key",
                                 secret="demo-oppi-secret", api_base_url="https://oppi.example.test")
    return onegaming, oppi


def _viewer(username: str, codenames: list[str]):
    """Staff with view permissions only, like the demo's support and finance roles."""
    user = UserFactory(username=username, is_staff=True)
    group, _ = Group.objects.get_or_create(name=username)
    group.permissions.set(Permission.objects.filter(codename__in=codenames))
    user.groups.add(group)
    return user


@pytest.fixture
def staff(db):
    return {
        "support": _viewer("support", ["view_integration", "view_launchsession", "view_player", "view_calllog"]),
        "finance": _viewer("finance", ["view_integration", "view_launchsession", "view_wallet", "change_wallet"]),
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("who", ["support", "finance", "superuser"])
def test_no_staff_user_sees_an_integration_secret_or_api_key(client, staff, demo_integrations, who):
    pages = [reverse("admin:core_integration_changelist")]
    pages += [reverse("admin:core_integration_change", args=[i.pk]) for i in demo_integrations]
    for url in pages:
        html = _page(client, staff[who], url)
        for secret in SECRETS:
            assert secret not in html, (who, url, secret)
    oppi_page = _page(client, staff[who], reverse("admin:core_integration_change", args=[demo_integrations[1].pk]))
    assert "demo…" in oppi_page  # the key, masked
    assert "set on " in oppi_page and " by command" in oppi_page


def test_a_superuser_replaces_the_secret_and_the_page_says_when_and_by_whom(client, staff, demo_integrations):
    onegaming = demo_integrations[0]
    client.force_login(staff["superuser"])
    data = {"provider": "onegaming", "code": onegaming.code, "name": "1G", "mode": "seamless", "enabled": "on",
            "agent_code": "DEMO", "sub_agent": "", "new_secret": "brand-new-secret", "new_api_key": "",
            "api_base_url": "https://1g.example.test", "allowed_ips": "", "launch_method": "iframe",
            "change_reason": "key rotation"}
    response = client.post(reverse("admin:core_integration_change", args=[onegaming.pk]), data)
    assert response.status_code == 302
    onegaming.refresh_from_db()
    assert onegaming.secret == "brand-new-secret" and onegaming.secret_set_by == "root"
    assert timezone.now() - onegaming.secret_set_at < dt.timedelta(minutes=5)
    html = _page(client, staff["superuser"], reverse("admin:core_integration_change", args=[onegaming.pk]))
    assert "brand-new-secret" not in html and "by root" in html


def test_a_view_only_user_cannot_post_a_new_secret(client, staff, demo_integrations):
    onegaming = demo_integrations[0]
    client.force_login(staff["support"])
    response = client.post(reverse("admin:core_integration_change", args=[onegaming.pk]),
                           {"new_secret": "mine-now", "code": onegaming.code, "provider": "onegaming"})
    assert response.status_code == 403
    assert Integration.objects.get(pk=onegaming.pk).secret == "demo-1g-secret"


@pytest.fixture
def launches(demo_integrations):
    onegaming, oppi = demo_integrations
    player = PlayerFactory(external_id="CLi3000001")
    now = timezone.now()
    og = LaunchSession.objects.create(
        token=L_TOKEN, integration=onegaming, player=player, created_at=now, expires_at=now + dt.timedelta(minutes=15),
        url=f"https://1g.example.test/lobby?agent_code=DEMO&player_id=CLi3000001&l_token={L_TOKEN}&bcode={BCODE}"
            "&game_code=601")
    op = LaunchSession.objects.create(
        token=OPPI_SESSION, integration=oppi, player=player, created_at=now, expires_at=now + dt.timedelta(hours=1),
        url=f"https://oppi.example.test/play/{OPPI_SESSION}?sessionId={OPPI_SESSION}")
    return og, op


@pytest.mark.parametrize("who", ["support", "finance", "superuser"])
def test_launch_sessions_never_show_a_token_bcode_or_launch_url_in_full(client, staff, launches, who):
    pages = [reverse("admin:lobby_launchsession_changelist")]
    pages += [reverse("admin:lobby_launchsession_change", args=[s.pk]) for s in launches]
    for url in pages:
        html = _page(client, staff[who], url)
        for live in (L_TOKEN, BCODE, OPPI_SESSION):
            assert live not in html, (who, url, live)
    change = _page(client, staff[who], reverse("admin:lobby_launchsession_change", args=[launches[0].pk]))
    assert "l_token=8c5e…" in change and "bcode=f00d…" in change and "game_code=601" in change
    assert f"<title>Launch #{launches[0].pk}" in change


def test_support_finds_a_launch_by_its_whole_token_only(client, staff, launches):
    html = _page(client, staff["support"], reverse("admin:lobby_launchsession_changelist") + f"?q={L_TOKEN}")
    assert "1 result" in html
    html = _page(client, staff["support"], reverse("admin:lobby_launchsession_changelist") + "?q=8c5e")
    assert "0 results" in html
