"""Issue 22, money points 1-3: never give back money that 1G may hold.

Seed (000_5eae112776e3399f.txt), status table:
  "DUPLICATE_REF_TXN_ID | A transaction with same transaction_uuid was sent, ..."
  "REQUEST_TIMEOUT | The system only proceed request within 10 sec of datetime from requested content."
Spec section 4 (revised 2026-12-06): a re-sent transfer_id answered DUPLICATE_REF_TXN_ID means 1G
holds it; money comes back only on positive evidence (a FAILED record, or a complete read of every
page for a window covering the send with margin, matched on transfer_id by us, once the settle
delay has passed); otherwise the order needs attention. Outbound times follow the integration's
time zone.

The fake 1G runs over loopback; time is a controlled clock shared by the app and the fake
(nothing sleeps). Every scenario ends with the money moved exactly once or not at all and
`ledger_check` clean.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from transfers import metrics, services, start
from transfers.models import EventKind, OrderState, TransferOrder
from transfers.reconcile import reconcile
from wallet.models import Account, AccountKind, Transfer
from wallet.money import to_units

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


class Clock:
    def __init__(self):
        self.moment = dt.datetime.now(dt.UTC)

    def now(self) -> dt.datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch, fake_1g):
    controlled = Clock()
    monkeypatch.setattr(timezone, "now", controlled.now)
    fake_1g.clock = controlled.now
    return controlled


@pytest.fixture
def player(db):
    player = PlayerFactory(external_id="PE0001", username="Pia")
    funded_wallet(player, "IDR", "1500.00")
    return player


def wallet_balance(player) -> int:
    return Account.objects.get(player=player, kind=AccountKind.WALLET, currency_id="IDR").balance


def derived(kind: str, integration) -> int:
    account = Account.objects.filter(kind=kind, integration=integration, currency_id="IDR", player=None).first()
    if account is None:
        return 0
    credits = Transfer.objects.filter(credit_account=account).aggregate(s=Sum("amount"))["s"] or 0
    debits = Transfer.objects.filter(debit_account=account).aggregate(s=Sum("amount"))["s"] or 0
    return credits - debits


def ledger_check_clean() -> bool:
    out = io.StringIO()
    call_command("ledger_check", stdout=out)  # exits 1 (SystemExit) on any violation
    return json.loads(out.getvalue().strip().splitlines()[-1])["ok"] is True


def deposit(integration, player, amount="100.00"):
    return start.transfer_start(integration=integration, player=player, currency="IDR", direction="deposit",
                                   amount=to_units(amount))


def assert_money(fake, integration, player, *, at_1g: str, wallet: str, in_flight: str = "0", held: str | None = None):
    """1G holds `at_1g` for the player, the player's wallet `wallet`, `in_flight` is in flight;
    the ledger's held-at-provider account shows `held` (default `at_1g`: every transfer decided)
    plus what 1G holds for other players; each transfer_id applied at most once; ledger clean."""
    at_fake = fake.wallets.get(player.external_id, {"balance": D(0)})["balance"]
    assert at_fake == D(at_1g)
    assert all(n == 1 for n in fake.applied.values()), "1G applied a transfer_id more than once"
    assert wallet_balance(player) == to_units(wallet)
    others = sum((w["balance"] for pid, w in fake.wallets.items() if pid != player.external_id), D(0))
    assert derived(AccountKind.HELD_AT_PROVIDER, integration) == to_units(held or at_1g) + to_units(others)
    assert derived(AccountKind.IN_FLIGHT, integration) == to_units(in_flight)
    assert ledger_check_clean()


def check_all():
    return services.orders_resolve_stuck(due_only=False)


# --- 1. lost answer, re-send answered DUPLICATE_REF_TXN_ID, records 30 s late --------------------


def test_lost_answer_then_duplicate_ref_keeps_money_held_until_the_late_record_confirms(
        fake_1g, transfer_1g, player, clock):
    fake_1g.duplicate_on_repeat = True  # the seed's reading of a repeated transaction id
    fake_1g.records_delay = 30
    fake_1g.fault("deposit", "drop_after_apply")  # applied at 1G, answer lost

    order = deposit(transfer_1g, player)

    # Records did not show it yet, so it was re-sent under the same id: DUPLICATE_REF_TXN_ID.
    assert [c["transfer_id"] for c in fake_1g.calls("deposit")] == [order.transfer_id] * 2
    assert order.state == OrderState.UNKNOWN and order.provider_holds and order.attempts == 2
    assert order.last_status == "DUPLICATE_REF_TXN_ID"
    assert_money(fake_1g, transfer_1g, player, at_1g="100.00", wallet="1400.00", in_flight="100.00", held="0")

    clock.advance(10)
    check_all()
    order.refresh_from_db()
    assert order.state == OrderState.UNKNOWN and len(fake_1g.calls("deposit")) == 2, "never re-sent again"

    clock.advance(25)  # 35 s after 1G applied it: the record shows now
    check_all()
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED
    assert_money(fake_1g, transfer_1g, player, at_1g="100.00", wallet="1400.00")


def test_held_order_without_a_record_after_the_settle_delay_needs_attention_and_reconcile_settles_it(
        fake_1g, transfer_1g, player, clock, settings, client, finance_user):
    settings.TRANSFER_RECORDS_SETTLE = 20
    fake_1g.duplicate_on_repeat = True
    fake_1g.records_delay = 60
    fake_1g.fault("deposit", "drop_after_apply")
    order = deposit(transfer_1g, player)
    assert order.provider_holds
    before = metrics.ATTENTION_ENTERED.labels(transfer_1g.code)._value.get()

    clock.advance(25)
    check_all()
    order.refresh_from_db()
    assert order.state == OrderState.ATTENTION and "DUPLICATE_REF_TXN_ID" in order.last_error
    assert metrics.ATTENTION_ENTERED.labels(transfer_1g.code)._value.get() == before + 1
    assert metrics.attention_refresh() == 1
    assert_money(fake_1g, transfer_1g, player, at_1g="100.00", wallet="1400.00", in_flight="100.00", held="0")

    # Finance sees it on the dashboard tile and in the order list.
    client.force_login(finance_user)
    from django.urls import reverse

    html = client.get(reverse("admin:index")).content.decode()
    assert "Transfers needing attention" in html
    listing = client.get(reverse("admin:transfers_transferorder_changelist") + "?state__exact=attention")
    assert order.transfer_id.encode() in listing.content and b"Needs attention" in listing.content

    clock.advance(60)  # the record shows now; the next reconciliation run re-checks it
    result = reconcile(transfer_1g, since=clock.now() - dt.timedelta(hours=1), until=clock.now())
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED and result.resolved == 1
    assert metrics.attention_refresh() == 0
    assert_money(fake_1g, transfer_1g, player, at_1g="100.00", wallet="1400.00")


def test_a_failed_record_is_positive_evidence_even_for_a_held_order(fake_1g, transfer_1g, player, clock):
    fake_1g.duplicate_on_repeat = True
    fake_1g.fault("deposit", "drop_after_apply")
    fake_1g.records_delay = 30
    order = deposit(transfer_1g, player)
    assert order.provider_holds
    # 1G's record of the id says FAILED (and 1G gives the money back on its side).
    record = next(r for r in fake_1g.records if r["transfer_id"] == order.transfer_id)
    record["status"] = "FAILED"
    fake_1g.wallets[player.external_id]["balance"] -= D("100.00")
    fake_1g.applied.pop(order.transfer_id)
    clock.advance(31)
    check_all()
    order.refresh_from_db()
    assert order.state == OrderState.FAILED
    assert_money(fake_1g, transfer_1g, player, at_1g="0", wallet="1500.00")


# --- 2. records over several pages that ignore the filters --------------------------------------


@pytest.fixture
def busy_records(fake_1g, transfer_1g, clock):
    """Seven other players' confirmed deposits first, so the records span several pages; the
    fake ignores player_id and transfer_id filters."""
    fake_1g.page_size = 2
    fake_1g.ignore_filters = True
    for n in range(7):
        other = PlayerFactory(external_id=f"PE-OTHER-{n}", username=f"Other{n}")
        funded_wallet(other, "IDR", "50.00")
        assert deposit(transfer_1g, other, "10.00").state == OrderState.CONFIRMED
        clock.advance(1)


def records_pages_read(fake) -> list[tuple[int, bool]]:
    return [(int(body["page"]), "transfer_id" in body) for body in fake.calls("records")]


def test_applied_transfer_on_a_late_page_of_unfiltered_records_is_confirmed_not_refunded(
        fake_1g, transfer_1g, player, clock, settings, busy_records):
    settings.TRANSFER_MAX_SENDS = 1  # no re-send: only the records can decide
    settings.TRANSFER_RECORDS_SETTLE = 0
    fake_1g.fault("deposit", "unknown_error_after_apply")

    order = deposit(transfer_1g, player)

    assert order.state == OrderState.CONFIRMED, order.last_error
    pages = [page for page, _filtered in records_pages_read(fake_1g)]
    assert pages == [1, 2, 3, 4], "every page read, the record matched here (it is on the last page)"
    assert_money(fake_1g, transfer_1g, player, at_1g="100.00", wallet="1400.00")


def test_absent_from_a_complete_unfiltered_read_after_the_settle_delay_is_failed_once(
        fake_1g, transfer_1g, player, clock, settings, busy_records):
    settings.TRANSFER_MAX_SENDS = 1
    settings.TRANSFER_RECORDS_SETTLE = 60
    fake_1g.fault("deposit", "unknown_error")  # never applied

    order = deposit(transfer_1g, player)
    assert order.state == OrderState.UNKNOWN, "not yet: 1G has not had the settle delay to show it"
    assert_money(fake_1g, transfer_1g, player, at_1g="0", wallet="1400.00", in_flight="100.00", held="0")

    fake_1g.requests.clear()
    clock.advance(61)
    check_all()
    order.refresh_from_db()
    assert order.state == OrderState.FAILED
    read = records_pages_read(fake_1g)
    assert [p for p, filtered in read if not filtered] == [1, 2, 3, 4], "a complete unfiltered read decided it"
    window = [b for b in fake_1g.calls("records") if "transfer_id" not in b][0]
    sent = order.last_sent_at
    assert fake_1g_time(window["start_time"]) <= sent - dt.timedelta(minutes=5)
    assert fake_1g_time(window["end_time"]) >= sent + dt.timedelta(minutes=5)
    assert_money(fake_1g, transfer_1g, player, at_1g="0", wallet="1500.00")
    check_all()  # nothing more happens
    assert_money(fake_1g, transfer_1g, player, at_1g="0", wallet="1500.00")


def fake_1g_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_records_page_failing_midway_is_no_evidence_the_order_needs_attention(
        fake_1g, transfer_1g, player, clock, settings, busy_records):
    settings.TRANSFER_MAX_SENDS = 1
    settings.TRANSFER_RECORDS_SETTLE = 60
    fake_1g.fault("deposit", "unknown_error")
    order = deposit(transfer_1g, player)  # one check at once: 4 filtered pages, not found
    assert order.state == OrderState.UNKNOWN
    clock.advance(61)
    # Filtered read: pages 1-4 fine; unfiltered read: page 1 fine, page 2 fails.
    fake_1g.fault("records", "", "", "", "", "", "http_500")

    check_all()
    order.refresh_from_db()
    assert order.state == OrderState.ATTENTION and "could not be read" in order.last_error
    assert_money(fake_1g, transfer_1g, player, at_1g="0", wallet="1400.00", in_flight="100.00", held="0")

    # The next pass reads every page: now it is evidence.
    check_all()
    order.refresh_from_db()
    assert order.state == OrderState.FAILED
    assert_money(fake_1g, transfer_1g, player, at_1g="0", wallet="1500.00")


def test_old_rule_page_one_absence_no_longer_refunds(fake_1g, transfer_1g, player, clock, settings):
    """On the old code an order sent TRANSFER_MAX_SENDS times was failed when page 1 of the
    filtered records did not show it. A 1G that ignores the filters and puts it on page 2 holds
    the money: the order must be confirmed."""
    settings.TRANSFER_MAX_SENDS = 1
    settings.TRANSFER_RECORDS_SETTLE = 0
    fake_1g.page_size = 1
    fake_1g.ignore_filters = True
    other = PlayerFactory(external_id="PE-FIRST", username="First")
    funded_wallet(other, "IDR", "20.00")
    deposit(transfer_1g, other, "10.00")
    fake_1g.fault("deposit", "http_500_after_apply")
    order = deposit(transfer_1g, player)
    assert order.state == OrderState.CONFIRMED
    assert_money(fake_1g, transfer_1g, player, at_1g="100.00", wallet="1400.00")


# --- 3. a deposit always refused UNKNOWN_ERROR --------------------------------------------------


def test_deposit_always_unknown_error_is_resent_under_one_id_then_failed_on_evidence_only(
        fake_1g, transfer_1g, player, clock, settings):
    settings.TRANSFER_RECORDS_SETTLE = 120
    fake_1g.sticky["deposit"] = "unknown_error"

    order = deposit(transfer_1g, player)  # sent, unknown, records: absent, re-sent (2nd send)
    for _ in range(3):  # +30 s: 3rd send; +60 s, +90 s: sent 3 times, settle delay not over
        clock.advance(30)
        check_all()
    order.refresh_from_db()
    assert order.attempts == settings.TRANSFER_MAX_SENDS
    assert {c["transfer_id"] for c in fake_1g.calls("deposit")} == {order.transfer_id}, "never a new id"
    assert order.state == OrderState.UNKNOWN, "the settle delay after the last send has not passed"
    assert_money(fake_1g, transfer_1g, player, at_1g="0", wallet="1400.00", in_flight="100.00", held="0")

    clock.advance(121)
    check_all()
    order.refresh_from_db()
    assert order.state == OrderState.FAILED
    assert_money(fake_1g, transfer_1g, player, at_1g="0", wallet="1500.00")


def test_records_never_readable_leaves_the_money_in_flight_and_the_order_to_staff(
        fake_1g, transfer_1g, player, clock, settings, client, finance_user, support_user):
    settings.TRANSFER_RECORDS_SETTLE = 60
    fake_1g.sticky["deposit"] = "unknown_error"
    fake_1g.sticky["records"] = "http_500"
    order = deposit(transfer_1g, player)
    clock.advance(61)
    check_all()
    order.refresh_from_db()
    assert order.state == OrderState.ATTENTION
    assert_money(fake_1g, transfer_1g, player, at_1g="0", wallet="1400.00", in_flight="100.00", held="0")

    # Support cannot resolve it; finance can, with a reason (100 IDR: below the threshold).
    with pytest.raises(services.TransferError, match="finance"):
        services.order_resolve(order, actor=support_user, reason="looks lost", outcome="failed")
    with pytest.raises(services.TransferError, match="reason"):
        services.order_resolve(order, actor=finance_user, reason="  ", outcome="failed")
    order = services.order_resolve(order, actor=finance_user, reason="1G support: never arrived", outcome="failed")
    assert order.state == OrderState.FAILED
    assert order.events.filter(kind=EventKind.RESOLVE, actor=finance_user).exists()
    assert_money(fake_1g, transfer_1g, player, at_1g="0", wallet="1500.00")


# --- staff decisions: four eyes above the adjustment threshold ---------------------------------


def test_a_decision_above_the_threshold_waits_for_a_second_finance_user(
        fake_1g, transfer_1g, player, clock, settings, finance_user):
    from tests.conftest import _staff

    settings.ADJUSTMENT_APPROVAL_THRESHOLDS = {"*": "50"}
    settings.TRANSFER_RECORDS_SETTLE = 0
    fake_1g.sticky["deposit"] = "unknown_error"
    fake_1g.sticky["records"] = "http_500"
    order = deposit(transfer_1g, player)  # 100.00 IDR > 50
    assert order.state == OrderState.ATTENTION

    asked = services.order_resolve(order, actor=finance_user, reason="1G: never arrived", outcome="failed")
    assert asked.state == OrderState.ATTENTION and asked.decision_outcome == "failed"
    assert_money(fake_1g, transfer_1g, player, at_1g="0", wallet="1400.00", in_flight="100.00", held="0")
    with pytest.raises(services.TransferError, match="second user"):
        services.order_resolve(order, actor=finance_user, reason="again", outcome="failed")
    second = _staff("finance2", "finance")
    with pytest.raises(services.TransferError, match="asked to resolve it as failed"):
        services.order_resolve(order, actor=second, reason="I think it arrived", outcome="confirmed")

    done = services.order_resolve(order, actor=second, reason="agreed, checked the 1G back office",
                                  outcome="failed")
    assert done.state == OrderState.FAILED and done.decision_outcome == ""
    assert TransferOrder.objects.get(pk=order.pk).events.filter(kind=EventKind.DECISION, actor=finance_user).exists()
    assert_money(fake_1g, transfer_1g, player, at_1g="0", wallet="1500.00")


def test_support_cannot_use_the_resolve_action_finance_can(fake_1g, transfer_1g, player, clock, settings, client,
                                                          finance_user, support_user):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
    from django.urls import reverse

    settings.TRANSFER_RECORDS_SETTLE = 0
    fake_1g.sticky["deposit"] = "unknown_error"
    fake_1g.sticky["records"] = "http_500"
    order = deposit(transfer_1g, player)
    assert order.state == OrderState.ATTENTION
    url = reverse("admin:transfers_transferorder_changelist")
    post = {"action": "resolve_orders", ACTION_CHECKBOX_NAME: [order.pk], "apply": "1", "reason": "x",
            "outcome": "failed"}

    client.force_login(support_user)
    listing = client.get(url + "?state__exact=attention")
    assert listing.status_code == 200 and order.transfer_id.encode() in listing.content
    assert b"resolve_orders" not in listing.content
    client.post(url, post)
    order.refresh_from_db()
    assert order.state == OrderState.ATTENTION

    client.force_login(finance_user)
    client.post(url, post, follow=True)
    order.refresh_from_db()
    assert order.state == OrderState.FAILED
    assert_money(fake_1g, transfer_1g, player, at_1g="0", wallet="1500.00")


# --- 4. outbound times in the integration's time zone -------------------------------------------


def test_non_utc_integration_sends_local_times_a_local_time_1g_accepts(fake_1g, transfer_1g, player, clock):
    transfer_1g.time_zone = "Asia/Jakarta"  # UTC+7, no daylight saving
    transfer_1g.save()
    fake_1g.time_zone = "Asia/Jakarta"  # 1G reads the digits as its local time
    fake_1g.fault("deposit", "unknown_error_after_apply")

    order = deposit(transfer_1g, player)

    assert order.state == OrderState.CONFIRMED, order.last_status
    sent = fake_1g.calls("deposit")[0]["datetime"]
    jakarta = clock.now() + dt.timedelta(hours=7)
    assert sent.startswith(jakarta.strftime("%Y-%m-%dT%H:%M")) and sent.endswith("+07:00")
    records = fake_1g.calls("records")[0]
    assert records["start_time"].endswith("+07:00") and records["end_time"].endswith("+07:00")
    assert_money(fake_1g, transfer_1g, player, at_1g="100.00", wallet="1400.00")


def test_utc_sent_to_a_local_time_1g_would_be_refused_request_timeout(fake_1g, transfer_1g, player, clock):
    """The control: the same fake refuses a UTC `datetime` (7 h off its local clock)."""
    fake_1g.time_zone = "Asia/Jakarta"
    order = deposit(transfer_1g, player)  # the integration still says UTC
    assert order.state == OrderState.FAILED and order.last_status == "REQUEST_TIMEOUT"
    assert_money(fake_1g, transfer_1g, player, at_1g="0", wallet="1500.00")
