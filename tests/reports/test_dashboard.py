"""The admin index is a dashboard: money tiles for finance, operations tiles for all staff."""

import pytest
from django.urls import reverse

from .conftest import NOW, clock


def dashboard(client):
    with clock(NOW):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture(autouse=True)
def _embedded(settings):
    settings.REPORTS_REFRESH_ON_VIEW = True


def test_finance_sees_ggr_bets_hold_and_liability_with_links_into_the_reports(client, finance_staff, played):
    client.force_login(finance_staff)
    html = dashboard(client)
    for title in ("GGR last 30 days", "GGR today", "GGR yesterday", "Player liability", "Active players today",
                  "Callback error rate today", "Wallets below zero", "Open reconciliation differences"):
        assert title in html
    # Today (15 March) in USD: bets 3 + 7 + 0.12345, GGR 2.12345 (hold 21.0 %); yesterday GGR −6.00.
    assert "2.12" in html and "10.12" in html and "21.0%" in html and "-6.00" in html
    assert "+135.4%" in html  # today's GGR against yesterday's: (2.12345 + 6) ÷ 6
    assert reverse("reports:overview") + "?date_from=2026-03-15&amp;date_to=2026-03-15" in html
    assert reverse("reports:page", args=["wallets-below-zero"]) in html
    # Liability: Alice IDR 1000 − 30 + 25 = 995.00; the app list is still below the tiles.
    assert "995.00" in html
    assert 'class="app-wallet' in html or "Players" in html


def test_support_sees_operations_tiles_but_no_ggr(client, support_staff, played):
    client.force_login(support_staff)
    html = dashboard(client)
    assert "GGR" not in html and "Player liability" not in html and "Hold" not in html
    assert "Active players today" in html and "Wallets below zero" in html and "Callback error rate" in html
    assert reverse("reports:overview") not in html
    assert "Players" in html  # the app list


def test_the_dashboard_is_fine_with_no_data(client, admin_user):
    client.force_login(admin_user)
    html = dashboard(client)
    assert "No game transfers in this period." in html
