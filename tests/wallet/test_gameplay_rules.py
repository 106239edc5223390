"""Domain rules of wallet.gameplay that no single provider's tests pin down."""

from pathlib import Path

from core.registry import GameRules
from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from wallet import gameplay
from wallet.gameplay import Code, GameCall


def call(integration, player, ext, currency="IDR", **content):
    return GameCall(integration_id=integration.pk, player=player, external_id=ext, currency=currency,
                    fingerprint=gameplay.fingerprint(ext=ext, **content))


def test_a_rollback_naming_another_players_ticket_does_not_touch_that_ticket_when_sent_for_the_wrong_player(
        onegaming, rich_player):
    other = PlayerFactory()
    funded_wallet(other, "IDR", "10.00")
    assert gameplay.bet_place(call(onegaming, rich_player, "b1"), ticket="T1", amount=10**5).applied
    stray = gameplay.ticket_rollback(call(onegaming, other, "r-stray"), ticket="T1")
    assert stray.code is Code.UNKNOWN_REFERENCE
    won = gameplay.win_settle(call(onegaming, rich_player, "w1"), ticket="T1", amount=3 * 10**5,
                              single_settlement=True)
    assert won.code is Code.APPLIED
    undone = gameplay.ticket_rollback(call(onegaming, rich_player, "r1"), ticket="T1")
    assert undone.code is Code.APPLIED and undone.balance == 1500 * 10**5


def test_a_transaction_rollback_of_another_players_bet_is_remembered_only_for_the_sender(oppi, rich_player):
    other = PlayerFactory()
    funded_wallet(other, "IDR", "10.00")
    assert gameplay.bet_place(call(oppi, rich_player, "bet-1"), ticket="bet-1", amount=10**5,
                              rollback_check_first=False).applied
    assert gameplay.transaction_rollback(call(oppi, other, "rb-x", currency=None),
                                         reference="bet-1").code is Code.UNKNOWN_REFERENCE
    paid = gameplay.win_settle(call(oppi, rich_player, "pay-1"), ticket="bet-1", amount=2 * 10**5,
                               single_settlement=False)
    assert paid.code is Code.APPLIED and paid.balance == 1501 * 10**5


def test_a_1g_result_whose_id_equals_a_rolled_back_ticket_is_still_paid_when_ids_overlap(onegaming, rich_player):
    gameplay.ticket_rollback(call(onegaming, rich_player, "r0"), ticket="X")  # tombstone for ticket "X"
    assert gameplay.bet_place(call(onegaming, rich_player, "b1"), ticket="T1", amount=10**5).applied
    paid = gameplay.win_settle(call(onegaming, rich_player, "X"), ticket="T1", amount=10**5, single_settlement=True,
                               refuse_rolled_back_id=False)
    assert paid.code is Code.APPLIED


def test_a_bet_reads_the_ledger_state_it_needs_in_one_query_under_the_lock(
        onegaming, rich_player, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # caches the game account id, as a commit would
        gameplay.bet_place(call(onegaming, rich_player, "warm"), ticket="warm", amount=1)
    # savepoint pair (a transaction pair outside tests) + lock + state + insert game txn + insert its
    # ticket row (one bet per ticket, issue 8) + update wallet + insert transfer
    with django_assert_max_num_queries(8):
        assert gameplay.bet_place(call(onegaming, rich_player, "b2"), ticket="T2", amount=1).applied


# --- the provider's declared rules drive the services (issue 23, item 3) -------------------------


def ruled(integration, player, ext, rules, currency="IDR"):
    return GameCall(integration_id=integration.pk, player=player, external_id=ext, currency=currency,
                    fingerprint=gameplay.fingerprint(ext=ext), rules=rules)


def test_single_settlement_comes_from_the_calls_rules(onegaming, rich_player):
    once, many = GameRules(single_settlement=True), GameRules(single_settlement=False)
    for rules, ticket in ((once, "T-once"), (many, "T-many")):
        assert gameplay.bet_place(ruled(onegaming, rich_player, f"b-{ticket}", rules), ticket=ticket,
                                  amount=10**5).applied
        assert gameplay.win_settle(ruled(onegaming, rich_player, f"w1-{ticket}", rules), ticket=ticket,
                                   amount=10**5).applied
    assert gameplay.win_settle(ruled(onegaming, rich_player, "w2-T-once", once), ticket="T-once",
                               amount=10**5).code is Code.TICKET_SETTLED
    assert gameplay.win_settle(ruled(onegaming, rich_player, "w2-T-many", many), ticket="T-many",
                               amount=10**5).code is Code.APPLIED


def test_refusing_a_rolled_back_id_comes_from_the_calls_rules(onegaming, rich_player):
    assert gameplay.bet_place(call(onegaming, rich_player, "b1"), ticket="T1", amount=10**5).applied
    gameplay.transaction_rollback(call(onegaming, rich_player, "r-X", currency=None), reference="X")  # tombstone "X"
    refusing = GameRules(refuse_rolled_back_id=True)
    assert gameplay.win_settle(ruled(onegaming, rich_player, "X", refusing), ticket="T1",
                               amount=10**5).code is Code.TICKET_ROLLED_BACK
    paying = GameRules(refuse_rolled_back_id=False)
    assert gameplay.win_settle(ruled(onegaming, rich_player, "X", paying), ticket="T1", amount=10**5).applied


def test_the_providers_hand_their_registrations_rules_not_booleans():
    """The handlers build each GameCall with their registration's rules and pass no rule variant
    as an argument (the services read call.rules)."""
    root = Path(__file__).resolve().parents[2]
    sources = [*root.glob("providers/*/handlers.py"), root / "tests/thirdprovider/views.py"]
    assert len(sources) >= 3
    for source in sources:
        text = source.read_text()
        assert "rules=" in text, source
        for variant in ("rollback_check_first=", "single_settlement=", "refuse_rolled_back_id="):
            assert variant not in text, (source, variant)
