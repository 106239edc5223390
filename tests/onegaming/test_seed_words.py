"""Issue 22, wire points 6-9: the seed's own words, read literally.

Seed (000_5eae112776e3399f.txt), status table:
- "DUPLICATE_REF_TXN_ID | A transaction with same transaction_uuid was sent, ..."
- "INVALID_PARTNER | Operator or their sub_partner is disabled or incorrect sub_partner_id is sent."
- "INVALID_GAME_ID | Unknown game_id. NOTE: in case of game providers with game lobby (Live Dealers),
  user can switch games within one game session. We track such changes and send game_id of the
  game which the user is actually playing at the moment."
- Rollback: "Operator need to bill/refund credit from members if the transaction are already
  charged/payout by this txn_ticket."
Spec, notes revised 2026-12-06 (seamless side), quoted in each test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from lobby.models import Game, LaunchSession
from providers.onegaming import dialect
from tests.factories import GameFactory
from tests.onegaming.wire import launch
from wallet.models import Account, AccountKind, GameTransaction

pytestmark = pytest.mark.django_db

D = Decimal


def idr(player) -> Decimal:
    return D(Account.objects.get(player=player, kind=AccountKind.WALLET, currency_id="IDR").balance) / 10**5


# --- 6. the batch's top-level status is ours, and a setting ------------------------------------


def _batch(wire, token):
    return wire.transactions([
        {"type": "bet", "player_id": "CLi3000001", "l_token": token, "currency": "IDR", "game_id": 301,
         "round_id": "R1", "txn_id": "B1", "txn_ticket": "T1", "amount": "100.00"},
        {"type": "bet", "player_id": "CLi3000001", "l_token": token, "currency": "IDR", "game_id": 301,
         "round_id": "R2", "txn_id": "B2", "txn_ticket": "T2", "amount": "999999.00"},
        {"type": "result", "player_id": "CLi3000001", "currency": "IDR", "game_id": 301, "round_id": "R9",
         "txn_id": "W9", "txn_ticket": "T9", "amount": "5.00"},
    ])


def test_batch_top_status_default_is_ok_with_per_item_statuses(wire, rich_player, token):
    assert dialect.BATCH_TOP_STATUS == dialect.BATCH_TOP_OK
    answer = _batch(wire, token)
    assert answer["status"] == "OK"
    assert [r["status"] for r in answer["results"]] == ["OK", "INSUFFICIENT_CREDIT", "TXN_DOES_NOT_EXIST"]


def test_batch_top_status_the_other_reading_puts_the_first_refused_item_on_top(wire, rich_player, token,
                                                                                monkeypatch):
    monkeypatch.setattr(dialect, "BATCH_TOP_STATUS", dialect.BATCH_TOP_FIRST_REFUSED)
    answer = _batch(wire, token)
    assert answer["status"] == "INSUFFICIENT_CREDIT"
    assert [r["status"] for r in answer["results"]] == ["OK", "INSUFFICIENT_CREDIT", "TXN_DOES_NOT_EXIST"]
    assert idr(rich_player) == D("1400.00"), "each item applied on its own all the same"
    # All items OK: OK on top.
    ok = wire.transactions([{"type": "result", "player_id": "CLi3000001", "currency": "IDR", "game_id": 301,
                             "round_id": "R1", "txn_id": "W1", "txn_ticket": "T1", "amount": "0"}])
    assert ok["status"] == "OK"


# --- 7. the seed's own field names ------------------------------------------------------------


def test_transaction_uuid_is_read_as_txn_id(wire, rich_player, bet_fields):
    fields = bet_fields()
    fields["transaction_uuid"] = fields.pop("txn_id")
    assert wire.bet(**fields)["status"] == "OK"
    assert GameTransaction.objects.filter(external_id="B1").count() == 1
    # The same transaction under our name is its replay, not a second bet.
    assert wire.bet(**bet_fields())["status"] == "OK"
    assert idr(rich_player) == D("1400.00")
    # Within a batch too, for a rollback's own id.
    answer = wire.transactions([{"type": "rollback", "player_id": "CLi3000001", "currency": "IDR", "game_id": 301,
                                 "transaction_uuid": "RB1", "txn_ticket": "T1"}])
    assert answer["results"][0]["status"] == "OK" and idr(rich_player) == D("1500.00")


def test_txn_id_and_a_different_transaction_uuid_together_is_refused_and_moves_nothing(wire, rich_player,
                                                                                        bet_fields):
    assert wire.bet(**bet_fields(transaction_uuid="OTHER"))["status"] == "INVALID_TYPES"
    assert wire.bet(**bet_fields(transaction_uuid="B1"))["status"] == "OK"  # the same id twice is fine
    assert idr(rich_player) == D("1400.00")


def test_a_wrong_sub_partner_id_is_invalid_partner(wire, onegaming, rich_player, bet_fields):
    onegaming.sub_agent = "SUB1"
    onegaming.save()
    assert wire.bet(**bet_fields(sub_partner_id="SUB2"))["status"] == "INVALID_PARTNER"
    assert wire.balance(player_id="CLi3000001", currency="IDR", sub_partner_id="SUB2")["status"] == "INVALID_PARTNER"
    assert idr(rich_player) == D("1500.00")
    assert wire.bet(**bet_fields(sub_partner_id="SUB1"))["status"] == "OK"


def test_a_wrong_sub_partner_id_in_the_lobby_check_is_invalid_partner(client, onegaming, rich_player):
    onegaming.sub_agent = "SUB1"
    onegaming.save()
    session = launch(onegaming, rich_player)
    url = "/api/onegaming/igPokerValidation"
    query = {"agent_code": "IGBO", "l_token": session.token}
    assert client.get(url, {**query, "sub_partner_id": "SUB2"}).json()["status"] == "INVALID_PARTNER"
    assert client.get(url, {**query, "sub_partner_id": "SUB1"}).json()["status"] == "OK"


# --- 8. games switched inside a lobby -----------------------------------------------------------


@pytest.fixture
def lobby_token(onegaming, rich_player):
    """A session launched into the AsiaGaming live-casino lobby (seed: LIVECASINO 401 lobby)."""
    session = launch(onegaming, rich_player)
    LaunchSession.objects.filter(pk=session.pk).update(game=Game.objects.get(integration=None, game_id="401"))
    return session.token


def test_a_game_switched_to_inside_a_lobby_session_is_accepted_and_discovered(wire, onegaming, rich_player,
                                                                               bet_fields, lobby_token):
    answer = wire.bet(**bet_fields(l_token=lobby_token, game_id="401-baccarat-7"))
    assert answer["status"] == "OK" and idr(rich_player) == D("1400.00")
    game = Game.objects.get(integration=onegaming, game_id="401-baccarat-7")
    assert game.discovered_at is not None and game.enabled is False, "shown, not launchable until enabled"
    assert (game.category, game.brand) == ("LIVECASINO", "AsiaGaming")
    # The player keeps playing it: accepted again, one row.
    assert wire.bet(**bet_fields(l_token=lobby_token, game_id="401-baccarat-7", txn_id="B2", txn_ticket="T2",
                                 round_id="R2"))["status"] == "OK"
    assert Game.objects.filter(game_id="401-baccarat-7").count() == 1


def test_outside_a_lobby_session_an_unknown_game_is_still_invalid(wire, rich_player, bet_fields):
    assert wire.bet(**bet_fields(game_id="401-baccarat-7"))["status"] == "INVALID_GAME_ID"
    assert not Game.objects.filter(game_id="401-baccarat-7").exists()


def test_a_known_disabled_game_is_refused_even_inside_a_lobby(wire, onegaming, rich_player, bet_fields,
                                                              lobby_token):
    GameFactory(provider="onegaming", integration=onegaming, game_id="401-closed", enabled=False)
    assert wire.bet(**bet_fields(l_token=lobby_token, game_id="401-closed"))["status"] == "INVALID_GAME_ID"
    assert idr(rich_player) == D("1500.00")


def test_an_integration_setting_refuses_unknown_lobby_games(wire, onegaming, rich_player, bet_fields, lobby_token,
                                                            settings):
    settings.ONEGAMING_LOBBY_UNKNOWN_GAMES_REFUSED = [onegaming.code]
    assert wire.bet(**bet_fields(l_token=lobby_token, game_id="401-baccarat-7"))["status"] == "INVALID_GAME_ID"
    assert not Game.objects.filter(game_id="401-baccarat-7").exists()


# --- 9. owed money is never refused on form -----------------------------------------------------


def test_a_rollback_without_currency_and_game_id_takes_them_from_the_bet(wire, rich_player, bet_fields):
    assert wire.bet(**bet_fields())["status"] == "OK"
    answer = wire.rollback(player_id="CLi3000001", txn_id="RB1", txn_ticket="T1")
    assert answer["status"] == "OK" and answer["currency"] == "IDR" and answer["balance"] == D("1500.00")
    assert idr(rich_player) == D("1500.00")
    # Its replay is the same answer; a rollback of an unknown ticket without them is remembered.
    assert wire.rollback(player_id="CLi3000001", txn_id="RB1", txn_ticket="T1")["status"] == "OK"
    assert wire.rollback(player_id="CLi3000001", txn_id="RB2", txn_ticket="T-never")["status"] == \
        "TXN_DOES_NOT_EXIST"
    assert wire.bet(**bet_fields(txn_id="B9", txn_ticket="T-never"))["status"] == "TXN_ROLLED_BACK"


@pytest.mark.parametrize("amount, credited", [("250.125", "250.125"), ("0.00001", "0.00001"),
                                              ("12.34567", "12.34567")])
def test_a_result_with_more_digits_than_the_wire_table_is_credited_exactly(wire, rich_player, bet_fields,
                                                                            amount, credited):
    assert wire.bet(**bet_fields())["status"] == "OK"
    answer = wire.result(player_id="CLi3000001", currency="IDR", game_id=301, round_id="R1", txn_id="W1",
                         txn_ticket="T1", amount=amount)
    assert answer["status"] == "OK"
    assert idr(rich_player) == D("1400.00") + D(credited)


def test_a_result_beyond_the_ledger_digits_is_refused_and_moves_nothing(wire, rich_player, bet_fields):
    assert wire.bet(**bet_fields())["status"] == "OK"
    answer = wire.result(player_id="CLi3000001", currency="IDR", game_id=301, round_id="R1", txn_id="W1",
                         txn_ticket="T1", amount="1.000001")
    assert answer["status"] == "INVALID_TYPES"
    assert idr(rich_player) == D("1400.00")
