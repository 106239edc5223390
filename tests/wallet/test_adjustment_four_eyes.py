"""Issue 25: four-eyes over a rolling 24 hours, and the confirmation's balance after the adjustment."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from tests.wallet.test_adjustments import USD_START, balance, decide, finance, open_form, send, signed_in, told
from wallet import services
from wallet.models import Account, AdjustmentRequest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.ADJUSTMENT_APPROVAL_THRESHOLDS = {"*": "1000", "USD": "1000"}


@pytest.fixture
def usd(rich_player) -> Account:
    return Account.objects.get(player=rich_player, currency_id="USD", kind="wallet")


def test_ten_adjustments_of_1000_usd_by_one_user_do_not_all_pass(usd):
    """Issue 25: the threshold (1,000 USD) applies to the sum of one staff member's adjustments for
    one player and currency over a rolling 24 hours: splitting 10,000 into ten does not dodge it."""
    client = signed_in(finance("splitter"))
    for _ in range(10):
        send(client, usd, open_form(client, usd), "1000")
    statuses = list(AdjustmentRequest.objects.order_by("pk").values_list("status", flat=True))
    assert statuses[0] == "applied"  # 1,000 is at the threshold: it moves at once
    assert statuses[1:] == ["pending"] * 9  # 2,000 and more within 24 hours: a second user approves
    assert balance(usd) == USD_START + 1000_00000


def test_debits_and_credits_both_count_towards_the_sum(usd):
    actor = finance("both-ways")
    services.adjustment_submit(wallet=usd, amount=600_00000, reason="a", key=uuid.uuid4(), actor=actor)
    second = services.adjustment_submit(wallet=usd, amount=-500_00000, reason="b", key=uuid.uuid4(), actor=actor)
    assert not second.applied  # |600| + |-500| = 1,100 > 1,000


def test_another_users_adjustments_and_older_ones_do_not_count(usd):
    first = finance("first")
    services.adjustment_submit(wallet=usd, amount=900_00000, reason="a", key=uuid.uuid4(), actor=first)
    other = services.adjustment_submit(wallet=usd, amount=900_00000, reason="b", key=uuid.uuid4(),
                                       actor=finance("second"))
    assert other.applied  # another staff member: their own sum
    AdjustmentRequest.objects.filter(requested_by=first).update(
        requested_at=timezone.now() - dt.timedelta(hours=24, minutes=1))
    later = services.adjustment_submit(wallet=usd, amount=900_00000, reason="c", key=uuid.uuid4(), actor=first)
    assert later.applied  # the first one left the rolling 24 hours


def test_rejected_requests_do_not_count_but_pending_ones_do(usd):
    actor = finance("asker")
    pending = services.adjustment_submit(wallet=usd, amount=1500_00000, reason="a", key=uuid.uuid4(), actor=actor)
    assert not pending.applied
    small = services.adjustment_submit(wallet=usd, amount=1_00000, reason="b", key=uuid.uuid4(), actor=actor)
    assert not small.applied  # 1,500 pending + 1 > 1,000
    services.adjustment_reject(pk=pending.request.pk, actor=finance("checker"), reason="no")
    services.adjustment_reject(pk=small.request.pk, actor=finance("checker2"), reason="no")
    again = services.adjustment_submit(wallet=usd, amount=1_00000, reason="c", key=uuid.uuid4(), actor=actor)
    assert again.applied


def test_the_confirmation_shows_the_balance_after_the_adjustment(usd):
    client = signed_in(finance("fin1"))
    message = told(send(client, usd, open_form(client, usd), "10.00"))
    assert "110.00" in message and "100.00" not in message, message


def test_the_approval_confirmation_shows_the_balance_after_the_adjustment(usd):
    requester = signed_in(finance("asker"))
    send(requester, usd, open_form(requester, usd), "1500")
    adjustment = AdjustmentRequest.objects.get()
    message = told(decide(signed_in(finance("approver")), adjustment, "approve_requests"))
    assert "approved" in message and "1,600.00" in message, message


def test_the_approval_page_shows_the_balance_after_the_adjustment(usd):
    requester = signed_in(finance("asker"))
    send(requester, usd, open_form(requester, usd), "-40")
    send(requester, usd, open_form(requester, usd), "1500")
    pending = AdjustmentRequest.objects.get(status="pending")
    page = signed_in(finance("approver")).post("/admin/wallet/adjustmentrequest/", {
        "action": "approve_requests", "_selected_action": [pending.pk]}).content.decode()
    assert "balance 60.00 USD now" in page and "1,560.00 USD after it" in page, page
