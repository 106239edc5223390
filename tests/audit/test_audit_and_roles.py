"""Staff roles (operations.md "Staff roles") and the audit trail (issue 10, "Audit and staff").

The roles are the groups the audit app's migration creates; nothing here grants a permission by hand.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse

from audit.models import CheckRun
from tests.factories import PlayerFactory
from wallet import gameplay
from wallet.gameplay import GameCall
from wallet.models import Account, Player

pytestmark = pytest.mark.django_db

READABLE_APPS = {"wallet", "lobby", "providers", "audit"}


def _changelists(apps):
    return [f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist"
            for m in admin.site._registry if m._meta.app_label in apps]


def test_roles_exist_after_migrate_with_their_permissions():
    support, finance, admin_group = (Group.objects.get(name=n) for n in ("support", "finance", "admin"))
    support_perms = {f"{p.content_type.app_label}.{p.codename}" for p in support.permissions.all()}
    finance_perms = {f"{p.content_type.app_label}.{p.codename}" for p in finance.permissions.all()}
    assert {"wallet.view_player", "lobby.view_game", "lobby.view_launchsession", "providers.view_calllog",
            "wallet.change_player_state"} <= support_perms
    assert not any(p.startswith(("add_", "delete_")) for p in (x.split(".")[1] for x in support_perms))
    assert "wallet.change_player" not in support_perms and "core.change_integration" not in support_perms
    assert support_perms < finance_perms
    assert {"wallet.change_wallet", "audit.run_checks"} <= finance_perms
    assert "core.change_integration" not in finance_perms
    assert admin_group.permissions.filter(codename="change_integration").exists()


@pytest.mark.parametrize("role", ["support", "finance"])
def test_support_and_finance_open_every_list_of_the_back_office(client, role, support_user, finance_user):
    """The docs say both roles read every list (Games and Launch sessions included)."""
    client.force_login(support_user if role == "support" else finance_user)
    for name in _changelists(READABLE_APPS):
        assert client.get(reverse(name)).status_code == 200, name


def test_support_disables_a_player_with_a_reason_but_cannot_edit_or_adjust(client, support_user, rich_player):
    client.force_login(support_user)
    url = reverse("admin:wallet_player_changelist")
    done = client.post(url, {"action": "disable_players", "_selected_action": [rich_player.pk], "apply": "1",
                             "reason": "chargeback investigation"})
    assert done.status_code == 302
    rich_player.refresh_from_db()
    assert not rich_player.is_enabled
    edit = client.post(reverse("admin:wallet_player_change", args=[rich_player.pk]),
                       {"username": "Hacked", "change_reason": "x"})
    assert edit.status_code == 403
    wallet = Account.objects.filter(player=rich_player).first()
    adjust = client.post(reverse("admin:wallet_wallet_changelist"),
                         {"action": "adjust_balance", "_selected_action": [wallet.pk], "apply": "1",
                          "amount": "1000", "reason": "x"})
    wallet.refresh_from_db()
    assert adjust.status_code in (200, 302, 403) and wallet.balance == 1500_00000


def test_disabling_a_player_shows_in_recent_actions_and_in_the_history_with_the_reason(client, admin_user):
    player = PlayerFactory(external_id="AUD1")
    client.force_login(admin_user)
    client.post(reverse("admin:wallet_player_changelist"),
                {"action": "disable_players", "_selected_action": [player.pk], "apply": "1", "reason": "self-exclusion"})
    entry = LogEntry.objects.get(object_id=str(player.pk))
    assert "self-exclusion" in entry.get_change_message()
    assert b"AUD1" in client.get(reverse("admin:index")).content  # "Recent actions" lists it
    record = player.history.latest()
    assert record.history_change_reason == "self-exclusion" and record.history_user == admin_user
    assert record.prev_record.is_enabled is True and record.is_enabled is False
    page = client.get(reverse("admin:wallet_player_history", args=[player.pk]))
    assert b"self-exclusion" in page.content


def test_a_limit_change_keeps_who_when_old_new_and_why_in_currency_units(client, finance_user, rich_player):
    client.force_login(finance_user)
    wallet = Account.objects.get(player=rich_player, currency_id="IDR")
    url = reverse("admin:wallet_wallet_change", args=[wallet.pk])
    first = client.post(url, {"daily_bet_limit": "100", "daily_loss_limit": "", "change_reason": "player asked"})
    second = client.post(url, {"daily_bet_limit": "250.50", "daily_loss_limit": "", "change_reason": "raised after KYC"})
    assert first.status_code == second.status_code == 302
    record = wallet.history.latest()
    assert record.history_user == finance_user and record.history_change_reason == "raised after KYC"
    delta = record.diff_against(record.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("daily_bet_limit", 100_00000, 250_50000)]
    history = client.get(reverse("admin:wallet_wallet_history", args=[wallet.pk])).content.decode()
    assert "100.00 IDR" in history and "250.50 IDR" in history and "10000000" not in history
    audit = client.get(reverse("audit-log"), {"q": "KYC"}).content.decode()
    assert "raised after KYC" in audit and "player asked" not in audit and "250.50 IDR" in audit


def test_a_change_without_a_reason_is_refused(client, finance_user, rich_player):
    client.force_login(finance_user)
    wallet = Account.objects.get(player=rich_player, currency_id="IDR")
    page = client.post(reverse("admin:wallet_wallet_change", args=[wallet.pk]),
                       {"daily_bet_limit": "100", "daily_loss_limit": ""})
    assert page.status_code == 200 and b"This field is required" in page.content
    wallet.refresh_from_db()
    assert wallet.daily_bet_limit is None


def test_bets_write_no_audit_rows(rich_player, onegaming):
    """Balance changes belong to the ledger: a bet must not pay for a history insert."""
    wallet = Account.objects.get(player=rich_player, currency_id="IDR")
    before = wallet.history.count()
    call = GameCall(integration_id=onegaming.pk, player=rich_player, external_id="b-audit", currency="IDR",
                    fingerprint="f")
    assert gameplay.bet_place(call, ticket="t-audit", amount=10**5).applied
    assert wallet.history.count() == before


def test_integration_history_and_audit_list_never_show_the_secret(client, admin_user, support_user, onegaming):
    client.force_login(admin_user)
    data = {"provider": "onegaming", "code": onegaming.code, "name": "renamed", "mode": "seamless", "enabled": "on",
            "agent_code": onegaming.agent_code, "sub_agent": "", "new_api_key": "", "new_secret": "brand-new-secret-77",
            "api_base_url": "https://1g.example.test", "allowed_ips": "", "launch_method": "iframe",
            "change_reason": "rotated the key"}
    assert client.post(reverse("admin:core_integration_change", args=[onegaming.pk]), data).status_code == 302
    for user in (admin_user, support_user):
        client.force_login(user)
        for url in (reverse("audit-log"), reverse("admin:core_integration_history", args=[onegaming.pk])):
            page = client.get(url).content.decode()
            assert "rotated the key" in page, (user, url)
            assert "brand-new-secret-77" not in page and "s3cr3t-1g" not in page


def test_audit_list_filters_by_kind_and_user(client, admin_user, finance_user, rich_player):
    client.force_login(finance_user)
    wallet = Account.objects.get(player=rich_player, currency_id="USD")
    client.post(reverse("admin:wallet_wallet_change", args=[wallet.pk]),
                {"daily_bet_limit": "5", "daily_loss_limit": "", "change_reason": "limit-by-finance"})
    client.force_login(admin_user)
    player = PlayerFactory(external_id="AUD2")
    client.post(reverse("admin:wallet_player_changelist"),
                {"action": "disable_players", "_selected_action": [player.pk], "apply": "1", "reason": "by-admin"})
    only_accounts = client.get(reverse("audit-log"), {"model": "wallet.account"}).content.decode()
    assert "limit-by-finance" in only_accounts and "by-admin" not in only_accounts
    by_admin = client.get(reverse("audit-log"), {"user": admin_user.username}).content.decode()
    assert "by-admin" in by_admin and "limit-by-finance" not in by_admin


def test_player_page_shows_everything_about_the_player(client, support_user, rich_player, onegaming):
    call = GameCall(integration_id=onegaming.pk, player=rich_player, external_id="bet-overview", currency="IDR",
                    fingerprint="f")
    gameplay.bet_place(call, ticket="t-overview", amount=12_34000)
    client.force_login(support_user)
    page = client.get(reverse("admin:wallet_player_change", args=[rich_player.pk])).content.decode()
    for section in ("overview-wallets", "overview-game-transactions", "overview-ledger", "overview-launches",
                    "overview-callbacks", "overview-limits", "overview-status"):
        assert f'id="{section}"' in page
    assert "1,487.66 IDR" in page and "12.34 IDR" in page  # balance after the bet, the bet itself
    assert "Disable player" in page  # support may disable from here
    assert f"?q={rich_player.external_id}" in page


def test_player_search_matches_a_prefix_of_the_player_id(client, support_user):
    PlayerFactory(external_id="CLi7770001", username="A")
    PlayerFactory(external_id="XYZ7770002", username="B")
    client.force_login(support_user)
    page = client.get(reverse("admin:wallet_player_changelist"), {"q": "CLi777"}).content.decode()
    assert "CLi7770001" in page and "XYZ7770002" not in page


def test_player_id_is_fixed_and_players_are_never_deleted(client, admin_user, rich_player):
    client.force_login(admin_user)
    page = client.get(reverse("admin:wallet_player_change", args=[rich_player.pk])).content.decode()
    assert 'name="external_id"' not in page and "deletelink" not in page
    client.post(reverse("admin:wallet_player_change", args=[rich_player.pk]),
                {"external_id": "CHANGED", "username": "Mikha", "change_reason": "typo",
                 **_empty_inlines(rich_player)})
    rich_player.refresh_from_db()
    assert rich_player.external_id == "CLi3000001"
    assert client.post(reverse("admin:wallet_player_delete", args=[rich_player.pk]), {"post": "yes"}).status_code == 403


def _empty_inlines(player):
    wallets = Account.objects.filter(player=player).count()
    return {"accounts-TOTAL_FORMS": str(wallets), "accounts-INITIAL_FORMS": str(wallets),
            **{f"accounts-{i}-id": str(a.pk) for i, a in enumerate(Account.objects.filter(player=player))},
            **{f"accounts-{i}-player": str(player.pk) for i in range(wallets)},
            "status_changes-TOTAL_FORMS": "0", "status_changes-INITIAL_FORMS": "0"}


def test_adding_a_player_opens_wallets_in_the_chosen_currencies(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:wallet_player_add"), {
        "external_id": "NEW0001", "username": "Newbie", "currencies": ["IDR", "USD"], "change_reason": "signup",
        "accounts-TOTAL_FORMS": "0", "accounts-INITIAL_FORMS": "0",
        "status_changes-TOTAL_FORMS": "0", "status_changes-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]
    player = Player.objects.get(external_id="NEW0001")
    assert sorted(a.currency_id for a in Account.objects.filter(player=player, kind="wallet")) == ["IDR", "USD"]


def test_finance_runs_the_ledger_check_from_the_admin_and_the_result_is_kept(client, finance_user, support_user,
                                                                               rich_player):
    run_url = reverse("admin:audit_checkrun_run")
    client.force_login(support_user)
    assert client.post(run_url, {"kind": "ledger_check"}).status_code == 403
    assert b"Run the ledger check now" not in client.get(reverse("admin:audit_checkrun_changelist")).content
    client.force_login(finance_user)
    assert b"Run the ledger check now" in client.get(reverse("admin:audit_checkrun_changelist")).content
    response = client.post(run_url, {"kind": "ledger_check"})
    run = CheckRun.objects.get()
    assert response.status_code == 302 and run.ok is True and run.started_by == finance_user
    assert run.figures["wallets"] == 2 and run.finished_at is not None
    page = client.get(reverse("admin:audit_checkrun_changelist")).content.decode()
    assert "consistent" in page


def test_a_failed_ledger_check_is_kept_with_its_violations(client, finance_user, rich_player):
    Account.objects.filter(player=rich_player, currency_id="USD").update(balance=1)  # break invariant 1
    client.force_login(finance_user)
    client.post(reverse("admin:audit_checkrun_run"), {"kind": "ledger_check"})
    run = CheckRun.objects.get()
    assert run.ok is False and "sum of transfers" in run.details


def test_every_admin_page_links_to_the_audit_trail_for_staff_who_may_read_it(client, support_user):
    client.force_login(support_user)
    page = client.get(reverse("admin:wallet_player_changelist")).content.decode()
    assert reverse("audit-log") in page and reverse("admin:audit_checkrun_changelist") in page


def test_an_adjustment_shows_in_recent_actions(client, finance_user, rich_player):
    from wallet.models import Account

    wallet = Account.objects.get(player=rich_player, currency_id="USD")
    client.force_login(finance_user)
    url = reverse("admin:wallet_wallet_changelist")
    form = client.post(url, {"action": "adjust_balance", "_selected_action": [wallet.pk]})
    key = form.context["form"]["key"].value()
    client.post(url, {"action": "adjust_balance", "_selected_action": [wallet.pk], "apply": "1", "key": key,
                      "amount": "12.50", "reason": "goodwill after outage"})
    entry = LogEntry.objects.get(object_id=str(wallet.pk))
    assert "12.50" in entry.get_change_message() and "goodwill after outage" in entry.get_change_message()
