"""The replay rule, written once (wallet.gameplay.replay_of) and applied by every provider's
pre-check and by the money path under the lock (DESIGN "Seamless rules": "a retried transaction
gets its first answer even if the token has expired since, the player was disabled since, or the
balance changed since"; "same id, other content" is detectable)."""

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from wallet.gameplay import Code, replay_of


@dataclass
class Earlier:
    fingerprint: str
    outcome: str
    player_id: int
    currency_id: str | None


def test_an_unseen_id_is_no_replay():
    assert replay_of(None, player_pk=1, fingerprint="f", currency="USD") is None


def test_the_same_call_again_gets_its_first_answer_in_the_currency_it_moved():
    verdict = replay_of(Earlier("f", "applied", 7, "IDR"), player_pk=7, fingerprint="f", currency="USD")
    assert (verdict.code, verdict.currency, verdict.replayed) == (Code.APPLIED, "IDR", True)


def test_a_remembered_rollback_of_the_unseen_is_answered_as_such_again():
    verdict = replay_of(Earlier("f", "unknown_reference", 7, None), player_pk=7, fingerprint="f", currency="USD")
    assert (verdict.code, verdict.currency, verdict.replayed) == (Code.UNKNOWN_REFERENCE, "USD", True)


def test_the_same_id_with_other_content_is_a_duplicate_answered_in_the_calls_currency():
    verdict = replay_of(Earlier("f", "applied", 7, "IDR"), player_pk=7, fingerprint="g", currency="USD")
    assert (verdict.code, verdict.currency, verdict.replayed) == (Code.DUPLICATE_ID, "USD", False)


def test_the_same_id_and_content_from_another_or_an_unknown_player_is_a_duplicate():
    earlier = Earlier("f", "applied", 7, "IDR")
    assert replay_of(earlier, player_pk=8, fingerprint="f", currency="USD").code is Code.DUPLICATE_ID
    assert replay_of(earlier, player_pk=None, fingerprint="f", currency="USD").code is Code.DUPLICATE_ID


@given(st.text(max_size=8), st.text(max_size=8), st.integers(1, 3), st.integers(1, 3),
       st.sampled_from(["applied", "unknown_reference"]), st.sampled_from([None, "IDR", "USD"]),
       st.sampled_from([None, "IDR", "EUR"]))
def test_a_replay_is_exactly_same_content_and_player(first, again, owner, caller, outcome, moved, asked):
    verdict = replay_of(Earlier(first, outcome, owner, moved), player_pk=caller, fingerprint=again, currency=asked)
    assert verdict.replayed == (first == again and owner == caller)
    if verdict.replayed:
        assert verdict.currency == (moved or asked)
        assert verdict.code is (Code.UNKNOWN_REFERENCE if outcome == "unknown_reference" else Code.APPLIED)
    else:
        assert (verdict.code, verdict.currency) == (Code.DUPLICATE_ID, asked)
