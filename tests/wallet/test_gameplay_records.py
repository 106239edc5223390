"""What wallet.gameplay stores for each money call: the call's history row (GameTransaction) says
exactly what the call was, and only a bet holds its ticket's guard (BetTicket).

The history is what ops read and what replays are judged by (spec 1G 3.2 rule 1, Oppi "Replay"):
a rollback or a remembered unknown reference moves no money of its own (amount 0, the money is in
its transfers), a bet names no reference, and nothing claims payouts taken back that were not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from unittest import mock

import pytest

from tests.conftest import funded_wallet
from tests.factories import OneGamingIntegrationFactory, PlayerFactory
from wallet import gameplay
from wallet.gameplay import Code, GameCall
from wallet.models import AccountKind, BetTicket, GameOutcome, GameTransaction, Transfer, TransferKind

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 3, 2, 12, 34, 56, 789012, tzinfo=dt.UTC)


@pytest.fixture
def table():
    integration = OneGamingIntegrationFactory()
    player = PlayerFactory(external_id="REC1")
    wallet = funded_wallet(player, "IDR", "100.00")
    return integration, player, wallet


def _call(table, ext: str, **extra) -> GameCall:
    integration, player, _ = table
    return GameCall(integration_id=integration.pk, player=player, external_id=ext, currency="IDR",
                    fingerprint=gameplay.fingerprint(ext=ext), game_code="301", round_id=f"round-{ext}",
                    session_token="tok-1", **extra)


def _row(ext: str) -> dict:
    return GameTransaction.objects.filter(external_id=ext).values(
        "action", "outcome", "amount", "ticket", "reference", "currency_id", "round_id", "game_code",
        "session_token", "payouts_taken_back", "created_at", "player__external_id").get()


def test_each_call_stores_what_it_was(table):
    with mock.patch("django.utils.timezone.now", return_value=MOMENT):
        assert gameplay.bet_place(_call(table, "b1"), ticket="T1", amount=1000).code is Code.APPLIED
        assert gameplay.win_settle(_call(table, "w1"), ticket="T1", amount=2500, single_settlement=True).code \
            is Code.APPLIED
        assert gameplay.reward_credit(_call(table, "r1"), reward_ref="bonus-9", amount=300).code is Code.APPLIED
    common = {"currency_id": "IDR", "game_code": "301", "session_token": "tok-1", "created_at": MOMENT,
              "player__external_id": "REC1", "outcome": GameOutcome.APPLIED}
    assert _row("b1") == {**common, "action": "bet", "amount": 1000, "ticket": "T1", "reference": "",
                          "round_id": "round-b1", "payouts_taken_back": 0}
    assert _row("w1") == {**common, "action": "win", "amount": 2500, "ticket": "T1", "reference": "",
                          "round_id": "round-w1", "payouts_taken_back": 0}
    assert _row("r1") == {**common, "action": "reward", "amount": 300, "ticket": "reward:bonus-9",
                          "reference": "bonus-9", "round_id": "round-r1", "payouts_taken_back": 0}
    # A repeatable prize (a jackpot) groups under its own ticket, apart from a bonus of the same reference.
    assert gameplay.reward_credit(_call(table, "j1"), reward_ref="bonus-9", amount=5,
                                  once_per_reference=False).code is Code.APPLIED
    assert (_row("j1")["ticket"], _row("j1")["reference"]) == ("prize:bonus-9", "bonus-9")
    # Only the bet holds the ticket's guard (one bet per ticket): the win and rewards hold none.
    assert list(BetTicket.objects.values_list("ticket", "bet__external_id")) == [("T1", "b1")]


def test_a_ticket_rollback_record_moves_no_amount_of_its_own_and_counts_the_payouts_it_took_back(table):
    gameplay.bet_place(_call(table, "b2"), ticket="T2", amount=1000)
    gameplay.win_settle(_call(table, "w2"), ticket="T2", amount=400, single_settlement=True)
    assert gameplay.ticket_rollback(_call(table, "rb2"), ticket="T2").code is Code.APPLIED
    row = _row("rb2")
    assert (row["action"], row["amount"], row["ticket"], row["reference"], row["payouts_taken_back"]) == (
        "rollback", 0, "T2", "T2", 1)
    kinds = Transfer.objects.filter(game_transaction__external_id="rb2").values_list("kind", "amount")
    assert sorted(kinds) == sorted([(TransferKind.REFUND, 1000), (TransferKind.RECLAIM, 400)])


def test_a_rollback_of_an_unknown_reference_is_remembered_with_no_ticket_no_amount_and_no_payouts(table):
    result = gameplay.transaction_rollback(_call(table, "rb3"), reference="never-seen")
    assert (result.code, result.balance, result.currency) == (Code.UNKNOWN_REFERENCE, 100_00000, "IDR")
    row = _row("rb3")
    assert (row["action"], row["outcome"], row["amount"], row["ticket"], row["reference"], row["currency_id"],
            row["payouts_taken_back"]) == ("rollback", GameOutcome.UNKNOWN_REFERENCE, 0, "", "never-seen", "IDR", 0)
    assert not Transfer.objects.filter(game_transaction__external_id="rb3").exists()
    result = gameplay.ticket_rollback(_call(table, "rb4"), ticket="never-bet")
    assert result.code is Code.UNKNOWN_REFERENCE
    row = _row("rb4")
    assert (row["amount"], row["ticket"], row["reference"], row["payouts_taken_back"]) == (0, "", "never-bet", 0)


def test_a_transaction_rollback_of_a_payout_records_no_payout_count_and_of_a_bet_counts_its_payouts(table):
    gameplay.bet_place(_call(table, "b5"), ticket="T5", amount=1000)
    gameplay.win_settle(_call(table, "p5a"), ticket="T5", amount=300, single_settlement=False)
    gameplay.win_settle(_call(table, "p5b"), ticket="T5", amount=0, single_settlement=False)  # a loss: no money
    gameplay.win_settle(_call(table, "p5c"), ticket="T5", amount=200, single_settlement=False)
    assert gameplay.transaction_rollback(_call(table, "rb5a"), reference="p5a").code is Code.APPLIED
    assert (_row("rb5a")["amount"], _row("rb5a")["payouts_taken_back"], _row("rb5a")["ticket"]) == (0, 0, "T5")
    assert gameplay.transaction_rollback(_call(table, "rb5"), reference="b5").code is Code.APPLIED
    # The bet's rollback voids its round: the stake back, and the one payout with money not yet taken back.
    assert (_row("rb5")["amount"], _row("rb5")["payouts_taken_back"], _row("rb5")["reference"]) == (0, 1, "b5")
    assert sorted(Transfer.objects.filter(game_transaction__external_id="rb5").values_list("kind", "amount")) == \
        sorted([(TransferKind.REFUND, 1000), (TransferKind.RECLAIM, 200)])


def test_a_bets_rollback_voids_the_round_of_its_own_integration_only(table):
    # Two integrations may use the same ids and tickets: a round is one integration's.
    _, player, wallet = table
    other = OneGamingIntegrationFactory()
    other_call = lambda ext: GameCall(integration_id=other.pk, player=player, external_id=ext,  # noqa: E731
                                      currency="IDR", fingerprint=gameplay.fingerprint(ext=ext))
    gameplay.bet_place(_call(table, "b6"), ticket="T6", amount=1000)
    gameplay.win_settle(_call(table, "p6"), ticket="T6", amount=200, single_settlement=False)
    gameplay.bet_place(other_call("b6"), ticket="T6", amount=500)
    gameplay.win_settle(other_call("p6"), ticket="T6", amount=300, single_settlement=False)
    assert gameplay.transaction_rollback(_call(table, "rb6"), reference="b6").code is Code.APPLIED
    assert sorted(Transfer.objects.filter(game_transaction__external_id="rb6").values_list("kind", "amount")) == \
        sorted([(TransferKind.REFUND, 1000), (TransferKind.RECLAIM, 200)])
    wallet.refresh_from_db()
    assert wallet.balance == 100_00000 - 1000 + 200 - 500 + 300 + 1000 - 200
    # The other integration's round is untouched: its payout can still be rolled back on its own.
    assert gameplay.transaction_rollback(other_call("rb6"), reference="p6").code is Code.APPLIED


def test_wallet_balance_is_the_wallets_not_another_account_of_the_player_in_that_currency(table):
    from wallet.models import Account, AccountKind

    integration = table[0]
    player = PlayerFactory(external_id="REC3")
    # The other account first (a lower id): a lookup that ignored the kind would find it first.
    Account.objects.create(kind=AccountKind.HELD_AT_PROVIDER, currency_id="IDR", player=player,
                           integration=integration, balance=0)
    wallet = funded_wallet(player, "IDR", "0.04321")
    assert gameplay.wallet_balance(player=player, currency="IDR") == 4321 == wallet.balance
    assert gameplay.wallet_balance(player=player, currency="USD") is None
    assert gameplay.wallet_balance(player=PlayerFactory(external_id="REC2"), currency="IDR") is None


def test_a_bet_on_a_rolled_back_ticket_is_refused_as_rolled_back_before_funds_by_default_and_after_for_oppi(table):
    # 1G spec 3.2: rule 4 (the ticket was rolled back first) before rule 5 (balance below amount):
    # the default order. Oppi (spec 2, bet): funds first, the rolled-back id last.
    assert gameplay.ticket_rollback(_call(table, "rb7"), ticket="T7").code is Code.UNKNOWN_REFERENCE
    too_much = 100_00000 + 1
    assert gameplay.bet_place(_call(table, "b7"), ticket="T7", amount=too_much).code is Code.TICKET_ROLLED_BACK
    assert gameplay.bet_place(_call(table, "b7o"), ticket="T7", amount=too_much,
                              rollback_check_first=False).code is Code.INSUFFICIENT_FUNDS
    assert gameplay.bet_place(_call(table, "b7p"), ticket="T7", amount=1,
                              rollback_check_first=False).code is Code.TICKET_ROLLED_BACK
    assert not Transfer.objects.filter(kind=TransferKind.BET).exists()


def test_a_bet_of_the_whole_balance_is_taken_and_a_zero_bet_moves_nothing(table):
    _, _, wallet = table
    assert gameplay.bet_place(_call(table, "b8"), ticket="T8", amount=0).code is Code.APPLIED
    assert not Transfer.objects.filter(game_transaction__external_id="b8").exists()
    result = gameplay.bet_place(_call(table, "b9"), ticket="T9", amount=100_00000)
    assert (result.code, result.balance, result.currency) == (Code.APPLIED, 0, "IDR")
    assert gameplay.bet_place(_call(table, "b10"), ticket="T10", amount=1).code is Code.INSUFFICIENT_FUNDS


def test_rolling_back_one_payout_leaves_the_other_payouts_of_the_round_undoable(table):
    # Only the bet's rollback voids its round (Oppi spec 2, rollback); a payout's does not.
    gameplay.bet_place(_call(table, "b11"), ticket="T11", amount=1000)
    gameplay.win_settle(_call(table, "p11a"), ticket="T11", amount=300, single_settlement=False)
    gameplay.win_settle(_call(table, "p11b"), ticket="T11", amount=200, single_settlement=False)
    assert gameplay.transaction_rollback(_call(table, "rb11a"), reference="p11a").code is Code.APPLIED
    assert gameplay.transaction_rollback(_call(table, "rb11b"), reference="p11b").code is Code.APPLIED
    assert list(Transfer.objects.filter(game_transaction__external_id="rb11b").values_list("kind", "amount")) == [
        (TransferKind.RECLAIM, 200)]


def test_a_reward_or_bet_answers_with_the_wallets_balance_and_currency_or_no_wallet_in_the_calls_currency(table):
    result = gameplay.reward_credit(_call(table, "r12"), reward_ref="bonus-12", amount=250)
    assert (result.code, result.balance, result.currency) == (Code.APPLIED, 100_00000 + 250, "IDR")
    integration, player, _ = table
    usd_call = GameCall(integration_id=integration.pk, player=player, external_id="r13", currency="USD",
                   fingerprint=gameplay.fingerprint(ext="r13"))
    result = gameplay.reward_credit(usd_call, reward_ref="bonus-13", amount=250)
    assert (result.code, result.balance, result.currency) == (Code.NO_WALLET, None, "USD")
    usd_bet = GameCall(integration_id=integration.pk, player=player, external_id="b13", currency="USD",
                       fingerprint=gameplay.fingerprint(ext="b13"))
    result = gameplay.bet_place(usd_bet, ticket="T13", amount=250)  # a bet likewise
    assert (result.code, result.balance, result.currency) == (Code.NO_WALLET, None, "USD")


def test_rolling_back_twice_a_reference_never_seen_in_a_currency_without_a_wallet_answers_already_rolled_back(table):
    """The second rollback of a remembered unknown reference is ALREADY_ROLLED_BACK and moves
    nothing, even when the call names a currency the player holds no wallet in (no balance to say)."""
    integration, player, wallet = table

    def usd_call(ext: str) -> GameCall:
        return GameCall(integration_id=integration.pk, player=player, external_id=ext, currency="USD",
                        fingerprint=gameplay.fingerprint(ext=ext))

    first = gameplay.transaction_rollback(usd_call("rb-usd-1"), reference="never-seen-usd")
    again = gameplay.transaction_rollback(usd_call("rb-usd-2"), reference="never-seen-usd")
    assert (first.code, first.balance, first.currency) == (Code.UNKNOWN_REFERENCE, None, "USD")
    assert (again.code, again.balance, again.currency) == (Code.ALREADY_ROLLED_BACK, None, "USD")
    wallet.refresh_from_db()
    assert wallet.balance == 100_00000 and not Transfer.objects.filter(kind=TransferKind.REFUND).exists()



def _call_in(table, currency: str | None, ext: str) -> GameCall:
    integration, player, _ = table
    return GameCall(integration_id=integration.pk, player=player, external_id=ext, currency=currency,
                    fingerprint=gameplay.fingerprint(ext=ext))


def _usd_bet_rolled_back_by_an_idr_call(table, *, by_ticket: bool = False):
    """A USD bet (ticket T-usd), rolled back by a call in IDR (an Oppi rollback carries no currency:
    the player's default), by its id or (1G) by its ticket; returns the USD wallet as the bet and its
    refund left it."""
    _, player, _ = table
    usd = funded_wallet(player, "USD", "50.00")
    assert gameplay.bet_place(_call_in(table, "USD", "b-usd"), ticket="T-usd", amount=1000).code is Code.APPLIED
    rollback = _call_in(table, "IDR", "rb-usd")
    result = (gameplay.ticket_rollback(rollback, ticket="T-usd") if by_ticket
              else gameplay.transaction_rollback(rollback, reference="b-usd"))
    usd.refresh_from_db()
    assert (result.code, result.balance, result.currency) == (Code.APPLIED, usd.balance, "USD")
    assert _row("rb-usd")["currency_id"] == "USD"  # the currency of the money it moved
    return usd


def test_a_rollback_naming_a_rollback_is_not_undoable_and_answers_the_named_transactions_wallet(table):
    """A rollback cannot be undone (NOT_UNDOABLE, nothing moves). Like ALREADY_ROLLED_BACK, the
    answer carries the balance and currency of the wallet the named transaction moved, even when
    the call comes in another currency."""
    _, _, idr = table
    usd = _usd_bet_rolled_back_by_an_idr_call(table)
    transfers = Transfer.objects.count()
    result = gameplay.transaction_rollback(_call_in(table, "IDR", "rb-of-rb"), reference="rb-usd")
    assert (result.code, result.balance, result.currency) == (Code.NOT_UNDOABLE, usd.balance, "USD")
    assert Transfer.objects.count() == transfers

    # A remembered unknown reference recorded with no currency: the call's currency's wallet answers.
    assert gameplay.transaction_rollback(_call_in(table, None, "rb-nothing"), reference="never-seen").code \
        is Code.UNKNOWN_REFERENCE
    result = gameplay.transaction_rollback(_call_in(table, "IDR", "rb-of-tombstone"), reference="rb-nothing")
    assert (result.code, result.balance, result.currency) == (Code.NOT_UNDOABLE, idr.balance, "IDR")
    assert Transfer.objects.count() == transfers


def test_a_second_rollback_answers_already_rolled_back_with_the_named_transactions_wallet(table):
    """Rolling back again what is rolled back (a bet, or a payout of a voided round) moves nothing
    and answers the balance and currency of the wallet the named transaction moved."""
    usd = _usd_bet_rolled_back_by_an_idr_call(table)
    transfers = Transfer.objects.count()
    again = gameplay.transaction_rollback(_call_in(table, "IDR", "rb-usd-again"), reference="b-usd")
    assert (again.code, again.balance, again.currency) == (Code.ALREADY_ROLLED_BACK, usd.balance, "USD")

    assert gameplay.bet_place(_call_in(table, "USD", "b-usd-2"), ticket="T-usd-2", amount=1000).code is Code.APPLIED
    won = gameplay.win_settle(_call_in(table, "USD", "w-usd-2"), ticket="T-usd-2", amount=3000, single_settlement=False)
    assert (won.code, won.balance, won.currency) == (Code.APPLIED, usd.balance + 3000 - 1000, "USD")
    assert gameplay.transaction_rollback(_call_in(table, "IDR", "rb-usd-2"), reference="b-usd-2").code \
        is Code.APPLIED  # voids the round: the payout is taken back with it
    transfers = Transfer.objects.count()
    payout = gameplay.transaction_rollback(_call_in(table, "IDR", "rb-payout"), reference="w-usd-2")
    assert (payout.code, payout.balance, payout.currency) == (Code.ALREADY_ROLLED_BACK, usd.balance, "USD")
    assert Transfer.objects.count() == transfers


def test_a_ticket_rollback_records_the_bets_currency_and_answers_a_second_one_in_the_calls_currency(table):
    """1G names a ticket: its rollback refunds in the bet's currency, which its row records and its
    answer carries; a second rollback of the ticket moves nothing and answers the wallet of the
    call's currency (no balance when the player holds none in it)."""
    _, _, idr = table
    usd = _usd_bet_rolled_back_by_an_idr_call(table, by_ticket=True)
    assert usd.balance == 50_00000
    transfers = Transfer.objects.count()
    again = gameplay.ticket_rollback(_call_in(table, "IDR", "rb-t-2"), ticket="T-usd")
    assert (again.code, again.balance, again.currency) == (Code.ALREADY_ROLLED_BACK, idr.balance, "IDR")
    again = gameplay.ticket_rollback(_call_in(table, "VND", "rb-t-3"), ticket="T-usd")
    assert (again.code, again.balance, again.currency) == (Code.ALREADY_ROLLED_BACK, None, "VND")
    assert Transfer.objects.count() == transfers



def test_every_refusal_of_a_payout_moves_nothing_and_answers_the_calls_currencys_wallet(table):
    """Payout refusals, in the order win_settle checks them: its own id rolled back before it came
    (Oppi), no bet of this player on the ticket, the ticket already settled (single settlement),
    not the bet's currency. Each moves nothing and answers the balance and currency of the wallet
    of the call's currency."""
    _, player, idr = table
    usd = funded_wallet(player, "USD", "50.00")
    assert gameplay.bet_place(_call(table, "b-r"), ticket="T-r", amount=1000).code is Code.APPLIED
    assert gameplay.transaction_rollback(_call(table, "rb-early"), reference="p-late").code is Code.UNKNOWN_REFERENCE
    assert gameplay.win_settle(_call(table, "p-ok"), ticket="T-r", amount=0, single_settlement=True).code \
        is Code.APPLIED
    transfers = Transfer.objects.count()
    idr.refresh_from_db()
    assert idr.balance == 100_00000 - 1000
    refusals = [
        (_call(table, "p-late"), "T-r", False, (Code.TICKET_ROLLED_BACK, idr.balance, "IDR")),
        (_call(table, "p-none"), "T-none", False, (Code.TICKET_NOT_FOUND, idr.balance, "IDR")),
        (_call(table, "p-twice"), "T-r", True, (Code.TICKET_SETTLED, idr.balance, "IDR")),
        (_call_in(table, "USD", "p-usd"), "T-r", False, (Code.CURRENCY_MISMATCH, usd.balance, "USD")),
    ]
    for call, ticket, single_settlement, expected in refusals:
        result = gameplay.win_settle(call, ticket=ticket, amount=500, single_settlement=single_settlement)
        assert (result.code, result.balance, result.currency) == expected
    assert Transfer.objects.count() == transfers


def _documented_key(integration_id: int, transaction_id: str, part: str) -> str:
    """docs/decisions.md, "Ledger keys of game transfers": game:v2: + SHA-256 of the compact JSON
    array [integration id, transaction id, part]."""
    array = json.dumps([integration_id, transaction_id, part], separators=(",", ":"))
    return "game:v2:" + hashlib.sha256(array.encode()).hexdigest()


def test_each_game_transfer_is_keyed_as_documented_by_its_call_and_part(table):
    """The key names the call and the part it moved (bet, win, reward, undo:<undone id>), in the
    documented form: stored keys are immutable, so a new form would stop a retry that crosses a
    release from meeting the key its first attempt wrote. (A ticket's rollback after one of its
    payouts was rolled back by id takes back only the rest: each provider uses one kind of
    rollback, but the ledger must not depend on it.)"""
    integration, _, wallet = table
    assert gameplay.bet_place(_call(table, "b-k"), ticket="T-k", amount=1000).code is Code.APPLIED
    assert gameplay.win_settle(_call(table, "w-k"), ticket="T-k", amount=2500, single_settlement=False).code \
        is Code.APPLIED
    assert gameplay.reward_credit(_call(table, "r-k"), reward_ref="bonus-k", amount=300).code is Code.APPLIED
    assert gameplay.transaction_rollback(_call(table, "rb-w"), reference="w-k").code is Code.APPLIED
    assert gameplay.transaction_rollback(_call(table, "rb-r"), reference="r-k").code is Code.APPLIED
    assert gameplay.ticket_rollback(_call(table, "rb-t"), ticket="T-k").code is Code.APPLIED
    key = lambda ext, part: _documented_key(integration.pk, ext, part)  # noqa: E731
    assert set(Transfer.objects.values_list("kind", "key").exclude(kind=TransferKind.DEPOSIT)) == {
        (TransferKind.BET, key("b-k", "bet")),
        (TransferKind.WIN, key("w-k", "win")),
        (TransferKind.REWARD, key("r-k", "reward")),
        (TransferKind.RECLAIM, key("rb-w", "undo:w-k")),
        (TransferKind.RECLAIM, key("rb-r", "undo:r-k")),
        (TransferKind.REFUND, key("rb-t", "undo:b-k")),
    }
    assert _row("rb-t")["payouts_taken_back"] == 0
    wallet.refresh_from_db()
    assert wallet.balance == 100_00000


def test_a_bet_on_a_ticket_that_holds_only_a_reward_of_the_same_name_applies(table):
    """Only a bet takes a ticket: rewards are grouped under `reward:<reference>` in the same column,
    and a provider's ticket may read the same; it is still free for a bet."""
    assert gameplay.reward_credit(_call(table, "r-same"), reward_ref="X", amount=100).code is Code.APPLIED
    assert gameplay.bet_place(_call(table, "b-same"), ticket="reward:X", amount=100).code is Code.APPLIED
    assert gameplay.bet_place(_call(table, "b-same-2"), ticket="reward:X", amount=100).code is Code.TICKET_HAS_BET


def test_a_replay_under_the_lock_answers_as_the_first_answer_and_other_content_in_its_own_currency(table):
    """gameplay's own replay check (reached when two calls race past the providers' pre-check)
    answers as the pre-check does: a replay in the currency of the money the first call moved, a
    reused id with other content in the call's currency."""
    _, _, idr = table
    usd = _usd_bet_rolled_back_by_an_idr_call(table)
    again = gameplay.transaction_rollback(_call_in(table, "IDR", "rb-usd"), reference="b-usd")
    assert (again.code, again.balance, again.currency, again.replayed) == (Code.APPLIED, usd.balance, "USD", True)
    other = GameCall(integration_id=table[0].pk, player=table[1], external_id="rb-usd", currency="IDR",
                     fingerprint=gameplay.fingerprint(ext="rb-usd", other="content"))
    duplicate = gameplay.transaction_rollback(other, reference="b-usd")
    assert (duplicate.code, duplicate.balance, duplicate.currency) == (Code.DUPLICATE_ID, idr.balance, "IDR")


def test_the_other_side_of_a_game_transfer_is_the_integrations_own_game_account(table):
    """Each integration holds its own game account per currency (what it owes or is owed): a bet
    credits it, a win debits it; two integrations never share one."""
    integration, player, _ = table
    other = OneGamingIntegrationFactory()
    assert gameplay.bet_place(_call(table, "b-own"), ticket="T-own", amount=700).code is Code.APPLIED
    other_call = GameCall(integration_id=other.pk, player=player, external_id="b-other", currency="IDR",
                          fingerprint=gameplay.fingerprint(ext="b-other"))
    assert gameplay.bet_place(other_call, ticket="T-own", amount=300).code is Code.APPLIED
    sides = Transfer.objects.filter(kind=TransferKind.BET).values_list(
        "game_transaction__external_id", "credit_account__kind", "credit_account__integration_id",
        "credit_account__currency_id", "credit_account__player_id")
    assert set(sides) == {("b-own", AccountKind.GAME, integration.pk, "IDR", None),
                          ("b-other", AccountKind.GAME, other.pk, "IDR", None)}


def test_a_tickets_rollback_after_its_bet_was_rolled_back_by_id_moves_nothing(table):
    """A bet rolled back by its id voids its round (stake refunded, payouts taken back): a later
    rollback of the whole ticket finds nothing left to undo and answers ALREADY_ROLLED_BACK."""
    _, _, wallet = table
    assert gameplay.bet_place(_call(table, "b-v"), ticket="T-v", amount=1000).code is Code.APPLIED
    assert gameplay.win_settle(_call(table, "w-v"), ticket="T-v", amount=2500, single_settlement=False).code \
        is Code.APPLIED
    assert gameplay.transaction_rollback(_call(table, "rb-v"), reference="b-v").code is Code.APPLIED
    transfers = Transfer.objects.count()
    result = gameplay.ticket_rollback(_call(table, "rb-t-v"), ticket="T-v")
    wallet.refresh_from_db()
    assert (result.code, result.balance, result.currency) == (Code.ALREADY_ROLLED_BACK, 100_00000, "IDR")
    assert wallet.balance == 100_00000 and Transfer.objects.count() == transfers
