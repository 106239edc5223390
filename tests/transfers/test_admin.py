"""Transfer orders in the admin: lists, detail with attempts, retry/resolve with a reason."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from transfers import start
from transfers.models import EventKind, OrderState, ReconciliationDifference
from wallet.money import to_units

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def unknown_order(fake_1g, transfer_1g):
    player = PlayerFactory(external_id="AD0001", username="Ada")
    funded_wallet(player, "IDR", "300.00")
    fake_1g.fault("deposit", "drop_after_apply")
    fake_1g.fault("records", "http_500")
    order = start.transfer_start(integration=transfer_1g, player=player, currency="IDR", direction="deposit",
                                    amount=to_units("123.45"))
    assert order.state == OrderState.UNKNOWN
    return order


def test_order_pages_show_state_amount_and_answers(client, admin_user, unknown_order):
    client.force_login(admin_user)
    listing = client.get(reverse("admin:transfers_transferorder_changelist"))
    assert listing.status_code == 200
    assert b"123.45" in listing.content and b"unknown" in listing.content
    detail = client.get(reverse("admin:transfers_transferorder_change", args=[unknown_order.pk]))
    assert detail.status_code == 200
    assert unknown_order.transfer_id.encode() in detail.content
    assert b"NETWORK_ERROR" in detail.content  # the lost answer, as the attempt recorded it
    for name in ("reconciliationdifference", "reconciliationrun", "providerwallet"):
        assert client.get(reverse(f"admin:transfers_{name}_changelist")).status_code == 200


def test_retry_action_asks_a_reason_then_settles_through_the_service(client, admin_user, unknown_order):
    client.force_login(admin_user)
    url = reverse("admin:transfers_transferorder_changelist")
    form = client.post(url, {"action": "retry_orders", ACTION_CHECKBOX_NAME: [unknown_order.pk]})
    assert form.status_code == 200 and b"reason" in form.content
    unknown_order.refresh_from_db()
    assert unknown_order.state == OrderState.UNKNOWN

    done = client.post(url, {"action": "retry_orders", ACTION_CHECKBOX_NAME: [unknown_order.pk], "apply": "1",
                             "reason": "records are back"}, follow=True)
    assert done.status_code == 200
    unknown_order.refresh_from_db()
    assert unknown_order.state == OrderState.CONFIRMED
    event = unknown_order.events.get(kind=EventKind.RETRY)
    assert (event.actor, event.note) == (admin_user, "records are back")


def test_resolve_action_refusal_is_shown_not_raised(client, admin_user, unknown_order, fake_1g):
    client.force_login(admin_user)
    fake_1g.records.clear()  # 1G's records do not show it
    url = reverse("admin:transfers_transferorder_changelist")
    page = client.post(url, {"action": "resolve_orders", ACTION_CHECKBOX_NAME: [unknown_order.pk], "apply": "1",
                             "reason": "check", "outcome": "records"}, follow=True)
    assert page.status_code == 200 and b"do not settle" in page.content
    unknown_order.refresh_from_db()
    assert unknown_order.state == OrderState.UNKNOWN
    assert ReconciliationDifference.objects.count() == 0


def test_close_difference_records_who_and_why(client, admin_user, transfer_1g):
    from django.utils import timezone

    now = timezone.now()
    difference = ReconciliationDifference.objects.create(
        integration=transfer_1g, transfer_id="x-1", kind="missing_here", ours="no order", theirs="deposit 5 IDR OK",
        detected_at=now, last_seen_at=now)
    client.force_login(admin_user)
    url = reverse("admin:transfers_reconciliationdifference_changelist")
    assert b"x-1" in client.get(url).content
    client.post(url, {"action": "close_differences", ACTION_CHECKBOX_NAME: [difference.pk], "apply": "1",
                      "note": "1G test transfer, agreed with 1G"})
    difference.refresh_from_db()
    assert difference.resolved_at is not None and difference.resolved_by == admin_user
    assert difference.note == "1G test transfer, agreed with 1G"
