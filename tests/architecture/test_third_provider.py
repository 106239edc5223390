"""Proof of issue 23's registry: a third provider is its package plus one settings line.

tests/thirdprovider is a made-up seamless provider ("Third Wave"); nothing outside that folder
names it. Installed with only its INSTALLED_PROVIDERS line, it is migrated in (its status codes),
provisioned with `integration_add`, launched from the lobby, takes a bet and a result through the
money path, and shows in the admin, the reports and `ledger_check`."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from core.models import Integration
from lobby.models import LaunchSession
from providers.models import CallLog, StatusCode
from reports import aggregation
from reports.models import DailyGameStat
from wallet.models import Account, AccountKind, GameTransaction

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SECRET, KEY = "tw-secret-1", "tw-key-1"


@pytest.fixture
def third_installed(settings):
    settings.INSTALLED_PROVIDERS = [*settings.INSTALLED_PROVIDERS, "tests.thirdprovider"]
    call_command("migrate", verbosity=0)  # what an operator runs after adding the line
    yield


def _run(*args) -> dict:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def _post(action: str, body: dict, *, secret: str = SECRET):
    raw = json.dumps(body).encode()
    # The protocol's own words (tests/thirdprovider/__init__.py): hex HMAC-SHA256 of the raw body.
    sign = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    answer = Client().post(f"/api/thirdwave/{action}", raw, content_type="application/json",
                           HTTP_X_TW_KEY=KEY, HTTP_X_TW_SIGN=sign)
    assert answer.status_code == 200
    return answer.json()


def test_nothing_of_the_project_names_the_third_provider():
    """Only tests/ (its package and the tests that install it) knows it: no app, no setting."""
    named = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in ("tests", ".venv", "var", "node_modules"):
            continue
        text = path.read_text(errors="replace")
        if "thirdwave" in text or "thirdprovider" in text:
            named.append(str(relative))
    assert named == []


def test_a_third_provider_installed_by_one_line_plays_a_round(third_installed, rich_player, admin_user):
    assert StatusCode.objects.filter(provider="thirdwave", code="OK", is_success=True).exists()

    created = _run("integration_add", "thirdwave", "tw-1", "--api-key", KEY, "--secret", SECRET,
                   "--api-base-url", "https://tw.example.test")
    assert created["provider"] == "thirdwave" and created["created"] is True
    _run("game_add", "tw-1", "tw-slot", "--name", "Wave Slot", "--category", "SLOT")

    launch = _run("launch", "tw-1", rich_player.external_id, "--game", "tw-slot", "--currency", "USD")
    session = LaunchSession.objects.get(token=launch["tw_ticket"])
    assert session.integration.code == "tw-1" and launch["url"].startswith("https://tw.example.test/play?")

    wallet = Account.objects.get(player=rich_player, kind=AccountKind.WALLET, currency_id="USD")
    before = wallet.balance
    round_ = {"player": rich_player.external_id, "ticket": "r-1", "game": "tw-slot", "currency": "USD"}
    bet = _post("bet", {**round_, "txn": "b-1", "amount": "2.50", "session": session.token})
    assert bet["status"] == "OK"
    win = _post("result", {**round_, "txn": "w-1", "amount": "6.00"})
    assert win["status"] == "OK"
    wallet.refresh_from_db()
    assert wallet.balance - before == 350_000  # -2.50 + 6.00, in ledger units (five digits)
    assert Decimal(win["balance"]) == Decimal(wallet.balance) / 100_000
    # A replay gets the first answer and moves nothing; a bad signature is refused.
    assert _post("bet", {**round_, "txn": "b-1", "amount": "2.50", "session": session.token})["status"] == "OK"
    assert _post("bet", {**round_, "txn": "b-2", "amount": "1", "session": session.token},
                 secret="wrong")["status"] == "DENIED"
    wallet.refresh_from_db()
    assert wallet.balance - before == 350_000
    assert GameTransaction.objects.filter(integration__code="tw-1").count() == 2

    checked = _run("ledger_check")
    assert checked["ok"] is True and checked["violations"] == 0

    aggregation.refresh()
    stats = DailyGameStat.objects.filter(integration__code="tw-1")
    assert stats.exists()

    client = Client()
    client.force_login(admin_user)
    integrations = client.get(reverse("admin:core_integration_changelist")).content.decode()
    assert "tw-1" in integrations and "Third Wave" in integrations
    calls = client.get(reverse("admin:providers_calllog_changelist")).content.decode()
    assert "tw-1" in calls
    assert CallLog.objects.filter(provider="thirdwave", status_code="DENIED").exists()
    report = client.get(reverse("reports:overview"))
    assert report.status_code == 200
    assert Integration.objects.get(code="tw-1").get_provider_display() == "Third Wave"
