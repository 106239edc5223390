"""The operating commands of docs/operations.md: output, idempotency and clear refusals."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from lobby.models import Game, Integration
from wallet.models import Account, Player, Transfer


def run(*args) -> dict:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[0])


@pytest.mark.django_db
class TestPlayerAdd:
    def test_player_add_creates_player_wallets_and_deposit_through_the_ledger(self):
        answer = run("player_add", "P1", "--username", "Ann", "--currency", "IDR", "--currency", "USD",
                     "--deposit", "12.50")
        assert answer["created"] is True and answer["balances"] == {"IDR": "12.50000", "USD": "0.00000"}
        assert Transfer.objects.filter(credit_account__player__external_id="P1").count() == 1

    def test_player_add_deposits_again_on_each_run_and_adds_missing_wallets(self):
        run("player_add", "P1", "--username", "Ann", "--currency", "IDR", "--deposit", "1")
        answer = run("player_add", "P1", "--currency", "IDR", "--currency", "THB", "--deposit", "2")
        assert answer["created"] is False and answer["balances"] == {"IDR": "3.00000", "THB": "0.00000"}

    def test_player_add_disables_and_enables_with_an_audit_row(self):
        run("player_add", "P1", "--username", "Ann", "--currency", "IDR")
        assert run("player_add", "P1", "--disabled")["enabled"] is False
        assert run("player_add", "P1")["enabled"] is False
        assert run("player_add", "P1", "--enabled")["enabled"] is True
        assert Player.objects.get(external_id="P1").status_changes.count() == 2

    @pytest.mark.parametrize("args, message", [
        (["--username", "A", "--currency", "XXX"], "unknown or disabled currency"),
        (["--username", "A", "--currency", "IDR", "--deposit", "1.234"], "fractional digits"),
        (["--username", "A", "--currency", "IDR", "--deposit", "-1"], "negative"),
        (["--username", "A", "--currency", "IDR", "--deposit", "abc"], "not a number"),
        (["--username", "A", "--deposit", "1"], "needs a --currency"),
        (["--currency", "IDR"], "needs a username"),
    ])
    def test_player_add_refuses_bad_input_clearly_and_writes_nothing_when_invalid(self, args, message):
        with pytest.raises(CommandError, match=message):
            call_command("player_add", "P9", *args, stdout=StringIO())
        assert not Player.objects.filter(external_id="P9").exists()



@pytest.mark.django_db
class TestPlayerSignIn:
    """`player_add --password` sets the player's own sign-in and never reuses or changes a staff account."""

    def test_password_creates_a_plain_sign_in_and_resets_it_on_the_next_run(self):
        from django.contrib.auth import authenticate

        run("player_add", "P1", "--username", "Ann", "--currency", "IDR", "--password", "first-pass-1")
        user = Player.objects.get(external_id="P1").user
        assert (user.username, user.is_staff, user.is_superuser) == ("ann", False, False)
        run("player_add", "P1", "--password", "second-pass-2")
        assert authenticate(RequestFactory().post("/"), username="ann", password="second-pass-2") == user

    @pytest.mark.parametrize("staff", [{"is_superuser": True, "is_staff": True}, {"is_staff": True}])
    def test_a_staff_account_with_the_players_name_is_refused_and_left_as_it_was(self, staff):
        from django.contrib.auth import authenticate, get_user_model

        admin = get_user_model().objects.create_user(username="root", password="staff-pass-1", **staff)
        with pytest.raises(CommandError, match="staff account"):
            call_command("player_add", "P1", "--username", "Root", "--currency", "IDR", "--password", "player-pass-1",
                         stdout=StringIO())
        assert authenticate(RequestFactory().post("/"), username="root", password="staff-pass-1") == admin
        assert not Player.objects.filter(external_id="P1").exists()  # refused before anything was written

    def test_an_existing_player_whose_name_matches_a_superuser_is_refused(self):
        from django.contrib.auth import authenticate, get_user_model

        run("player_add", "P1", "--username", "admin", "--currency", "IDR")
        admin = get_user_model().objects.create_superuser(username="admin", password="staff-pass-1")
        with pytest.raises(CommandError, match="staff account"):
            call_command("player_add", "P1", "--password", "player-pass-1", stdout=StringIO())
        assert authenticate(RequestFactory().post("/"), username="admin", password="staff-pass-1") == admin
        assert Player.objects.get(external_id="P1").user is None

    def test_a_player_linked_to_a_staff_account_is_refused(self):
        from django.contrib.auth import authenticate, get_user_model

        run("player_add", "P1", "--username", "Ann", "--currency", "IDR")
        staff = get_user_model().objects.create_user(username="finance", password="staff-pass-1", is_staff=True)
        Player.objects.filter(external_id="P1").update(user=staff)
        with pytest.raises(CommandError, match="staff account"):
            call_command("player_add", "P1", "--password", "player-pass-1", stdout=StringIO())
        assert authenticate(RequestFactory().post("/"), username="finance", password="staff-pass-1") == staff

    def test_a_name_taken_by_another_players_sign_in_is_refused(self):
        from django.contrib.auth import authenticate

        run("player_add", "P1", "--username", "Ann", "--currency", "IDR", "--password", "ann-pass-1")
        with pytest.raises(CommandError, match="another account"):
            call_command("player_add", "P2", "--username", "ANN", "--currency", "IDR", "--password", "other-pass-1",
                         stdout=StringIO())
        assert authenticate(RequestFactory().post("/"), username="ann", password="ann-pass-1") == Player.objects.get(external_id="P1").user


@pytest.mark.django_db
class TestIntegrationAndGameAdd:
    def test_integration_add_creates_then_updates_by_code(self):
        run("integration_add", "onegaming", "og1", "--agent-code", "AG", "--secret", "s", "--mode", "transfer",
            "--sub-agent", "SUB", "--api-base-url", "https://1g.example/", "--allowed-ips", "10.0.0.1, 10.0.0.2")
        answer = run("integration_add", "onegaming", "og1", "--agent-code", "AG", "--secret", "s2", "--disabled")
        integration = Integration.objects.get(code="og1")
        assert answer["created"] is False and not integration.enabled and integration.secret == "s2"
        assert integration.allowed_ip_list() == ["10.0.0.1", "10.0.0.2"]
        assert integration.api_base_url == "https://1g.example"

    def test_integration_add_sets_the_launch_method_and_keeps_it_when_not_given(self):
        run("integration_add", "oppi", "op2", "--api-key", "K2", "--secret", "s", "--launch-method", "redirect")
        run("integration_add", "oppi", "op2", "--api-key", "K2", "--secret", "s")
        assert Integration.objects.get(code="op2").launch_method == "redirect"

    def test_demo_oppi_games_open_in_the_same_frame_as_1g_as_the_lobby_docs_say(self):
        # Issue 25: an Oppi game took the whole window with no way back; it gets 1G's frame.
        call_command("demo_data", stdout=StringIO())
        assert Integration.objects.get(code="oppi-demo").launch_method == "iframe"
        assert Integration.objects.get(code="onegaming-demo").launch_method == "iframe"

    def test_integration_add_for_oppi_needs_an_api_key(self):
        with pytest.raises(CommandError, match="api-key"):
            call_command("integration_add", "oppi", "op1", "--secret", "s", stdout=StringIO())
        assert run("integration_add", "oppi", "op1", "--secret", "s", "--api-key", "K")["provider"] == "oppi"

    @pytest.mark.parametrize("args, message", [
        (["--secret", "s"], "agent-code"),
        (["--secret", "s", "--agent-code", "A", "--allowed-ips", "nope"], "not an IP"),
        (["--secret", "x" * 51, "--agent-code", "A"], "50 characters"),
        (["--secret", "s", "--agent-code", "A", "--api-base-url", "not a url"], "api_base_url"),
    ])
    def test_integration_add_refuses_bad_input_when_invalid(self, args, message):
        with pytest.raises(CommandError, match=message):
            call_command("integration_add", "onegaming", "bad", *args, stdout=StringIO())
        assert not Integration.objects.filter(code="bad").exists()

    def test_game_add_adds_to_an_integration_catalogue_and_updates(self, oppi):
        run("game_add", oppi.code, "g-1", "--name", "Crash", "--category", "crash")
        answer = run("game_add", oppi.code, "g-1", "--name", "Crash 2", "--disabled")
        game = Game.objects.get(integration=oppi, game_id="g-1")
        assert answer["created"] is False and game.name == "Crash 2" and not game.enabled and game.category == "CRASH"

    def test_game_add_refuses_an_unknown_integration(self):
        with pytest.raises(CommandError, match="no integration"):
            call_command("game_add", "nope", "1", "--name", "x", stdout=StringIO())

    def test_migrations_load_the_1g_seed_catalogue(self):
        assert Game.objects.filter(provider="onegaming", integration=None).count() == 20
        assert Game.objects.get(provider="onegaming", game_id="601").brand == "1GPoker"


@pytest.mark.django_db
class TestLedgerCheckAndDemo:
    def test_demo_data_is_harmless_to_repeat_and_passes_ledger_check(self):
        call_command("demo_data", stdout=StringIO())
        # demo_data also plays a few days of rounds (reports): the second run must move nothing.
        balances = dict(Account.objects.values_list("pk", "balance"))
        call_command("demo_data", stdout=StringIO())
        assert Player.objects.count() == 5  # the three demo players, and two for the reports' edge cases
        assert dict(Account.objects.values_list("pk", "balance")) == balances
        assert run("ledger_check")["ok"] is True

    def test_ledger_check_exits_1_on_a_wallet_that_disagrees_with_its_transfers(self, rich_player):
        Account.objects.filter(player=rich_player, currency_id="IDR").update(balance=1)
        with pytest.raises(CommandError) as failure:
            call_command("ledger_check", stdout=StringIO(), stderr=StringIO())
        assert failure.value.returncode == 1


@pytest.mark.django_db
def test_the_player_admin_cannot_link_a_staff_account_as_the_players_sign_in(admin_user, rich_player, rf):
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    request = rf.get("/")
    request.user = admin_user
    player_form = admin.site._registry[Player].get_form(request, rich_player)
    plain = get_user_model().objects.create(username="mikha")
    data = {"external_id": rich_player.external_id, "username": rich_player.username, "change_reason": "link sign-in"}
    for staff in (admin_user, get_user_model().objects.create(username="finance", is_staff=True)):
        form = player_form({**data, "user": str(staff.pk)}, instance=rich_player)
        assert not form.is_valid() and "user" in form.errors
    assert player_form({**data, "user": str(plain.pk)}, instance=rich_player).is_valid()
