"""Bulk-load a large, realistic, ledger-consistent data set for the report benchmarks (PostgreSQL).

    DATABASE_URL=postgres://…/bo_reports_big manage.py reports_bulkload --transfers 1000000

Players with one wallet each play rounds over `--days` days at one integration per installed
provider (`bulk-<short name>`), with its rules, endpoint and status names (its registration): a bet, a win
on about half of them, now and then a reward, a rollback (refund, and reclaim of a paid win: the
wallet may go below zero) or a bet refused by a daily limit; wallets are topped up by deposits
when a stake exceeds the balance. Every money call has its game transaction and its
status-code history row. The rows are written with COPY in one transaction; wallet balances
are the running sums, so `ledger_check` stays clean. Meant for an empty database (benchmarks):
it refuses to run where transfers already exist unless --force.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from core.models import Integration
from core.registry import registration_for, registrations
from lobby.integrations import game_upsert
from reports import aggregation
from wallet import services
from wallet.models import Account, AccountKind, BetTicket, Currency, GameTransaction, LimitRefusal, Player, Transfer
from wallet.money import to_units

CURRENCIES = {"IDR": (50, ("1", "2", "5", "10", "20", "50")), "USD": (35, ("0.5", "1", "2", "5", "10")),
              "EUR": (15, ("0.5", "1", "2", "5"))}
BULK_GAMES = 12  # per provider without a provider-wide catalogue of its own
MULTIPLIERS = ((0, 52), (0.5, 8), (1, 12), (2, 17), (3, 6), (5, 3), (10, 1.5), (50, 0.5))
FINGERPRINT = "0" * 64


class Command(BaseCommand):
    help = "Bulk-load players, rounds, ledger transfers and call history for benchmarks (PostgreSQL, COPY)."

    def add_arguments(self, parser):
        parser.add_argument("--transfers", type=int, default=1_000_000)
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--players", type=int, default=0, help="default: one per 200 transfers")
        parser.add_argument("--seed", type=int, default=10)
        parser.add_argument("--force", action="store_true", help="load even if transfers exist")
        parser.add_argument("--no-refresh", action="store_true", help="skip the aggregate refresh")
        parser.add_argument("--overdrawn", type=int, default=25,
                            help="wallets left below zero by a rollback after the load, through the services")
        parser.add_argument("--overdrawn-only", action="store_true",
                            help="only play the below-zero scenarios (on a database loaded before)")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("reports_bulkload writes with COPY: point DATABASE_URL at PostgreSQL")
        started = time.monotonic()
        if not options["overdrawn_only"]:
            if Transfer.objects.exists() and not options["force"]:
                raise CommandError("transfers exist already: use an empty database (or --force)")
            loader = Loader(transfers=options["transfers"], days=options["days"], seed=options["seed"],
                            players=options["players"] or max(10, options["transfers"] // 200))
            with transaction.atomic():
                loader.prepare()
                loader.load()
            with connection.cursor() as cursor:
                for model in (Player, Account, GameTransaction, Transfer, LimitRefusal, loader.calllog_model):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
            self.stdout.write(f"loaded {loader.counts} in {time.monotonic() - started:.1f} s")
        overdrawn = overdrawn_play(options["overdrawn"], seed=options["seed"])
        self.stdout.write(f"{overdrawn} wallets left below zero through the gameplay services")
        loaded = time.monotonic()
        if not options["no_refresh"]:
            result = aggregation.refresh()
            self.stdout.write(f"aggregated {result.transfers} transfers and {result.calls} calls "
                              f"in {time.monotonic() - loaded:.1f} s")


def overdrawn_play(count: int, *, seed: int) -> int:
    """Through the real services: a player wins big, cashes out everything, then the provider rolls
    the round back (bet refunded, win reclaimed): the wallet ends below zero, as in production."""
    from wallet import gameplay

    integration = next((i for i in Integration.objects.filter(code__startswith="bulk-").order_by("pk")
                        if (r := registration_for(i)) is not None and r.rules.rollback_by == "ticket"), None)
    if integration is None or count <= 0:
        return 0
    rules = registration_for(integration).rules
    game_code = _games(registration_for(integration))[0][0]
    rng = random.Random(seed)
    wallets = list(Account.objects.filter(kind=AccountKind.WALLET, player__external_id__startswith="BULK",
                                          balance__gte=0).select_related("player").order_by("pk")[:5000])
    done = 0
    for wallet in rng.sample(wallets, min(count, len(wallets))):
        ticket = f"bulk-overdrawn-{wallet.pk}"
        stake = to_units(CURRENCIES[wallet.currency_id][1][0]) if wallet.currency_id in CURRENCIES else 10**5

        def call(suffix, wallet=wallet, ticket=ticket):
            return gameplay.GameCall(integration_id=integration.pk, player=wallet.player, external_id=f"{ticket}-{suffix}",
                                     fingerprint=gameplay.fingerprint(ticket=ticket, suffix=suffix),
                                     currency=wallet.currency_id, game_code=game_code)

        services.wallet_deposit(wallet=wallet, amount=stake, key=f"{ticket}-dep")
        if not gameplay.bet_place(call("bet"), ticket=ticket, amount=stake,
                                  rollback_check_first=rules.rollback_check_first).applied:
            continue
        gameplay.win_settle(call("win"), ticket=ticket, amount=stake * 20, single_settlement=rules.single_settlement,
                            refuse_rolled_back_id=rules.refuse_rolled_back_id)
        wallet.refresh_from_db()
        if wallet.balance > 0:
            services.wallet_withdraw(wallet=wallet, amount=wallet.balance, key=f"{ticket}-cashout")
        if gameplay.ticket_rollback(call("rb"), ticket=ticket).applied:
            done += 1
    return done


def _games(registration) -> list[tuple[str, str]]:
    """(game id, name) the bulk rounds play at this provider: its catalogue, else made-up games."""
    if registration.reference_games:
        return [(row["game_id"], row.get("name", row["game_id"])) for row in registration.reference_games]
    return [(f"{registration.name}-bulk-{n}", f"{registration.label} game {n}") for n in range(1, BULK_GAMES + 1)]


class Loader:
    def __init__(self, *, transfers: int, days: int, seed: int, players: int):
        from providers.models import CallLog

        self.calllog_model = CallLog
        self.target, self.days, self.players = transfers, days, players
        self.rng = random.Random(seed)
        self.counts = {"players": 0, "transfers": 0, "game_transactions": 0, "calls": 0, "refusals": 0}

    # --- reference rows (ordinary ORM, a handful) ---------------------------------------------

    def prepare(self) -> None:
        for code in CURRENCIES:
            Currency.objects.get_or_create(code=code, defaults={"digits": 2})
        self.integrations, self.games = [], {}
        for registration in registrations(accounts_only=True):
            short = (registration.short_name or registration.name).lower()
            defaults = {"provider": registration.name, "secret": "bulk-secret",
                        "api_base_url": f"https://{short}.example.test"}
            if registration.identity_field:
                defaults[registration.identity_field] = f"bulk-{short}-id"
            integration = Integration.objects.get_or_create(code=f"bulk-{short}", defaults=defaults)[0]
            self.integrations.append(integration)
            games = _games(registration)
            if not registration.reference_games:
                for game_id, name in games:
                    game_upsert(integration=integration, game_id=game_id, name=name, category="SLOT")
            self.games[integration.pk] = [game_id for game_id, _ in games]
        # Popular games first: weights fall off like 1/rank.
        self.game_weights = {pk: [1 / (rank + 1) for rank in range(len(codes))] for pk, codes in self.games.items()}
        self.game_account = {(i.pk, c): services.system_account_id(kind=AccountKind.GAME, currency=c,
                                                                    integration_id=i.pk)
                             for i in self.integrations for c in CURRENCIES}
        self.cash_account = {c: services.system_account_id(kind=AccountKind.CASH, currency=c) for c in CURRENCIES}
        self.next_id = {}
        with connection.cursor() as cursor:
            for model in (Player, Account, GameTransaction, Transfer, LimitRefusal, self.calllog_model):
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
                self.next_id[model] = cursor.fetchone()[0] + 1

    def _id(self, model) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    # --- the simulation ---------------------------------------------------------------------

    def load(self) -> None:
        today = timezone.now().date()
        first = today - dt.timedelta(days=self.days - 1)
        start = dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC)
        from providers.partitioning import ensure_partitions

        ensure_partitions(start, timezone.now())  # the call history's past days (PostgreSQL)
        self.wallets = self._wallets(start)
        rounds_per_day = max(1, int(self.target / 2.15 / self.days))
        now = timezone.now()
        day = 0
        while self.counts["transfers"] < self.target:
            day_start = start + dt.timedelta(days=day % self.days)
            span = min(86_400, int((now - day_start).total_seconds()) - 1)
            self._playing(day % self.days, self.wallets)
            if span <= 0 or not self.playing:
                day += 1
                continue
            rows = Rows()
            for second in sorted(self.rng.randrange(span) for _ in range(rounds_per_day)):
                self._round(rows, day_start + dt.timedelta(seconds=second, microseconds=self.rng.randrange(10**6)))
                if self.counts["transfers"] >= self.target:
                    break
            rows.copy(self)
            day += 1
        self._write_wallets()
        with connection.cursor() as cursor:
            for model, value in self.next_id.items():
                table = model._meta.db_table
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, max(value - 1, 1)])

    def _wallets(self, start: dt.datetime) -> list[dict]:
        codes, weights = list(CURRENCIES), [w for w, _ in CURRENCIES.values()]
        players, wallets = [], []
        for n in range(self.players):
            player_id = self._id(Player)
            players.append((player_id, f"BULK{n:07d}", f"bulk{n}", True, None, start))
            currency = self.rng.choices(codes, weights)[0]
            wallets.append({"id": self._id(Account), "player": player_id, "external_id": f"BULK{n:07d}",
                            "currency": currency, "balance": 0, "floor": 0, "created": start,
                            "activity": self.rng.paretovariate(1.2),
                            # A third of the players are there from the first day; the others sign
                            # up over the period (the "new players" of the reports).
                            "joined": 0 if self.rng.random() < 0.35 else self.rng.randrange(self.days)})
        self.counts["players"] = len(players)
        _copy(Player, ["id", "external_id", "username", "is_enabled", "user_id", "created_at"], players)
        return wallets

    def _playing(self, day: int, wallets: list[dict]) -> None:
        """The wallets of the players who have joined by `day`, and how much each plays."""
        self.playing = [w for w in wallets if w["joined"] <= day]
        self.playing_weights = [w["activity"] for w in self.playing]

    def _write_wallets(self) -> None:
        rows = [(w["id"], AccountKind.WALLET, w["currency"], w["player"], None, w["balance"], min(0, w["floor"]),
                 None, None, w["created"]) for w in self.wallets]
        _copy(Account, ["id", "kind", "currency_id", "player_id", "integration_id", "balance", "floor",
                        "daily_bet_limit", "daily_loss_limit", "created_at"], rows)

    def _round(self, rows: Rows, at: dt.datetime) -> None:
        rng = self.rng
        wallet = rng.choices(self.playing, self.playing_weights)[0]
        integration = rng.choice(self.integrations)
        currency = wallet["currency"]
        game = rng.choices(self.games[integration.pk], self.game_weights[integration.pk])[0]
        stake = to_units(rng.choice(CURRENCIES[currency][1]))
        game_account = self.game_account[(integration.pk, currency)]
        n = self.counts["game_transactions"]
        ticket = f"bulk-{n}"
        if rng.random() < 0.002:  # refused by a daily bet limit: no money moves
            rows.refusal(self, wallet, integration, stake, at, f"{ticket}-refused")
            return
        if wallet["balance"] < stake:  # the player deposits before playing on
            top_up = stake * 20 - min(wallet["balance"], 0)
            rows.transfer(self, "deposit", self.cash_account[currency], wallet, top_up, at, None, f"bulk-dep-{n}")
        bet = rows.game_txn(self, integration, wallet, "bet", stake, ticket, game, at, f"{ticket}-bet")
        rows.transfer(self, "bet", wallet, game_account, stake, at, bet, f"{ticket}-bet")
        multiplier = rng.choices([m for m, _ in MULTIPLIERS], [w for _, w in MULTIPLIERS])[0]
        won = int(stake * multiplier)
        later = at + dt.timedelta(milliseconds=rng.randrange(200, 30_000))
        win = rows.game_txn(self, integration, wallet, "win", won, ticket, game, later, f"{ticket}-win")
        if won:
            rows.transfer(self, "win", game_account, wallet, won, later, win, f"{ticket}-win")
        if rng.random() < 0.02:  # rolled back: the bet refunded, a paid win taken back
            undo_at = later + dt.timedelta(seconds=1)
            rollback = rows.game_txn(self, integration, wallet, "rollback", 0, ticket, game, undo_at, f"{ticket}-rb",
                                     reference=ticket)
            rows.transfer(self, "refund", game_account, wallet, stake, undo_at, rollback, f"{ticket}-rb-refund")
            if won:
                rows.transfer(self, "reclaim", wallet, game_account, won, undo_at, rollback, f"{ticket}-rb-reclaim")
        elif registration_for(integration).rules.rewards and rng.random() < 0.03:
            reward = rows.game_txn(self, integration, wallet, "reward", stake, f"reward:{ticket}", game, later,
                                   f"{ticket}-rw", reference=ticket)
            rows.transfer(self, "reward", game_account, wallet, stake, later, reward, f"{ticket}-rw")


class Rows:
    """One day's rows per table, written with COPY."""

    def __init__(self):
        self.transfers, self.game_txns, self.calls, self.refusals, self.bet_tickets = [], [], [], [], []

    def transfer(self, loader: Loader, kind, debit, credit, amount, at, game_txn, key) -> None:
        debit_id = debit["id"] if isinstance(debit, dict) else debit
        credit_id = credit["id"] if isinstance(credit, dict) else credit
        currency = (debit if isinstance(debit, dict) else credit)["currency"]
        for side, sign in ((debit, -1), (credit, 1)):
            if isinstance(side, dict):
                side["balance"] += sign * amount
                side["floor"] = min(side["floor"], side["balance"])
                if side["balance"] >= 0:
                    side["floor"] = 0
        self.transfers.append((loader._id(Transfer), f"bulk:{key}", kind, debit_id, credit_id, currency, amount,
                               game_txn, None, "", at))
        loader.counts["transfers"] += 1

    def game_txn(self, loader: Loader, integration, wallet, action, amount, ticket, game, at, external_id,
                 reference="") -> int:
        pk = loader._id(GameTransaction)
        self.game_txns.append((pk, integration.pk, external_id, action, "applied", wallet["player"], wallet["currency"],
                               amount, ticket, reference, ticket, game, "", FINGERPRINT, at, 0))
        loader.counts["game_transactions"] += 1
        if action == "bet":  # one bet per ticket, as the live path writes it (wallet.models.BetTicket)
            self.bet_tickets.append((pk, integration.pk, ticket))
        self._call(loader, integration, wallet, action, external_id, at, ok=True)
        return pk

    def refusal(self, loader: Loader, wallet, integration, stake, at, external_id) -> None:
        self.refusals.append((loader._id(LimitRefusal), wallet["id"], integration.pk, "daily_bet", stake * 10,
                              stake * 10, stake, external_id, at))
        loader.counts["refusals"] += 1
        self._call(loader, integration, wallet, "bet", external_id, at, ok=False)

    def _call(self, loader: Loader, integration, wallet, action, external_id, at, *, ok: bool) -> None:
        rng = loader.rng
        registration = registration_for(integration)
        endpoint = registration.endpoint_for(action)
        if not ok:
            status = registration.status_for(action, "limit_reached")
        elif rng.random() < 0.004:
            status = registration.error_status
        else:
            status = registration.status_for(action, "applied")
        duration = round(rng.lognormvariate(2.3, 0.6), 3)  # ~10 ms typical, a long tail
        self.calls.append((loader._id(loader.calllog_model), at, integration.provider, integration.pk, "in", endpoint,
                           wallet["external_id"], external_id, "", status, 200, duration, None, "", "", False))
        loader.counts["calls"] += 1

    def copy(self, loader: Loader) -> None:
        _copy(GameTransaction, ["id", "integration_id", "external_id", "action", "outcome", "player_id", "currency_id",
                                "amount", "ticket", "reference", "round_id", "game_code", "session_token",
                                "fingerprint", "created_at", "payouts_taken_back"], self.game_txns)
        _copy(BetTicket, ["bet_id", "integration_id", "ticket"], self.bet_tickets)
        _copy(Transfer, ["id", "key", "kind", "debit_account_id", "credit_account_id", "currency_id", "amount",
                         "game_transaction_id", "actor_id", "memo", "created_at"], self.transfers)
        _copy(LimitRefusal, ["id", "wallet_id", "integration_id", "limit_kind", "limit", "used_today", "amount",
                             "external_id", "created_at"], self.refusals)
        _copy(loader.calllog_model, ["id", "created_at", "provider", "integration_id", "direction", "endpoint",
                                     "player_external_id", "txn_id", "request_id", "status_code", "http_status",
                                     "duration_ms", "caller_ip", "request_body", "response_body", "session_unknown"],
              self.calls)


def _copy(model, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
