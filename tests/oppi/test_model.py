"""Random sequences of Oppi calls against a small in-memory model of the spec's rules.

Bets, payouts, rewards and rollback batches draw their ids from small pools, so replays, reused
ids, rollbacks of unknown or already rolled-back references and late originals all happen.
After every call the answer and the wallet must be what the model says.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from tests.oppi.conftest import GAME, launch
from wallet.models import Account

OK, ERROR = "RS_OK", "RS_ERROR"
DUP, DNE, NEM = "RS_ERROR_DUPLICATE_TRANSACTION", "RS_ERROR_TRANSACTION_DOES_NOT_EXIST", "RS_ERROR_NOT_ENOUGH_MONEY"

START = 1000_00000
TXN_IDS = [f"t{i}" for i in range(8)]
ROLLBACK_IDS = [f"rb{i}" for i in range(5)]
REFS = TXN_IDS + ROLLBACK_IDS[:2] + ["ghost"]
REWARD_REFS = ["j0", "j1", "j2"]
_players = itertools.count()


class SpecModel:
    """The spec's business rules for one player, one currency, one session."""

    def __init__(self, balance: int):
        self.balance = balance
        self.first: dict[str, tuple[tuple, str]] = {}  # remembered ids: (fields, first status)
        self.kind: dict[str, tuple[str, int]] = {}  # remembered ids: (bet|payout|reward|rollback, amount)
        self.rolled_back: set[str] = set()
        self.reward_refs: set[str] = set()
        self.payouts_of: dict[str, list[str]] = {}  # bet id -> its applied payouts

    def _known(self, txn: str, fields: tuple) -> str | None:
        if txn not in self.first:
            return None
        seen, status = self.first[txn]
        return status if seen == fields else DUP

    def _remember(self, txn, fields, kind, amount, status=OK) -> str:
        self.first[txn] = (fields, status)
        self.kind[txn] = (kind, amount)
        return status

    def bet(self, txn: str, amount: int) -> str:
        fields = ("bet", amount)
        if (known := self._known(txn, fields)) is not None:
            return known
        if amount > self.balance:
            return NEM
        if txn in self.rolled_back:
            return DUP
        self.balance -= amount
        return self._remember(txn, fields, "bet", amount)

    def payout(self, txn: str, ref: str, amount: int) -> str:
        fields = ("payout", ref, amount)
        if (known := self._known(txn, fields)) is not None:
            return known
        if txn in self.rolled_back:
            return DUP
        if self.kind.get(ref, ("",))[0] != "bet" or ref in self.rolled_back:
            return DNE
        self.balance += amount
        self.payouts_of.setdefault(ref, []).append(txn)
        return self._remember(txn, fields, "payout", amount)

    def reward(self, txn: str, ref: str, amount: int) -> str:
        fields = ("reward", ref, amount)
        if (known := self._known(txn, fields)) is not None:
            return known
        if txn in self.rolled_back or ref in self.reward_refs:
            return DUP
        self.reward_refs.add(ref)
        self.balance += amount
        return self._remember(txn, fields, "reward", amount)

    def rollback(self, txn: str, ref: str) -> str:
        fields = ("rollback", ref)
        if (known := self._known(txn, fields)) is not None:
            return known
        if ref not in self.kind:
            if ref in self.rolled_back:
                return OK
            self.rolled_back.add(ref)  # remembered: the late original is refused
            return self._remember(txn, fields, "rollback", 0, status=DNE)
        kind, amount = self.kind[ref]
        if kind == "rollback":
            return ERROR  # a rollback of a rollback
        if ref in self.rolled_back:
            return OK
        self.rolled_back.add(ref)
        self.balance += amount if kind == "bet" else -amount
        if kind == "bet":  # a reverted bet voids its round: its payouts are taken back too
            for payout in self.payouts_of.get(ref, []):
                if payout not in self.rolled_back:
                    self.rolled_back.add(payout)
                    self.balance -= self.kind[payout][1]
        return self._remember(txn, fields, "rollback", 0)


def _unprefixed(value):
    if isinstance(value, dict):
        return {k: _unprefixed(v) if k in ("transactionId", "refTransactionId", "transactions") else v
                for k, v in value.items()}
    if isinstance(value, list):
        return [_unprefixed(v) for v in value]
    return value.split(":", 1)[1] if isinstance(value, str) and ":" in value else value


class OppiMachine(RuleBasedStateMachine):
    caller = None  # set by the test: an OppiCaller for the integration
    integration = None

    def __init__(self):
        super().__init__()
        self.player_id = f"HYP{next(_players):05d}"
        self.player = PlayerFactory(external_id=self.player_id)
        funded_wallet(self.player, "IDR", "1000.00")
        self.session = f"hyp-sess-{self.player_id}"
        launch(self.integration, self.player, token=self.session)
        self.model = SpecModel(START)
        self.sent: list[tuple[str, dict]] = []

    def _ids(self) -> dict:
        return {"sessionId": self.session, "playerId": self.player_id, "gameId": GAME}

    def _send(self, path: str, body: dict) -> dict:
        self.sent.append((path, body))
        return self.caller(path, body)

    def _expect(self, answer: dict, status: str) -> None:
        assert answer["status"] == status, (answer, status)
        assert answer["balance"] == self.model.balance

    def _w(self, txn: str) -> str:
        """Ids are unique per integration: each example's player gets its own id space."""
        return f"{self.player_id}:{txn}"

    def _replay_in_model(self, path: str, body: dict):
        body = _unprefixed(body)
        if path == "transaction/bet":
            return self.model.bet(body["transactionId"], body["amount"])
        if path == "transaction/payout":
            return self.model.payout(body["transactionId"], body["refTransactionId"], body["amount"])
        if path == "transaction/reward":
            return self.model.reward(body["transactionId"], body["refTransactionId"], body["rewardedAmount"])
        return [self.model.rollback(i["transactionId"], i["refTransactionId"]) for i in body["transactions"]]

    def _check(self, path: str, body: dict, answer: dict) -> None:
        expected = self._replay_in_model(path, body)
        if isinstance(expected, list):
            assert [i["status"] for i in answer["data"]] == expected, (answer, expected)
            assert answer["status"] == (OK if all(s == OK for s in expected) else ERROR)
            assert answer["data"][-1]["balance"] == self.model.balance
        else:
            self._expect(answer, expected)

    @rule(txn=st.sampled_from(TXN_IDS), amount=st.integers(0, 400_00000))
    def bet(self, txn, amount):
        body = {"transactionId": self._w(txn), **self._ids(), "currency": "IDR", "amount": amount}
        self._check("transaction/bet", body, self._send("transaction/bet", body))

    @rule(txn=st.sampled_from(TXN_IDS), ref=st.sampled_from(REFS), amount=st.integers(0, 300_00000))
    def payout(self, txn, ref, amount):
        body = {"transactionId": self._w(txn), "refTransactionId": self._w(ref), **self._ids(), "currency": "IDR",
                "amount": amount,
                "isWin": amount > 0}
        self._check("transaction/payout", body, self._send("transaction/payout", body))

    @rule(txn=st.sampled_from(TXN_IDS), ref=st.sampled_from(REWARD_REFS), amount=st.integers(0, 100_00000))
    def reward(self, txn, ref, amount):
        body = {"transactionId": self._w(txn), "refTransactionId": ref, "rewardType": "bonus", **self._ids(),
                "rewardedAmount": amount}
        self._check("transaction/reward", body, self._send("transaction/reward", body))

    @rule(items=st.lists(st.tuples(st.sampled_from(ROLLBACK_IDS), st.sampled_from(REFS)), min_size=1, max_size=3))
    def rollback(self, items):
        body = {"transactions": [{"transactionId": self._w(t), "refTransactionId": self._w(r), **self._ids()}
                                 for t, r in items]}
        self._check("transaction/rollback", body, self._send("transaction/rollback", body))

    @precondition(lambda self: self.sent)
    @rule(pick=st.integers(0, 10**6))
    def replay(self, pick):
        path, body = self.sent[pick % len(self.sent)]
        self._check(path, body, self._send(path, body))

    @invariant()
    def wallet_matches_the_model(self):
        wallet = Account.objects.get(player=self.player, currency_id="IDR", kind="wallet")
        assert wallet.balance == self.model.balance


@pytest.mark.django_db
def test_random_call_sequences_follow_the_spec(oppi_call, oppi, oppi_game):
    OppiMachine.caller, OppiMachine.integration = oppi_call, oppi
    run_state_machine_as_test(OppiMachine, settings=settings(
        max_examples=10, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
    from wallet.checks import ledger_violations

    assert ledger_violations() == []
