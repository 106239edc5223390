"""Reconciliation against the fake 1G's records, and the three commands' JSON output."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from lobby.models import Game
from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from transfers import start as transfers_start
from transfers.models import DifferenceKind, OrderState, ReconciliationDifference, TransferOrder
from transfers.reconcile import reconcile
from wallet.checks import ledger_violations
from wallet.money import to_units

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def player(db):
    player = PlayerFactory(external_id="RP0001", username="Rene")
    funded_wallet(player, "IDR", "1000.00")
    return player


def start(integration, player, direction, amount):
    return transfers_start.transfer_start(integration=integration, player=player, currency="IDR", direction=direction,
                                          amount=to_units(amount))


@pytest.fixture
def history(fake_1g, transfer_1g, player):
    """A clean history over several pages of records: three confirmed orders and a refused one."""
    fake_1g.page_size = 2
    orders = [start(transfer_1g, player, "deposit", "100.00"), start(transfer_1g, player, "deposit", "50.00"),
              start(transfer_1g, player, "withdraw", "30.00"), start(transfer_1g, player, "withdraw", "500.00")]
    assert [o.state for o in orders] == ["confirmed", "confirmed", "confirmed", "failed"]
    return orders


def run(integration):
    now = timezone.now()
    return reconcile(integration, since=now - dt.timedelta(hours=1), until=now + dt.timedelta(minutes=1))


def record_of(fake, order):
    return next(r for r in fake.records if r["transfer_id"] == order.transfer_id)


def test_clean_history_has_no_differences_over_all_pages(fake_1g, transfer_1g, history):
    result = run(transfer_1g)
    assert result.figures() == {"integration": "og-transfer", "checked": 4, "differences": 0, "resolved": 0}
    pages = [c["page"] for c in fake_1g.calls("records")]
    assert pages == [1, 2], "every page was fetched"
    assert ReconciliationDifference.objects.count() == 0


@pytest.mark.parametrize("plant, kind", [
    ("drop_record", DifferenceKind.MISSING_AT_PROVIDER),
    ("amount", DifferenceKind.AMOUNT),
    ("currency", DifferenceKind.CURRENCY),
    ("status", DifferenceKind.STATUS),
    ("type", DifferenceKind.DIRECTION),
    ("player", DifferenceKind.PLAYER),
    ("foreign_record", DifferenceKind.MISSING_HERE),
])
def test_each_planted_difference_is_found(fake_1g, transfer_1g, history, plant, kind):
    confirmed = history[0]
    record = record_of(fake_1g, confirmed)
    if plant == "drop_record":
        fake_1g.records.remove(record)
    elif plant == "amount":
        record["amount"] = "100.01"
    elif plant == "currency":
        record["currency"] = "USD"
    elif plant == "status":
        record["status"] = "FAILED"
    elif plant == "type":
        record["type"] = "withdraw"
    elif plant == "player":
        record["player_id"] = "SOMEONE-ELSE"
    elif plant == "foreign_record":
        fake_1g.records.append({**record, "transfer_id": "not-ours-1"})

    result = run(transfer_1g)

    assert result.differences == 1
    difference = ReconciliationDifference.objects.get()
    assert difference.kind == kind
    expected_id = "not-ours-1" if plant == "foreign_record" else confirmed.transfer_id
    assert difference.transfer_id == expected_id
    # Found again by the next run: the same row, not a second one.
    run(transfer_1g)
    assert ReconciliationDifference.objects.count() == 1


def test_refused_order_that_1g_shows_as_ok_is_a_status_difference(fake_1g, transfer_1g, history):
    record_of(fake_1g, history[3])["status"] = "OK"
    run(transfer_1g)
    assert list(ReconciliationDifference.objects.values_list("kind", "ours", "theirs")) == \
        [(DifferenceKind.STATUS, "failed", "OK")]


def test_unknown_order_is_resolved_from_the_records(fake_1g, transfer_1g, player):
    fake_1g.fault("deposit", "drop_after_apply")
    fake_1g.fault("records", "http_500")
    order = start(transfer_1g, player, "deposit", "100.00")
    assert order.state == OrderState.UNKNOWN

    result = run(transfer_1g)

    assert (result.checked, result.differences, result.resolved) == (1, 0, 1)
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED
    assert ledger_violations() == []


def test_records_unavailable_is_an_error_not_a_list_of_differences(fake_1g, transfer_1g, history):
    fake_1g.fault("records", "http_500")
    with pytest.raises(CommandError, match="could not be read"):
        call_command("reconcile", "og-transfer", stdout=io.StringIO())
    assert ReconciliationDifference.objects.count() == 0


# --- commands -----------------------------------------------------------------------------------


def command(*args) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, "one JSON line"
    return json.loads(lines[0])


def test_transfer_command_prints_one_json_line(fake_1g, transfer_1g, player):
    printed = command("transfer", "og-transfer", "RP0001", "deposit", "12.50")
    order = TransferOrder.objects.get()
    assert printed == {"id": order.pk, "transfer_id": order.transfer_id, "state": "confirmed"}
    assert order.amount == to_units("12.50")
    printed = command("transfer", "og-transfer", "RP0001", "withdraw", "2.5")
    assert printed["state"] == "confirmed"
    assert fake_1g.balance_of("RP0001") == Decimal("10.00")


@pytest.mark.parametrize("args, message", [
    (("og-transfer", "RP0001", "deposit", "1e2"), "not an amount"),
    (("og-transfer", "RP0001", "deposit", "-5"), "not an amount"),
    (("og-transfer", "RP0001", "deposit", "12.505"), "bad amount"),
    (("og-transfer", "RP0001", "deposit", "0"), "above zero"),
    (("og-transfer", "RP0001", "deposit", " 5"), "not an amount"),
    (("og-transfer", "RP0001", "deposit", "99999"), "not enough money"),
    (("og-transfer", "RP0001", "sideways", "5"), "deposit or withdraw"),
    (("og-transfer", "NOBODY", "deposit", "5"), "no player"),
    (("nope", "RP0001", "deposit", "5"), "no integration"),
    (("og-transfer", "RP0001", "deposit", "5", "--currency", "USD"), "no USD wallet"),
])
def test_transfer_command_bad_input_is_a_clear_error(fake_1g, transfer_1g, player, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("transfer", *args, stdout=io.StringIO())
    assert TransferOrder.objects.count() == 0


def test_transfer_command_refuses_a_seamless_integration(player, onegaming):
    with pytest.raises(CommandError, match="not transfer mode"):
        call_command("transfer", onegaming.code, "RP0001", "deposit", "5", stdout=io.StringIO())


def test_reconcile_command_prints_one_json_line(fake_1g, transfer_1g, history):
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    printed = command("reconcile", "og-transfer", "--since", since)
    assert printed == {"integration": "og-transfer", "checked": 4, "differences": 0, "resolved": 0}
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("reconcile", "og-transfer", "--since", "yesterday", stdout=io.StringIO())
    with pytest.raises(CommandError, match="before"):
        call_command("reconcile", "og-transfer", "--since", "2030-01-02", "--until", "2030-01-01",
                     stdout=io.StringIO())


def test_reconcile_command_without_beat_settles_unknown_orders_first(fake_1g, transfer_1g, player):
    """Embedded default (no broker, no beat): the command runs the resolver pass itself."""
    fake_1g.fault("deposit", "unknown_error")  # not applied at 1G
    fake_1g.fault("records", "http_500")
    order = start(transfer_1g, player, "deposit", "100.00")
    assert order.state == OrderState.UNKNOWN

    printed = command("reconcile", "og-transfer")

    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED and order.attempts == 2  # absent: re-sent, same id
    assert printed == {"integration": "og-transfer", "checked": 1, "differences": 0, "resolved": 0}
    assert ledger_violations() == []


def test_games_sync_adds_updates_disables_and_keeps_staff_edits(fake_1g, transfer_1g):
    assert command("games_sync", "og-transfer") == {"integration": "og-transfer", "added": 2, "updated": 0,
                                                    "disabled": 0}
    slots = Game.objects.get(integration=transfer_1g, game_id="301")
    assert (slots.brand, slots.game_type, slots.category, slots.enabled) == ("GamePlay", "list", "SLOT", True)
    # Staff rename it and move it; staff disable the live casino.
    Game.objects.filter(pk=slots.pk).update(name="Our slots", sort_order=99)
    Game.objects.filter(integration=transfer_1g, game_id="401").update(enabled=False)
    # 1G: 301 changes brand, 401 stays, 501 is new.
    fake_1g.games[0]["brand"] = "GamePlay2"
    fake_1g.games.append({"game_id": "501", "category": "RNG", "brand": "UltimateGaming", "type": "list",
                          "name": "UG RNG"})
    assert command("games_sync", "og-transfer") == {"integration": "og-transfer", "added": 1, "updated": 1,
                                                    "disabled": 0}
    slots.refresh_from_db()
    assert (slots.name, slots.sort_order, slots.brand) == ("Our slots", 99, "GamePlay2")
    assert Game.objects.get(integration=transfer_1g, game_id="401").enabled is False, "staff's choice kept"
    # 1G drops 301: disabled, not deleted; listed again: enabled again.
    dropped = fake_1g.games.pop(0)
    assert command("games_sync", "og-transfer")["disabled"] == 1
    assert Game.objects.get(integration=transfer_1g, game_id="301").enabled is False
    fake_1g.games.append(dropped)
    assert command("games_sync", "og-transfer") == {"integration": "og-transfer", "added": 0, "updated": 1,
                                                    "disabled": 0}
    assert Game.objects.get(integration=transfer_1g, game_id="301").enabled is True
    assert Game.objects.get(integration=transfer_1g, game_id="401").enabled is False


def test_games_sync_keeps_the_product_of_games_inside_list_products(fake_1g, transfer_1g):
    fake_1g.games.append({"game_id": "301-fruits", "category": "SLOT", "brand": "GamePlay", "type": "list",
                          "name": "Fruits", "product": "301"})
    assert command("games_sync", "og-transfer")["added"] == 3
    fruits = Game.objects.get(integration=transfer_1g, game_id="301-fruits")
    assert (fruits.name, fruits.brand, fruits.enabled) == ("Fruits", "GamePlay", True)
    if hasattr(fruits, "product"):  # lobby.Game.product comes with the revised 1G catalogue
        assert fruits.product == "301"
        assert Game.objects.get(integration=transfer_1g, game_id="301").product == ""


def test_games_sync_error_is_clear(fake_1g, transfer_1g):
    fake_1g.fault("games", "http_500")
    with pytest.raises(CommandError, match="game list could not be read"):
        call_command("games_sync", "og-transfer", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no integration"):
        call_command("games_sync", "missing", stdout=io.StringIO())
