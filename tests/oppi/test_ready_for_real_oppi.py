"""Issue 14 (spec revised 2026-11-29): never refuse money the player is owed, void a reverted round.

Every call goes through the real signed views (tests.oppi.conftest signs with hmac/hashlib from
the spec's formula); the ledger is checked after each test.
"""

from __future__ import annotations

import json
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from core.models import Integration
from providers.models import CallLog
from providers.oppi.codes import Status
from tests.conftest import funded_wallet
from tests.factories import GameFactory, PlayerFactory
from tests.oppi.conftest import GAME, SESSION, bet_body, launch, payout_body, reward_body, rollback_item
from wallet.checks import ledger_report, ledger_violations
from wallet.models import Account, GameTransaction, Transfer

pytestmark = pytest.mark.django_db

IDR_START = 1500_00000
USD_START = 100_00000


@pytest.fixture(autouse=True)
def _ledger_stays_consistent(db):
    yield
    assert ledger_violations() == []


def wallet(player, currency="IDR") -> int:
    return Account.objects.get(player=player, currency_id=currency, kind="wallet").balance


def history(endpoint: str) -> CallLog:
    return CallLog.objects.filter(endpoint=endpoint).latest("id")


def _rollback(oppi_call, *items) -> dict:
    return oppi_call("transaction/rollback", {"transactions": list(items)})


@pytest.fixture
def accepting(oppi):
    oppi.accept_unknown_bet_sessions = True
    oppi.save()
    return oppi


# --- sessions: checked for balance and bet only --------------------------------------------------


def test_a_known_session_is_not_flagged_in_the_history(oppi_call, rich_player, session):
    assert oppi_call("transaction/bet", bet_body())["status"] == Status.OK
    assert history("transaction/bet").session_unknown is False


def test_balance_with_an_unknown_session_is_refused_and_flagged(oppi_call, rich_player, session):
    answer = oppi_call("user/balance", {"sessionId": "wallet-format-1", "playerId": "CLi3000001"})
    assert answer == {"status": Status.SESSION_REQUIRED_OR_INVALID, "sessionId": "wallet-format-1",
                      "balance": IDR_START}
    assert history("user/balance").session_unknown is True


def test_the_setting_is_for_bets_balance_stays_refused(oppi_call, accepting, rich_player, session):
    answer = oppi_call("user/balance", {"sessionId": "wallet-format-1", "playerId": "CLi3000001"})
    assert answer["status"] == Status.SESSION_REQUIRED_OR_INVALID


def test_bet_with_an_unknown_session_is_refused_by_default_flagged_and_leaves_no_trace(oppi_call, oppi, rich_player,
                                                                                    session):
    assert oppi.accept_unknown_bet_sessions is False  # off by default
    answer = oppi_call("transaction/bet", bet_body(sessionId="wallet-format-1"))
    assert answer == {"status": Status.SESSION_REQUIRED_OR_INVALID, "transactionId": "b-1", "balance": IDR_START}
    assert history("transaction/bet").session_unknown is True
    assert not GameTransaction.objects.exists() and wallet(rich_player) == IDR_START


def test_bet_with_an_unknown_session_is_accepted_when_the_integration_allows_it(oppi_call, accepting, rich_player,
                                                                                oppi_game):
    answer = oppi_call("transaction/bet", bet_body(sessionId="wallet-format-1", currency="USD", amount=3_00000))
    assert answer == {"status": "RS_OK", "transactionId": "b-1", "balance": USD_START - 3_00000}
    assert GameTransaction.objects.get(external_id="b-1").session_token == "wallet-format-1"
    assert history("transaction/bet").session_unknown is True
    # and its replay is the first answer
    assert oppi_call("transaction/bet", bet_body(sessionId="wallet-format-1", currency="USD", amount=3_00000)) == answer
    assert wallet(rich_player, "USD") == USD_START - 3_00000


def test_accepted_unknown_session_still_checks_player_game_currency_and_funds(oppi_call, accepting, rich_player,
                                                                              disabled_player, oppi_game):
    unknown = {"sessionId": "wallet-format-1"}
    assert oppi_call("transaction/bet", bet_body(playerId="NOBODY", **unknown))["status"] == Status.RECORD_NOT_FOUND
    assert oppi_call("transaction/bet", bet_body(playerId="BLOCKED1", **unknown))["status"] == Status.PLAYER_BLOCKED
    assert oppi_call("transaction/bet", bet_body(gameId="nope", **unknown))["status"] == Status.GAME_INACTIVE
    assert oppi_call("transaction/bet", bet_body(currency="EUR", **unknown))["status"] == (
        Status.FIELD_REQUIRED_OR_INVALID)
    assert oppi_call("transaction/bet", bet_body(amount=IDR_START + 1, **unknown))["status"] == Status.NOT_ENOUGH_MONEY
    assert not GameTransaction.objects.exists()


def test_accepted_unknown_sessions_never_include_another_players_session(oppi_call, accepting, rich_player, session):
    other = PlayerFactory(external_id="OTHER1")
    funded_wallet(other, "IDR", "50.00")
    launch(accepting, other, token="their-sess")
    answer = oppi_call("transaction/bet", bet_body(sessionId="their-sess"))
    assert answer["status"] == Status.SESSION_REQUIRED_OR_INVALID and wallet(rich_player) == IDR_START


@pytest.mark.parametrize("session_id", ["wallet-format-1", "their-sess"])
def test_payout_reward_and_rollback_are_never_refused_for_their_session(oppi_call, oppi, rich_player, session,
                                                                        session_id):
    """Unknown to us, or even another player's: recorded and flagged, never a reason to refuse."""
    other = PlayerFactory(external_id="OTHER1")
    launch(oppi, other, token="their-sess")
    oppi_call("transaction/bet", bet_body(amount=1000))
    odd = {"sessionId": session_id}

    assert oppi_call("transaction/payout", payout_body(amount=300, is_win=True, **odd))["status"] == Status.OK
    assert history("transaction/payout").session_unknown is True
    assert oppi_call("transaction/reward", reward_body(amount=50, **odd))["status"] == Status.OK
    assert history("transaction/reward").session_unknown is True
    assert _rollback(oppi_call, rollback_item("rb-1", "r-1", **odd))["status"] == Status.OK
    assert history("transaction/rollback").session_unknown is True

    assert wallet(rich_player) == IDR_START - 1000 + 300
    recorded = dict(GameTransaction.objects.filter(external_id__in=["p-1", "r-1", "rb-1"])
                    .values_list("external_id", "session_token"))
    assert recorded == {"p-1": session_id, "r-1": session_id, "rb-1": session_id}


def test_payout_and_rollback_are_not_refused_even_when_the_player_has_no_session_at_all(oppi_call, accepting,
                                                                                        rich_player, oppi_game):
    """Oppi's wallet sessions differ from /game/url's: the whole round still settles."""
    odd = {"sessionId": "wallet-format-1"}
    oppi_call("transaction/bet", bet_body(amount=1000, **odd))
    assert oppi_call("transaction/payout", payout_body(amount=2500, is_win=True, **odd))["status"] == Status.OK
    assert wallet(rich_player) == IDR_START + 1500
    assert _rollback(oppi_call, rollback_item("rb-1", "b-1", **odd))["data"][0] == {
        "status": "RS_OK", "transactionId": "rb-1", "balance": IDR_START}


def test_a_reward_without_currency_and_an_unknown_session_goes_to_the_latest_sessions_wallet(oppi_call, oppi,
                                                                                            rich_player, session):
    """(ours) dialect.CURRENCY_FALLBACK: the player's latest session on this integration (USD here)."""
    import datetime as dt

    later = launch(oppi, rich_player, token="usd-sess", currency="USD")
    later.created_at += dt.timedelta(seconds=1)
    later.save()
    answer = oppi_call("transaction/reward", reward_body(amount=5, sessionId="wallet-format-1"))
    assert answer == {"status": "RS_OK", "transactionId": "r-1", "balance": USD_START + 5}


def test_a_rollback_batch_is_flagged_when_any_item_names_an_unknown_session(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=100))
    oppi_call("transaction/bet", bet_body(txn="b-2", amount=100))
    answer = _rollback(oppi_call, rollback_item("rb-1", "b-1"), rollback_item("rb-2", "b-2", sessionId="odd"))
    assert answer["status"] == Status.OK
    assert history("transaction/rollback").session_unknown is True


# --- the setting: integration_add and the admin ----------------------------------------------------


def _run(*args) -> dict:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_integration_add_switches_unknown_bet_sessions_on_keeps_and_off(db):
    created = _run("integration_add", "oppi", "op-x", "--api-key", "KX", "--secret", "s")
    assert created["accept_unknown_bet_sessions"] is False
    assert _run("integration_add", "oppi", "op-x", "--api-key", "KX", "--secret", "s",
                "--accept-unknown-sessions")["accept_unknown_bet_sessions"] is True
    _run("integration_add", "oppi", "op-x", "--api-key", "KX", "--secret", "s")  # not given: unchanged
    assert Integration.objects.get(code="op-x").accept_unknown_bet_sessions is True
    _run("integration_add", "oppi", "op-x", "--api-key", "KX", "--secret", "s", "--no-accept-unknown-sessions")
    assert Integration.objects.get(code="op-x").accept_unknown_bet_sessions is False


def test_integration_add_refuses_the_oppi_session_setting_for_1g(db):
    with pytest.raises(CommandError, match="Oppi setting"):
        call_command("integration_add", "onegaming", "og-x", "--agent-code", "AGX", "--secret", "s",
                     "--accept-unknown-sessions", stdout=StringIO())


def test_admin_shows_the_setting_and_the_unknown_session_filter(oppi_call, oppi, rich_player, session, admin_user):
    oppi_call("transaction/bet", bet_body(sessionId="wallet-format-1"))
    oppi_call("user/balance", {"sessionId": SESSION, "playerId": "CLi3000001"})
    staff = Client()
    staff.force_login(admin_user)
    form = staff.get(reverse("admin:core_integration_change", args=[oppi.pk]))
    assert form.status_code == 200 and b"accept_unknown_bet_sessions" in form.content
    listing = staff.get(reverse("admin:providers_calllog_changelist"), {"session_unknown__exact": "1"})
    assert listing.status_code == 200
    rows = list(listing.context["cl"].result_list)
    assert [r.endpoint for r in rows] == ["transaction/bet"]
    assert b"unknown session" in listing.content


# --- rewards: one per bonus id, jackpots can be won again ---------------------------------------


def test_a_jackpot_can_be_won_again_under_the_same_reference(oppi_call, rich_player, session):
    first = oppi_call("transaction/reward", reward_body(txn="r-1", ref="jackpot-7", amount=100))
    second = oppi_call("transaction/reward", reward_body(txn="r-2", ref="jackpot-7", amount=200))
    assert first == {"status": "RS_OK", "transactionId": "r-1", "balance": IDR_START + 100}
    assert second == {"status": "RS_OK", "transactionId": "r-2", "balance": IDR_START + 300}


def test_a_jackpot_is_still_deduplicated_by_its_transaction_id(oppi_call, rich_player, session):
    oppi_call("transaction/reward", reward_body(txn="r-1", ref="jackpot-7", amount=100))
    assert oppi_call("transaction/reward", reward_body(txn="r-1", ref="jackpot-7", amount=100))["status"] == Status.OK
    assert oppi_call("transaction/reward", reward_body(txn="r-1", ref="jackpot-7", amount=999))["status"] == (
        Status.DUPLICATE_TRANSACTION)
    assert wallet(rich_player) == IDR_START + 100 and Transfer.objects.filter(kind="reward").count() == 1


@pytest.mark.parametrize("reward_type", ["freespin", "tournament"])
def test_other_reward_types_are_repeatable_too(oppi_call, rich_player, session, reward_type):
    for n in range(2):
        answer = oppi_call("transaction/reward", reward_body(txn=f"r-{n}", ref="ref-1", amount=10,
                                                             rewardType=reward_type))
        assert answer["status"] == Status.OK
    assert wallet(rich_player) == IDR_START + 20


@pytest.mark.parametrize("second_type", ["bonus", "Bonus", " BONUS "])
def test_one_bonus_per_bonus_id_and_player(oppi_call, rich_player, session, second_type):
    assert oppi_call("transaction/reward", reward_body(txn="r-1", ref="bonus-9", amount=10,
                                                       rewardType="bonus"))["status"] == Status.OK
    answer = oppi_call("transaction/reward", reward_body(txn="r-2", ref="bonus-9", amount=10, rewardType=second_type))
    assert answer == {"status": Status.DUPLICATE_TRANSACTION, "transactionId": "r-2", "balance": IDR_START + 10}


def test_a_jackpot_never_blocks_a_bonus_of_the_same_reference(oppi_call, rich_player, session):
    oppi_call("transaction/reward", reward_body(txn="r-1", ref="shared-7", amount=10))
    assert oppi_call("transaction/reward", reward_body(txn="r-2", ref="shared-7", amount=10,
                                                       rewardType="bonus"))["status"] == Status.OK
    assert oppi_call("transaction/reward", reward_body(txn="r-3", ref="shared-7", amount=10))["status"] == Status.OK
    assert wallet(rich_player) == IDR_START + 30


def test_a_repeated_jackpot_can_be_rolled_back_one_win_at_a_time(oppi_call, rich_player, session):
    oppi_call("transaction/reward", reward_body(txn="r-1", ref="jackpot-7", amount=100))
    oppi_call("transaction/reward", reward_body(txn="r-2", ref="jackpot-7", amount=200))
    assert _rollback(oppi_call, rollback_item("rb-1", "r-2"))["data"][0]["balance"] == IDR_START + 100


# --- a reverted bet voids its round ----------------------------------------------------------------


def test_rolling_back_a_bet_refunds_it_and_takes_back_every_payout(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=1000))
    oppi_call("transaction/payout", payout_body(txn="p-1", amount=700, is_win=True))
    oppi_call("transaction/payout", payout_body(txn="p-2", amount=0, is_win=False))
    oppi_call("transaction/payout", payout_body(txn="p-3", amount=400, is_win=True))
    answer = _rollback(oppi_call, rollback_item("rb-1", "b-1"))
    assert answer == {"status": "RS_OK", "data": [{"status": "RS_OK", "transactionId": "rb-1", "balance": IDR_START}]}
    rollback = GameTransaction.objects.get(external_id="rb-1")
    assert rollback.payouts_taken_back == 2  # the paid ones; the 0 loss moved nothing
    kinds = sorted(rollback.transfers.values_list("kind", "amount"))
    assert kinds == [("reclaim", 400), ("reclaim", 700), ("refund", 1000)]


def test_voiding_may_leave_the_wallet_below_zero_and_the_ledger_says_why(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=1000))
    oppi_call("transaction/payout", payout_body(amount=5000, is_win=True))
    oppi_call("transaction/bet", bet_body(txn="b-2", amount=IDR_START + 4000))  # everything, the win included
    answer = _rollback(oppi_call, rollback_item("rb-1", "b-1"))
    assert answer["data"][0] == {"status": "RS_OK", "transactionId": "rb-1", "balance": 1000 - 5000}
    assert wallet(rich_player) == -4000
    report = ledger_report()
    assert report.negative_wallets == 1 and report.violations == []  # below zero by a rollback reclaim only


def test_a_payout_applied_with_its_answer_lost_is_not_paid_twice(oppi_call, rich_player, session):
    """The issue's story: the payout was applied, its answer lost, Oppi retried and reverted the bet."""
    oppi_call("transaction/bet", bet_body(amount=1000))
    oppi_call("transaction/payout", payout_body(amount=3000, is_win=True))  # answer lost
    for _ in range(3):  # Oppi's retries: replays of the first answer, nothing moves
        assert oppi_call("transaction/payout", payout_body(amount=3000, is_win=True))["status"] == Status.OK
    assert _rollback(oppi_call, rollback_item("rb-1", "b-1"))["status"] == Status.OK
    assert wallet(rich_player) == IDR_START  # neither the stake lost nor the win kept


def test_a_payout_already_rolled_back_is_not_taken_back_twice(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=1000))
    oppi_call("transaction/payout", payout_body(txn="p-1", amount=700, is_win=True))
    oppi_call("transaction/payout", payout_body(txn="p-2", amount=400, is_win=True))
    _rollback(oppi_call, rollback_item("rb-1", "p-1"))
    _rollback(oppi_call, rollback_item("rb-2", "b-1"))
    assert wallet(rich_player) == IDR_START
    assert GameTransaction.objects.get(external_id="rb-2").payouts_taken_back == 1
    assert Transfer.objects.filter(kind="reclaim").count() == 2


def test_rolling_back_a_payout_of_a_voided_round_is_ok_and_moves_nothing(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=1000))
    oppi_call("transaction/payout", payout_body(amount=700, is_win=True))
    _rollback(oppi_call, rollback_item("rb-1", "b-1"))
    answer = _rollback(oppi_call, rollback_item("rb-2", "p-1"))
    assert answer == {"status": "RS_OK", "data": [{"status": "RS_OK", "transactionId": "rb-2", "balance": IDR_START}]}
    assert Transfer.objects.filter(kind="reclaim").count() == 1 and wallet(rich_player) == IDR_START


def test_a_payout_after_its_bet_was_rolled_back_is_refused(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=1000))
    _rollback(oppi_call, rollback_item("rb-1", "b-1"))
    answer = oppi_call("transaction/payout", payout_body(amount=700, is_win=True))
    assert answer == {"status": Status.TRANSACTION_DOES_NOT_EXIST, "transactionId": "p-1", "balance": IDR_START}


def test_voiding_another_bet_leaves_other_rounds_alone(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(txn="b-1", amount=1000))
    oppi_call("transaction/bet", bet_body(txn="b-2", amount=1000))
    oppi_call("transaction/payout", payout_body(txn="p-1", ref="b-1", amount=700, is_win=True))
    oppi_call("transaction/payout", payout_body(txn="p-2", ref="b-2", amount=900, is_win=True))
    _rollback(oppi_call, rollback_item("rb-1", "b-1"))
    assert wallet(rich_player) == IDR_START - 1000 + 900


def test_voiding_is_one_transaction_nothing_half_done(oppi_call, rich_player, session, monkeypatch):
    from wallet import gameplay

    oppi_call("transaction/bet", bet_body(amount=1000))
    oppi_call("transaction/payout", payout_body(amount=700, is_win=True))
    real = gameplay.transfer_prepare

    def reclaim_refused_by_the_database(**kwargs):
        # The void's refund, its take-back and its record go to the database together: make the
        # database refuse the take-back's row (its amount CHECK) after the rest was sent with it.
        posting = real(**kwargs)
        if kwargs["kind"] == "reclaim":
            return replace(posting, values={**posting.values, "amount": -1})
        return posting

    monkeypatch.setattr(gameplay, "transfer_prepare", reclaim_refused_by_the_database)
    answer = _rollback(oppi_call, rollback_item("rb-1", "b-1"))
    assert answer["status"] == "RS_ERROR" and answer["data"][0]["status"] == "RS_ERROR"
    assert wallet(rich_player) == IDR_START - 1000 + 700  # the refund was undone with it
    assert not GameTransaction.objects.filter(external_id="rb-1").exists()
    monkeypatch.undo()
    assert _rollback(oppi_call, rollback_item("rb-1", "b-1"))["status"] == Status.OK  # the retry voids it
    assert wallet(rich_player) == IDR_START


def test_the_admin_marks_and_filters_rollbacks_that_voided_a_round(oppi_call, rich_player, session, admin_user):
    oppi_call("transaction/bet", bet_body(txn="b-1", amount=1000))
    oppi_call("transaction/payout", payout_body(txn="p-1", amount=700, is_win=True))
    oppi_call("transaction/bet", bet_body(txn="b-2", amount=1000))
    _rollback(oppi_call, rollback_item("rb-1", "b-1"), rollback_item("rb-2", "b-2"))
    staff = Client()
    staff.force_login(admin_user)
    listing = staff.get(reverse("admin:wallet_gametransaction_changelist"), {"voided_round": "yes"})
    assert listing.status_code == 200
    assert [r.external_id for r in listing.context["cl"].result_list] == ["rb-1"]
    assert b"voided round: 1 payout(s) taken back" in listing.content


def test_the_catalogue_game_is_not_needed_to_void_a_round(oppi_call, oppi, rich_player, session):
    """Rollbacks never check the game: a game disabled after the bet still voids its round."""
    oppi_call("transaction/bet", bet_body(amount=1000))
    oppi_call("transaction/payout", payout_body(amount=700, is_win=True))
    GameFactory._meta.model.objects.filter(game_id=GAME).update(enabled=False)
    assert _rollback(oppi_call, rollback_item("rb-1", "b-1"))["status"] == Status.OK
    assert wallet(rich_player) == IDR_START


def test_1g_ticket_rollbacks_that_take_back_a_result_carry_the_same_mark(onegaming, rich_player):
    """The admin's "voided round" means the same for both providers (1G's rules themselves unchanged)."""
    from wallet import gameplay
    from wallet.gameplay import GameCall

    def call(ext):
        return GameCall(integration_id=onegaming.pk, player=rich_player, external_id=ext, currency="IDR",
                        fingerprint=gameplay.fingerprint(ext=ext))

    gameplay.bet_place(call("b1"), ticket="T1", amount=1000)
    gameplay.win_settle(call("w1"), ticket="T1", amount=3000, single_settlement=True)
    gameplay.bet_place(call("b2"), ticket="T2", amount=1000)
    assert gameplay.ticket_rollback(call("r1"), ticket="T1").balance == IDR_START - 1000
    gameplay.ticket_rollback(call("r2"), ticket="T2")
    marks = dict(GameTransaction.objects.filter(action="rollback").values_list("external_id", "payouts_taken_back"))
    assert marks == {"r1": 1, "r2": 0}


# --- the dialect's switches do what docs/oppi.md's table says ----------------------------------


def test_uppercase_hex_signatures_are_accepted_unless_the_dialect_says_otherwise(oppi_call, oppi, rich_player,
                                                                                 session, monkeypatch):
    import hashlib
    import hmac
    import time

    from providers.oppi import dialect

    body = json.dumps({"sessionId": SESSION, "playerId": "CLi3000001"}, separators=(",", ":")).encode()
    ts = str(time.time_ns() // 1_000_000)
    upper = hmac.new(oppi.secret.encode(), body + b"|" + ts.encode(), hashlib.sha256).hexdigest().upper()
    assert oppi_call.raw("user/balance", body, timestamp=ts, signature=upper)["status"] == Status.OK
    monkeypatch.setattr(dialect, "SIGNATURE_HEX_ANY_CASE", False)
    assert oppi_call.raw("user/balance", body, timestamp=ts, signature=upper)["status"] == (
        Status.SIGNATURE_NOT_MATCH)
    assert oppi_call.raw("user/balance", body, timestamp=ts, signature=upper.lower())["status"] == Status.OK


def test_rollback_items_answer_without_balance_when_the_dialect_says_so(oppi_call, rich_player, session,
                                                                        monkeypatch):
    from providers.oppi import dialect

    oppi_call("transaction/bet", bet_body(amount=100))
    monkeypatch.setattr(dialect, "ROLLBACK_ITEMS_CARRY_BALANCE", False)
    assert _rollback(oppi_call, rollback_item("rb-1", "b-1")) == {
        "status": "RS_OK", "data": [{"status": "RS_OK", "transactionId": "rb-1"}]}


def test_the_balance_call_can_be_made_to_check_the_blocked_state(oppi_call, oppi, disabled_player, oppi_game,
                                                                 monkeypatch):
    from providers.oppi import dialect

    launch(oppi, disabled_player, token="blk")
    body = {"sessionId": "blk", "playerId": "BLOCKED1"}
    assert oppi_call("user/balance", body)["status"] == Status.OK  # ours: not checked
    monkeypatch.setattr(dialect, "BALANCE_CHECKS_IDLE_AND_BLOCKED", True)
    assert oppi_call("user/balance", body)["status"] == Status.PLAYER_BLOCKED
