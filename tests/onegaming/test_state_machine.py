"""Random sequences of 1G calls against a small in-memory model of spec section 3.

Bets, results, rollbacks, batches, stale requests, replays of earlier requests and reused ids
arrive in any order; after every step each answer's status and balance, and the wallets'
balances, must be what the model says.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tests.conftest import funded_wallet
from tests.factories import OneGamingIntegrationFactory, PlayerFactory
from tests.onegaming.wire import OneGamingWire, launch
from wallet.checks import ledger_violations
from wallet.models import Account

_instances = itertools.count()
CURRENCIES = ["IDR", "USD"]
START = {"IDR": Decimal("1000.00"), "USD": Decimal("50.00")}

txn_ids = st.sampled_from([f"x{i}" for i in range(8)])
tickets = st.sampled_from([f"k{i}" for i in range(5)])
currencies = st.sampled_from(CURRENCIES)
bet_amounts = st.sampled_from([Decimal("0.01"), Decimal(1), Decimal("20.5"), Decimal(50), Decimal(400),
                               Decimal(900)])
win_amounts = st.sampled_from([Decimal(0), Decimal(1), Decimal("35.25"), Decimal(600)])
rounds = st.sampled_from(["r1", "r2"])


@dataclass
class Ticket:
    bet: tuple[Decimal, str] | None = None  # amount, currency
    win: Decimal | None = None
    rolled_back: bool = False


@dataclass
class Model:
    """What the spec says the operator must remember and answer."""

    balance: dict[str, Decimal] = field(default_factory=lambda: dict(START))
    # txn_id -> (fingerprint, first status, the first answer's currency: a rollback's is the bet's)
    applied: dict[str, tuple[tuple, str, str]] = field(default_factory=dict)
    tickets: dict[str, Ticket] = field(default_factory=dict)

    def _replay(self, txn_id: str, fingerprint: tuple, currency: str) -> tuple[str, Decimal] | None:
        if txn_id not in self.applied:
            return None
        first, status, first_currency = self.applied[txn_id]
        if first != fingerprint:
            return "DUPLICATE_REF_TXN_ID", self.balance[currency]
        return status, self.balance[first_currency]

    def bet(self, item: dict) -> tuple[str, Decimal]:
        currency, amount, ticket = item["currency"], Decimal(item["amount"]), item["txn_ticket"]
        fingerprint = ("bet", currency, item["round_id"], ticket, amount)
        replay = self._replay(item["txn_id"], fingerprint, currency)
        if replay:
            return replay
        state = self.tickets.setdefault(ticket, Ticket())
        if state.rolled_back:
            return "TXN_ROLLED_BACK", self.balance[currency]
        if state.bet:
            return "DUPLICATE_REF_TXN_ID", self.balance[currency]
        if self.balance[currency] < amount:
            return "INSUFFICIENT_CREDIT", self.balance[currency]
        self.balance[currency] -= amount
        state.bet = (amount, currency)
        self.applied[item["txn_id"]] = (fingerprint, "OK", currency)
        return "OK", self.balance[currency]

    def result(self, item: dict) -> tuple[str, Decimal]:
        currency, amount, ticket = item["currency"], Decimal(item["amount"]), item["txn_ticket"]
        fingerprint = ("result", currency, item["round_id"], ticket, amount)
        replay = self._replay(item["txn_id"], fingerprint, currency)
        if replay:
            return replay
        state = self.tickets.setdefault(ticket, Ticket())
        if state.bet is None or state.rolled_back:
            return "TXN_DOES_NOT_EXIST", self.balance[currency]
        if state.win is not None:
            return "DUPLICATE_REF_TXN_ID", self.balance[currency]
        if currency != state.bet[1]:
            return "INVALID_CURRENCY", self.balance[currency]
        self.balance[currency] += amount
        state.win = amount
        self.applied[item["txn_id"]] = (fingerprint, "OK", currency)
        return "OK", self.balance[currency]

    def rollback(self, item: dict) -> tuple[str, Decimal]:
        currency, ticket = item["currency"], item["txn_ticket"]
        fingerprint = ("rollback", ticket)
        replay = self._replay(item["txn_id"], fingerprint, currency)
        if replay:
            return replay
        state = self.tickets.setdefault(ticket, Ticket())
        if state.rolled_back:
            return "TXN_ROLLED_BACK", self.balance[currency]
        state.rolled_back = True
        if state.bet is None:
            self.applied[item["txn_id"]] = (fingerprint, "TXN_DOES_NOT_EXIST", currency)
            return "TXN_DOES_NOT_EXIST", self.balance[currency]
        amount, bet_currency = state.bet
        self.balance[bet_currency] += amount - (state.win or 0)
        self.applied[item["txn_id"]] = (fingerprint, "OK", bet_currency)
        return "OK", self.balance[bet_currency]

    def apply(self, item: dict) -> tuple[str, Decimal]:
        return getattr(self, item["type"])(item)


class OneGamingWallet(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        n = next(_instances)
        self.integration = OneGamingIntegrationFactory(agent_code=f"SM{n}", secret="s3cr3t-1g")
        self.player = PlayerFactory(external_id=f"SMP{n}")
        for currency in CURRENCIES:
            funded_wallet(self.player, currency, str(START[currency]))
        self.token = launch(self.integration, self.player).token
        self.wire = OneGamingWire(Client(), agent=f"SM{n}")
        self.model = Model()
        self.sent: list[tuple[str, dict]] = []

    def _item(self, kind: str, txn_id: str, ticket: str, currency: str, amount=None, round_id="r1") -> dict:
        item = {"type": kind, "player_id": self.player.external_id, "currency": currency, "game_id": 301,
                "txn_id": txn_id, "txn_ticket": ticket}
        if kind != "rollback":
            item.update(round_id=round_id, amount=str(amount))
        if kind == "bet":
            item["l_token"] = self.token
        return item

    def _check(self, answer: dict, expected: tuple[str, Decimal]) -> None:
        assert (answer["status"], answer.get("balance")) == expected

    def _send_one(self, item: dict) -> None:
        fields = {k: v for k, v in item.items() if k != "type"}
        self.sent.append((item["type"], item))
        expected = self.model.apply(item)
        self._check(self.wire.post(item["type"], fields), expected)

    @rule(txn_id=txn_ids, ticket=tickets, currency=currencies, amount=bet_amounts, round_id=rounds)
    def bet(self, txn_id, ticket, currency, amount, round_id):
        self._send_one(self._item("bet", txn_id, ticket, currency, amount, round_id))

    @rule(txn_id=txn_ids, ticket=tickets, currency=currencies, amount=win_amounts, round_id=rounds)
    def result(self, txn_id, ticket, currency, amount, round_id):
        self._send_one(self._item("result", txn_id, ticket, currency, amount, round_id))

    @rule(txn_id=txn_ids, ticket=tickets, currency=currencies)
    def rollback(self, txn_id, ticket, currency):
        self._send_one(self._item("rollback", txn_id, ticket, currency))

    @rule(data=st.data())
    def replay_an_earlier_request(self, data):
        if self.sent:
            _, item = data.draw(st.sampled_from(self.sent))
            self._send_one(item)

    @rule(txn_id=txn_ids, ticket=tickets, currency=currencies, amount=bet_amounts)
    def stale_bet_changes_nothing(self, txn_id, ticket, currency, amount):
        fields = {k: v for k, v in self._item("bet", txn_id, ticket, currency, amount).items() if k != "type"}
        assert self.wire.post("bet", fields, offset_seconds=-30) == {
            "status": "REQUEST_TIMEOUT", "request_id": self.wire.last_request_id,
            "txn_id": txn_id, "txn_ticket": ticket, "currency": currency}

    @rule(data=st.data())
    def batch(self, data):
        kinds = data.draw(st.lists(st.sampled_from(["bet", "result", "rollback"]), min_size=1, max_size=4))
        items = []
        for kind in kinds:
            amount = data.draw(bet_amounts if kind == "bet" else win_amounts)
            items.append(self._item(kind, data.draw(txn_ids), data.draw(tickets), data.draw(currencies), amount))
        answer = self.wire.transactions(items)
        assert answer["status"] == "OK" and len(answer["results"]) == len(items)
        for item, got in zip(items, answer["results"], strict=True):
            assert (got["txn_id"], got["txn_ticket"]) == (item["txn_id"], item["txn_ticket"])
            self._check(got, self.model.apply(item))
            self.sent.append((item["type"], item))

    @invariant()
    def wallets_match_the_model(self):
        if not hasattr(self, "model"):
            return
        for currency in CURRENCIES:
            units = Account.objects.get(player=self.player, currency=currency, kind="wallet").balance
            assert Decimal(units) / 100000 == self.model.balance[currency]

    def teardown(self):
        assert ledger_violations() == []


@pytest.mark.django_db
def test_random_call_sequences_follow_the_spec():
    run_state_machine_as_test(
        OneGamingWallet,
        settings=settings(max_examples=12, stateful_step_count=20, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
