"""Issue 13 (view tests): admin times, money inputs, read-only status codes, quiet 403s, the demo's
base URL, the balances endpoint and the player's history."""

import datetime as dt
import io
import logging
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.models import Integration
from providers.models import StatusCode
from tests.factories import UserFactory
from wallet import gameplay
from wallet.gameplay import GameCall
from wallet.models import Account, AccountKind, Transfer

pytestmark = pytest.mark.django_db


def test_admin_list_shows_times_with_seconds_and_zone(client, admin_user):
    from tests.conftest import funded_wallet
    from tests.factories import PlayerFactory

    client.force_login(admin_user)
    moment = dt.datetime(2026, 11, 29, 10, 15, 2, tzinfo=dt.UTC)
    player = PlayerFactory()
    with mock.patch("django.utils.timezone.now", return_value=moment):
        funded_wallet(player, "IDR", "10.00")
    overview = client.get(reverse("admin:wallet_player_change", args=[player.pk])).content.decode()
    assert "2026-11-29 10:15:02 UTC" in overview  # the one-screen player page's ledger rows
    page = client.get(reverse("admin:wallet_transfer_changelist")).content.decode()
    assert "2026-11-29 10:15:02 UTC" in page
    detail = client.get(reverse("admin:wallet_transfer_change", args=[Transfer.objects.first().pk])).content.decode()
    assert "2026-11-29 10:15:02 UTC" in detail


def _wallet_limit_post(client, wallet, value):
    return client.post(reverse("admin:wallet_wallet_change", args=[wallet.pk]), {
        "daily_bet_limit": value, "daily_loss_limit": "", "change_reason": "player asked for a limit"})


def test_wallet_limit_with_more_digits_than_the_currency_is_refused(client, admin_user, rich_player):
    client.force_login(admin_user)
    wallet = Account.objects.get(player=rich_player, currency="IDR", kind=AccountKind.WALLET)
    page = _wallet_limit_post(client, wallet, "10.12345")
    assert page.status_code == 200
    text = page.content.decode()
    assert "IDR amounts have at most 2 decimals" in text
    wallet.refresh_from_db()
    assert wallet.daily_bet_limit is None
    assert _wallet_limit_post(client, wallet, "1000.50").status_code == 302
    wallet.refresh_from_db()
    assert wallet.daily_bet_limit == 100_050_000  # 1000.50 in ledger units (x100000)
    form = client.get(reverse("admin:wallet_wallet_change", args=[wallet.pk])).content.decode()
    assert 'value="1000.50"' in form and 'step="0.01"' in form  # read back as typed, with the currency's digits
    assert "In IDR, up to 2 decimals" in form


def test_money_in_admin_lists_and_details_reads_in_currency_units(client, admin_user, rich_player, onegaming):
    client.force_login(admin_user)
    call = GameCall(integration_id=onegaming.pk, player=rich_player, external_id="b1", currency="IDR", fingerprint="f")
    gameplay.bet_place(call, ticket="t1", amount=1_550_000)
    bet = Transfer.objects.get(kind="bet")
    for url in (reverse("admin:wallet_transfer_changelist"), reverse("admin:wallet_transfer_change", args=[bet.pk]),
                reverse("admin:wallet_gametransaction_changelist"),
                reverse("admin:wallet_gametransaction_change", args=[bet.game_transaction_id]),
                reverse("admin:wallet_wallet_changelist")):
        page = client.get(url).content.decode()
        assert "1550000" not in page, url
    assert "15.50 IDR" in client.get(reverse("admin:wallet_transfer_change", args=[bet.pk])).content.decode()
    assert "1,484.50 IDR" in client.get(reverse("admin:wallet_wallet_changelist")).content.decode()


def test_status_codes_are_read_only_for_everyone(client, admin_user, support_user):
    code = StatusCode.objects.first()
    for user in (admin_user, support_user):
        client.force_login(user)
        assert client.get(reverse("admin:providers_statuscode_changelist")).status_code == 200
        page = client.get(reverse("admin:providers_statuscode_change", args=[code.pk]))
        assert page.status_code == 200 and b'name="_save"' not in page.content
        assert client.get(reverse("admin:providers_statuscode_add")).status_code == 403
        assert client.post(reverse("admin:providers_statuscode_change", args=[code.pk]),
                           {"description": "edited", "change_reason": "x"}).status_code == 403
        assert client.post(reverse("admin:providers_statuscode_delete", args=[code.pk]), {"post": "yes"}).status_code == 403
    code.refresh_from_db()
    assert code.description != "edited"


def test_a_refused_permission_is_one_warning_line(client, support_user, caplog):
    client.force_login(support_user)
    caplog.set_level(logging.INFO)
    assert client.get(reverse("admin:core_integration_add")).status_code == 403
    records = [r for r in caplog.records if r.name.startswith("django")]
    assert len(records) == 1, [r.getMessage() for r in records]
    record = records[0]
    assert record.levelno == logging.WARNING and record.exc_info is None and record.exc_text is None
    assert "\n" not in record.getMessage()
    # Formatted by the handler the server uses: one line, no traceback.
    handler = logging.getLogger().handlers[0] if logging.getLogger().handlers else None
    if handler is not None and handler.formatter is not None:
        assert "Traceback" not in handler.format(record) and "\n" not in handler.format(record).strip()


def test_demo_data_points_the_integrations_at_the_port_the_server_runs_on():
    out = io.StringIO()
    call_command("demo_data", stdout=out)
    assert Integration.objects.get(code="oppi-demo").api_base_url == "http://127.0.0.1:8000/sandbox/oppi"
    call_command("demo_data", "--base-url", "http://127.0.0.1:8011", stdout=out)
    assert Integration.objects.get(code="onegaming-demo").api_base_url == "http://127.0.0.1:8011/sandbox/onegaming"
    assert Integration.objects.get(code="oppi-demo").api_base_url == "http://127.0.0.1:8011/sandbox/oppi"
    last = out.getvalue().strip().splitlines()[-1]
    assert "http://127.0.0.1:8011/admin/" in last and "http://127.0.0.1:8011/ as mikha" in last
    assert ":8000" not in last


def test_makefile_passes_the_port_to_demo_data():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    assert "demo_data --base-url http://$(HOST):$(PORT)" in makefile


def test_balances_endpoint_answers_the_players_own_balances(client, rich_player):
    user = UserFactory(username="mikha")
    rich_player.user = user
    rich_player.save()
    client.force_login(user)
    answer = client.get(reverse("lobby:balances"))
    assert answer.status_code == 200 and "no-cache" in answer["Cache-Control"]
    assert answer.json() == {"wallets": [{"currency": "IDR", "balance": "1500.00"},
                                         {"currency": "USD", "balance": "100.00"}]}
    staff = UserFactory(username="ops", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("lobby:balances")).status_code == 403
    client.logout()
    assert client.get(reverse("lobby:balances")).status_code == 302  # to the sign-in page


def test_history_lists_only_the_players_own_rounds(client, rich_player, onegaming):
    from tests.conftest import funded_wallet
    from tests.factories import PlayerFactory

    other = PlayerFactory(external_id="OTHER1")
    funded_wallet(other, "IDR", "100.00")
    user = UserFactory(username="mikha")
    rich_player.user = user
    rich_player.save()
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)):
        for player, ext in ((rich_player, "mine"), (other, "theirs")):
            call = GameCall(integration_id=onegaming.pk, player=player, external_id=ext, currency="IDR",
                            fingerprint="f", game_code="305")
            gameplay.bet_place(call, ticket=f"t-{ext}", amount=1_000_000)
        gameplay.ticket_rollback(GameCall(integration_id=onegaming.pk, player=rich_player, external_id="rb",
                                          currency="IDR", fingerprint="g"), ticket="t-mine")
    client.force_login(user)
    page = client.get(reverse("lobby:history")).content.decode()
    assert page.count("<tr data-action=") == 2
    assert "-10.00 IDR" in page and "+10.00 IDR" in page and "Refund" in page and "Bet" in page
    assert "Joker Slot" in page  # the 1G catalogue's name for game 305
    assert "2026-11-29 10:00:00" in page


def test_adjust_form_shows_the_balance_in_currency_units(client, admin_user, rich_player):
    client.force_login(admin_user)
    wallet = Account.objects.get(player=rich_player, currency="IDR", kind=AccountKind.WALLET)
    page = client.post(reverse("admin:wallet_wallet_changelist"),
                       {"action": "adjust_balance", "_selected_action": [wallet.pk]}).content.decode()
    assert "1,500.00 IDR" in page and "ledger units" not in page and "150000000" not in page
