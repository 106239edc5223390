"""A few days of demo rounds, played through the real gameplay services with back-dated clocks.

`demo_data` calls `demo_rounds_play`, at the demo integrations that each provider's registration
marks for rounds, with the provider's declared rules, game ids, endpoint and status names. Every
round goes through wallet.gameplay (the functions the provider callbacks call), so the ledger,
the limits and the rollbacks are genuine; the clock is set back to the round's time while it
runs. Each call also writes its status-code history row (providers.calllog) with the status the
provider would answer. Provider transaction ids are derived from the day, player and round
number, so a second run replays every call (the ledger does not move) and only plays the days
not played yet.
"""

from __future__ import annotations

import datetime as dt
import random
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from core.models import Integration
from core.registry import registration_for, registrations
from providers.calllog import CallRecord, call_log_write
from wallet import gameplay, services
from wallet.models import Account, AccountKind, GameTransaction, Player
from wallet.money import to_units

DAYS = 7
# Bet sizes per currency, in whole units (IDR wallets hold thousands, USD ones tens).
STAKES = {"IDR": (5, 10, 20, 50), "USD": (1, 2, 5, 10), "EUR": (1, 2, 5, 10)}
TOP_UP = {"IDR": "1000.00", "USD": "100.00", "EUR": "100.00"}
# Extra demo players: one with a daily bet limit (refused bets), one left below zero by a rollback.
LIMITED = ("CLi3000004", "Lena", "USD", "20.00")
OVERDRAWN = ("CLi3000005", "Omar", "USD")


@contextmanager
def clock_at(moment: dt.datetime):
    """Run the services as if it were `moment` (demo only: back-dated rounds)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _log(integration: Integration, endpoint: str, player: Player, txn_id: str, status: str) -> None:
    call_log_write(CallRecord(provider=integration.provider, endpoint=endpoint, integration_id=integration.pk,
                              player_external_id=player.external_id, txn_id=txn_id, status_code=status,
                              request_body={"demo": True, "txn_id": txn_id}, response_body={"status": status},
                              authenticated=True))


class _Table:
    """One player at one integration's table on one day."""

    def __init__(self, integration: Integration, player: Player, currency: str, rng: random.Random, prefix: str):
        self.integration, self.player, self.currency, self.rng, self.prefix = integration, player, currency, rng, prefix
        self.registration = registration_for(integration)
        self.rules = self.registration.rules

    def played(self) -> bool:
        return GameTransaction.objects.filter(integration=self.integration, external_id=f"{self.prefix}-0-bet").exists()

    def call(self, external_id: str, game: str, **fields) -> gameplay.GameCall:
        return gameplay.GameCall(
            integration_id=self.integration.pk, player=self.player, external_id=external_id,
            fingerprint=gameplay.fingerprint(demo=external_id, game=game, **fields), currency=self.currency,
            game_code=game, round_id=f"{self.prefix}-round",
        )

    def _record(self, action: str, result: gameplay.GameResult, txn_id: str) -> None:
        """The history row the provider's call would leave, in its own endpoint and status names."""
        if result.replayed:
            return  # a second demo run: the provider's retry would log again, the demo does not
        status = self.registration.status_for(action, result.code)
        _log(self.integration, self.registration.endpoint_for(action), self.player, txn_id, status)

    def rollback(self, external_id: str, game: str, *, bet_id: str) -> gameplay.GameResult:
        """Undo the bet `bet_id` the way the provider's rollbacks name it (its ticket, or its id)."""
        if self.rules.rollback_by == "ticket":
            return gameplay.ticket_rollback(self.call(external_id, game, ticket=bet_id), ticket=bet_id)
        return gameplay.transaction_rollback(self.call(external_id, game, reference=bet_id), reference=bet_id)

    def round(self, n: int, *, stake: int, win: int, game: str, rollback: bool = False,
              reward: int = 0) -> gameplay.GameResult:
        ids = {k: f"{self.prefix}-{n}-{k}" for k in ("bet", "win", "rb", "rw")}
        ticket = ids["bet"]
        bet = gameplay.bet_place(self.call(ids["bet"], game, amount=stake, ticket=ticket), ticket=ticket, amount=stake,
                                 rollback_check_first=self.rules.rollback_check_first)
        self._record("bet", bet, ids["bet"])
        if not bet.applied:
            return bet
        settle = gameplay.win_settle(self.call(ids["win"], game, amount=win, ticket=ticket), ticket=ticket,
                                     amount=win, single_settlement=self.rules.single_settlement,
                                     refuse_rolled_back_id=self.rules.refuse_rolled_back_id)
        self._record("win", settle, ids["win"])
        if rollback:
            self._record("rollback", self.rollback(ids["rb"], game, bet_id=ticket), ids["rb"])
        if reward and self.rules.rewards:
            granted = gameplay.reward_credit(self.call(ids["rw"], game, amount=reward, ref=ids["bet"]),
                                             reward_ref=ids["bet"], amount=reward)
            self._record("reward", granted, ids["rw"])
        return bet


def _top_up(wallet: Account, day: dt.date) -> None:
    wallet.refresh_from_db()
    floor = to_units(TOP_UP.get(wallet.currency_id, "100.00")) // 5
    if wallet.balance < floor:
        services.wallet_deposit(wallet=wallet, amount=to_units(TOP_UP.get(wallet.currency_id, "100.00")),
                                key=f"demo-topup:{wallet.pk}:{day.isoformat()}", memo="demo top-up")


def _moments(day: dt.date, count: int, now: dt.datetime, rng: random.Random) -> list[dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    span = max(60, min(86_400, int((now - start).total_seconds()) - 60))
    return sorted(start + dt.timedelta(seconds=rng.randrange(span)) for _ in range(count))


def _play_day(day: dt.date, integrations: list[Integration], now: dt.datetime) -> None:
    wallets = (Account.objects.filter(kind=AccountKind.WALLET, player__is_enabled=True,
                                      player__external_id__startswith="CLi300000")
               .exclude(player__external_id__in=[LIMITED[0], OVERDRAWN[0]])
               .select_related("player").order_by("pk"))
    for wallet in wallets:
        for integration in integrations:
            rng = random.Random(f"{day}:{wallet.player.external_id}:{wallet.currency_id}:{integration.code}")
            if rng.random() < 0.2:
                continue  # not every player plays every day at every provider
            games = registration_for(integration).demo_games
            prefix = f"demo-{day:%Y%m%d}-{wallet.player.external_id}-{wallet.currency_id}"
            table = _Table(integration, wallet.player, wallet.currency_id, rng, prefix)
            if table.played():
                continue  # a second run: this day was played already (top-ups would differ)
            for n, moment in enumerate(_moments(day, rng.randint(4, 12), now, rng)):
                with clock_at(moment):
                    _top_up(wallet, day)
                    stake = to_units(str(rng.choice(STAKES.get(wallet.currency_id, (1, 2, 5)))))
                    multiplier = rng.choices((0, 0.5, 1, 2, 3, 10), weights=(50, 10, 12, 18, 7, 3))[0]
                    win = int(stake * multiplier)  # demo figures only: stake × small multipliers
                    table.round(n, stake=stake, win=win, game=rng.choice(games),
                                rollback=rng.random() < 0.04, reward=stake if rng.random() < 0.05 else 0)


def _special_players(first_day: dt.date, integrations: list[Integration]) -> None:
    """Lena hits her daily bet limit; Omar's paid win is rolled back after he spent it (at the first
    demo integration whose provider settles tickets once and rolls them back whole, if any)."""
    table_integration = next((i for i in integrations if registration_for(i).rules.rollback_by == "ticket"), None)
    if table_integration is None:
        return
    game_a, game_b = (list(registration_for(table_integration).demo_games) * 2)[:2]
    moment = dt.datetime.combine(first_day, dt.time(20, 0), tzinfo=dt.UTC)
    with clock_at(moment):
        player, (wallet,), _ = services.player_upsert(external_id=LIMITED[0], username=LIMITED[1],
                                                      currencies=[LIMITED[2]], reason="demo data")
        services.wallet_deposit(wallet=wallet, amount=to_units("100.00"), key=f"demo-deposit:{LIMITED[0]}:USD",
                                memo="demo opening balance")
        Account.objects.filter(pk=wallet.pk, daily_bet_limit__isnull=True).update(daily_bet_limit=to_units(LIMITED[3]))
        table = _Table(table_integration, player, "USD", random.Random(1), f"demo-{first_day:%Y%m%d}-{LIMITED[0]}")
        if table.played():
            return
        for n in range(4):  # 4 × 8.00 against a 20.00 daily limit: the third and fourth are refused
            table.round(n, stake=to_units("8.00"), win=0, game=game_a)

        player, (wallet,), _ = services.player_upsert(external_id=OVERDRAWN[0], username=OVERDRAWN[1],
                                                      currencies=[OVERDRAWN[2]], reason="demo data")
        services.wallet_deposit(wallet=wallet, amount=to_units("30.00"), key=f"demo-deposit:{OVERDRAWN[0]}:USD",
                                memo="demo opening balance")
        table = _Table(table_integration, player, "USD", random.Random(2), f"demo-{first_day:%Y%m%d}-{OVERDRAWN[0]}")
        table.round(0, stake=to_units("10.00"), win=to_units("60.00"), game=game_b)  # 30 → 80
        table.round(1, stake=to_units("75.00"), win=0, game=game_b)  # 80 → 5
        undo = table.rollback(f"{table.prefix}-0-rb", game_b, bet_id=f"{table.prefix}-0-bet")
        table._record("rollback", undo, f"{table.prefix}-0-rb")  # refund 10, reclaim 60: 5 → −45


def demo_rounds_play(*, days: int = DAYS, now: dt.datetime | None = None) -> dict:
    """Play `days` days of rounds up to now for the demo players at the sandbox integrations."""
    now = now or timezone.now()
    codes = [spec["code"] for r in registrations(accounts_only=True) for spec in r.demo_integrations("")
             if spec.get("demo_rounds")]
    integrations = list(Integration.objects.filter(code__in=codes).order_by("code"))
    today = now.astimezone(dt.UTC).date()
    first_day = today - dt.timedelta(days=days - 1)
    _special_players(first_day, integrations)
    for offset in range(days):
        _play_day(first_day + dt.timedelta(days=offset), integrations, now)
    from reports.aggregation import refresh  # the report pages show these rounds at once (they never refresh)

    refresh()
    return {"days": days, "from": first_day.isoformat(), "to": today.isoformat()}
