"""Random sequences of money operations keep every ledger invariant (hypothesis)."""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from tests.factories import OneGamingIntegrationFactory, PlayerFactory
from wallet import gameplay, services
from wallet.checks import ledger_violations
from wallet.gameplay import Code, GameCall
from wallet.models import Account

amounts = st.integers(min_value=1, max_value=5_000)
tickets = st.sampled_from([f"T{i}" for i in range(6)])


class LedgerMachine(RuleBasedStateMachine):
    """Deposits, withdrawals, adjustments, bets, wins and rollbacks on two wallets."""

    @initialize()
    def setup(self):
        services.system_accounts_forget()
        self.integration = OneGamingIntegrationFactory()
        self.player = PlayerFactory()
        self.wallet = services.wallet_open(player=self.player, currency="IDR")
        self.expected = 0
        self.counter = 0
        self.bets: dict[str, int] = {}
        self.wins: dict[str, int] = {}
        self.rolled_back: set[str] = set()

    def _id(self) -> str:
        self.counter += 1
        return f"p{self.player.pk}:op{self.counter}"

    def _call(self, ext: str) -> GameCall:
        return GameCall(integration_id=self.integration.pk, player=self.player, external_id=ext, currency="IDR",
                        fingerprint=gameplay.fingerprint(ext=ext))

    @rule(amount=amounts)
    def deposit(self, amount):
        services.wallet_deposit(wallet=self.wallet, amount=amount, key=self._id())
        self.expected += amount

    @rule(amount=amounts)
    def withdraw(self, amount):
        try:
            services.wallet_withdraw(wallet=self.wallet, amount=amount, key=self._id())
        except services.InsufficientFunds:
            assert amount > self.expected
        else:
            assert amount <= self.expected
            self.expected -= amount

    @rule(amount=st.integers(min_value=-3_000, max_value=3_000).filter(bool))
    def adjust(self, amount):
        try:
            services.wallet_adjust(wallet=self.wallet, amount=amount, key=self._id(), actor=None, memo="test")
        except services.InsufficientFunds:
            assert self.expected + amount < 0
        else:
            self.expected += amount

    @rule(ticket=tickets, amount=amounts)
    def bet(self, ticket, amount):
        result = gameplay.bet_place(self._call(self._id()), ticket=ticket, amount=amount)
        if ticket in self.rolled_back:
            assert result.code is Code.TICKET_ROLLED_BACK
        elif ticket in self.bets:
            assert result.code is Code.TICKET_HAS_BET
        elif amount > self.expected:
            assert result.code is Code.INSUFFICIENT_FUNDS
        else:
            assert result.code is Code.APPLIED
            self.bets[ticket] = amount
            self.expected -= amount
        assert result.balance == self.expected

    @rule(ticket=tickets, amount=st.integers(min_value=0, max_value=20_000))
    def win(self, ticket, amount):
        result = gameplay.win_settle(self._call(self._id()), ticket=ticket, amount=amount, single_settlement=True)
        if ticket not in self.bets or ticket in self.rolled_back:
            assert result.code is Code.TICKET_NOT_FOUND
        elif ticket in self.wins:
            assert result.code is Code.TICKET_SETTLED
        else:
            assert result.code is Code.APPLIED
            self.wins[ticket] = amount
            self.expected += amount

    @rule(ticket=tickets)
    def rollback(self, ticket):
        result = gameplay.ticket_rollback(self._call(self._id()), ticket=ticket)
        if ticket in self.rolled_back:
            assert result.code is Code.ALREADY_ROLLED_BACK
        elif ticket not in self.bets:
            assert result.code is Code.UNKNOWN_REFERENCE
            self.rolled_back.add(ticket)
        else:
            assert result.code is Code.APPLIED
            self.expected += self.bets[ticket] - self.wins.get(ticket, 0)
            self.rolled_back.add(ticket)

    @invariant()
    def balance_matches_model_and_ledger(self):
        if not hasattr(self, "wallet"):
            return
        assert Account.objects.get(pk=self.wallet.pk).balance == self.expected

    def teardown(self):
        assert ledger_violations() == []


def test_random_money_sequences_keep_every_invariant(db):
    # Examples share the test's transaction; each builds its own player, so they don't interfere.
    run_state_machine_as_test(LedgerMachine, settings=settings(
        max_examples=30, stateful_step_count=30, deadline=None, suppress_health_check=list(HealthCheck)))
