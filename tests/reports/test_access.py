"""Who may open the reports: finance and admin staff (reports.view_reports), nobody else."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

PAGES = ["overview", "games", "players", "callbacks", "wallets-below-zero", "limit-refusals", "reconciliation"]


def url(slug):
    return reverse("reports:overview") if slug == "overview" else reverse("reports:page", args=[slug])


@pytest.mark.parametrize("slug", PAGES)
def test_anonymous_visitors_are_sent_to_the_admin_login(client, db, slug):
    response = client.get(url(slug))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("slug", PAGES)
def test_support_staff_without_the_reports_permission_are_refused(client, support_staff, slug):
    client.force_login(support_staff)
    assert client.get(url(slug)).status_code == 403
    assert client.get(url(slug), {"export": "daily"}).status_code == 403


@pytest.mark.parametrize("slug", PAGES)
def test_finance_staff_open_every_report(client, finance_staff, slug):
    client.force_login(finance_staff)
    assert client.get(url(slug)).status_code == 200


def test_admins_open_reports_and_non_staff_never_do_even_with_the_permission(client, db, admin_user, finance_staff):
    client.force_login(admin_user)
    assert client.get(url("overview")).status_code == 200
    player_user = UserFactory(username="player-with-perm", is_staff=False)
    player_user.user_permissions.set(finance_staff.groups.get().permissions.all())
    client.force_login(player_user)
    assert client.get(url("overview")).status_code == 302


def test_unknown_report_or_table_is_404_and_bad_filters_fall_back_to_defaults(client, finance_staff):
    client.force_login(finance_staff)
    assert client.get("/admin/reports/nope/").status_code == 404
    assert client.get(url("overview"), {"export": "nope"}).status_code == 404
    weird = {"date_from": "2026-99-99", "integration": "abc", "currency": "<x>", "game": "x" * 500}
    assert client.get(url("overview"), weird).status_code == 200
