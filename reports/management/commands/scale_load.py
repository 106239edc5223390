"""Load production-size data with set-based SQL (generate_series), for `make bench-scale`.

    DATABASE_URL=postgres://…/bo_scale manage.py scale_load --calls 10000000 --game-transactions 5000000

Rounds of a bet and its result (a win on two thirds of them, nothing on the rest) by `--players`
players at two integrations, spread evenly over `--days` days up to now; each round's calls
(bet, result, then balance calls up to --calls) are in the call history with their transaction,
player and request ids. Every player is funded first by a deposit that covers all their stakes
(no balance ever goes below zero), every applied bet or result with an amount has its ledger
transfer, every bet its BetTicket row, and wallet balances are the sums of their transfers: the
constraints and triggers stay on and `ledger_check` is clean. Ids grow with time, as in
production. PostgreSQL only; meant for an empty database (refuses one with transfers unless
--force).
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from core.models import Integration
from core.registry import registrations
from providers import partitioning
from providers.models import CallLog
from wallet import services
from wallet.models import Account, AccountKind, BetTicket, GameTransaction, Player, Transfer

CURRENCY = "USD"
UNIT = 10**5
GAMES = ("301", "302", "303", "305", "306", "307", "401", "402", "501", "601")


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


class Command(BaseCommand):
    help = "Bulk-load call history, game transactions and their ledger with generate_series (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=int, default=10_000_000)
        parser.add_argument("--game-transactions", type=int, default=5_000_000)
        parser.add_argument("--players", type=int, default=10_500)
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--force", action="store_true", help="load even if transfers exist")

    def handle(self, *args, calls, game_transactions, players, days, force, **options):
        if connection.vendor != "postgresql":
            raise CommandError("scale_load writes with PostgreSQL's generate_series: point DATABASE_URL at PostgreSQL")
        if Transfer.objects.exists() and not force:
            raise CommandError("transfers exist already: use an empty database (or --force)")
        rounds = max(1, game_transactions // 2)
        per_round = max(2, calls // rounds)
        now = timezone.now().replace(microsecond=0)
        start = now - dt.timedelta(days=days)
        span = (now - start).total_seconds() - 60
        started = time.monotonic()
        # The call history is partitioned by day on PostgreSQL: the past days' partitions first
        # (the migration only makes today's and the days ahead).
        created = partitioning.ensure_partitions(start - dt.timedelta(days=1), now)
        if created:
            self.stdout.write(f"call history: {len(created)} day partitions created")
        with transaction.atomic():
            ids = self._reference(players, start)
            steps = [
                ("game transactions", self._game_transactions),
                ("bet tickets", self._bet_tickets),
                ("deposits", self._deposits),
                ("game transfers", self._game_transfers),
                ("wallet balances", self._balances),
                ("call history", self._calls),
            ]
            params = {**ids, "rounds": rounds, "players": players, "start": start, "span": span,
                      "per_round": per_round, "calls": rounds * per_round, "unit": UNIT, "currency": CURRENCY}
            for name, step in steps:
                at = time.monotonic()
                with connection.cursor() as cursor:
                    step(cursor, params)
                    rows = cursor.rowcount
                self.stdout.write(f"{name}: {rows:,} rows in {time.monotonic() - at:,.1f} s")
        with connection.cursor() as cursor:
            # As autovacuum would after a while in production: statistics, and the visibility map
            # that lets index-only scans skip the table.
            for model in (Player, Account, GameTransaction, BetTicket, Transfer, CallLog):
                cursor.execute(f"VACUUM ANALYZE {_table(model)}")
        self.stdout.write(f"loaded in {time.monotonic() - started:,.1f} s")

    # --- reference rows -------------------------------------------------------------------------

    def _reference(self, players: int, start: dt.datetime) -> dict:
        # Two integrations: the first two installed providers (the same one twice if only one is).
        installed = (registrations(accounts_only=True) * 2)[:2]
        self.providers = installed
        integrations = []
        for n, registration in enumerate(installed, start=1):
            short = (registration.short_name or registration.name).lower()
            defaults = {"provider": registration.name, "secret": "scale-secret",
                        "api_base_url": f"https://{short}.example.test"}
            code = f"scale-{short}" if installed[0] is not installed[1] else f"scale-{short}-{n}"
            if registration.identity_field:
                defaults[registration.identity_field] = code
            integrations.append(Integration.objects.get_or_create(code=code, defaults=defaults)[0])
        game_accounts = [services.system_account_id(kind=AccountKind.GAME, currency=CURRENCY, integration_id=i.pk)
                         for i in integrations]
        cash = services.system_account_id(kind=AccountKind.CASH, currency=CURRENCY)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_table(Player)} (external_id, username, is_enabled, created_at) "
                "SELECT 'SCALE' || lpad(p::text, 7, '0'), 'scale' || p, true, %s "
                "FROM generate_series(1, %s) p ORDER BY p RETURNING id", [start - dt.timedelta(days=1), players])
            player_ids = sorted(row[0] for row in cursor.fetchall())
            cursor.execute(
                f"INSERT INTO {_table(Account)} (kind, currency_id, player_id, balance, floor, created_at) "
                f"SELECT 'wallet', %s, id, 0, 0, created_at FROM {_table(Player)} WHERE id BETWEEN %s AND %s "
                "ORDER BY id RETURNING id", [CURRENCY, player_ids[0], player_ids[-1]])
            wallet_ids = sorted(row[0] for row in cursor.fetchall())
        # Player n (1-based) is first_player + n - 1 and owns wallet first_wallet + n - 1.
        if (player_ids[-1] - player_ids[0] + 1 != players) or (wallet_ids[-1] - wallet_ids[0] + 1 != players):
            raise CommandError("player or wallet ids are not contiguous: load into an idle database")
        return {"first_player": player_ids[0] - 1, "first_wallet": wallet_ids[0] - 1,
                "i1": integrations[0].pk, "i2": integrations[1].pk, "g1": game_accounts[0], "g2": game_accounts[1],
                "cash": cash, "provider1": installed[0].name, "provider2": installed[1].name,
                "ok1": min(installed[0].success_codes, default="OK"), "ok2": min(installed[1].success_codes, default="OK"),
                "refused": installed[0].error_status or "ERROR"}

    # --- the rows, one set-based statement each ---------------------------------------------------
    # Round r (1..rounds): player 1 + (r * 7919) % players, integration by r's parity, stake
    # 1..20 USD, a win of twice the stake when r % 3 = 0, half of it when r % 3 = 2, nothing else.

    ROUND = """
        r AS r,
        1 + ((r::bigint * 7919) %% %(players)s) AS n,
        CASE WHEN r %% 2 = 0 THEN %(i1)s ELSE %(i2)s END AS integration_id,
        CASE WHEN r %% 2 = 0 THEN %(g1)s ELSE %(g2)s END AS game_account,
        %(unit)s * (1 + (r * 31) %% 20) AS stake,
        %(start)s::timestamptz + make_interval(secs => (r - 1)::float8 * %(span)s / %(rounds)s) AS at
    """

    def _game_transactions(self, cursor, p) -> None:
        cursor.execute(f"""
            INSERT INTO {_table(GameTransaction)} (integration_id, external_id, action, outcome, player_id,
                currency_id, amount, ticket, reference, round_id, game_code, session_token, fingerprint,
                payouts_taken_back, created_at)
            SELECT integration_id, CASE WHEN bet THEN 'b' ELSE 'w' END || r, CASE WHEN bet THEN 'bet' ELSE 'win' END,
                'applied', %(first_player)s + n, %(currency)s,
                CASE WHEN bet THEN stake WHEN r %% 3 = 0 THEN stake * 2 WHEN r %% 3 = 2 THEN stake / 2 ELSE 0 END,
                'T' || r, '', 'R' || r, ('{{{",".join(GAMES)}}}'::text[])[1 + r %% {len(GAMES)}], '',
                md5(r::text || bet::text), 0, at + CASE WHEN bet THEN interval '0' ELSE interval '2 seconds' END
            FROM (SELECT {self.ROUND} FROM generate_series(1, %(rounds)s) r) rounds
            CROSS JOIN (VALUES (true), (false)) AS kinds(bet)
            ORDER BY r, NOT bet""", p)

    def _bet_tickets(self, cursor, p) -> None:
        cursor.execute(f"""
            INSERT INTO {_table(BetTicket)} (bet_id, integration_id, ticket)
            SELECT id, integration_id, ticket FROM {_table(GameTransaction)}
            WHERE action = 'bet' AND integration_id IN (%(i1)s, %(i2)s) ORDER BY id""", p)

    def _deposits(self, cursor, p) -> None:
        # Before the first round: each player's deposit covers every stake they will place.
        cursor.execute(f"""
            INSERT INTO {_table(Transfer)} (key, kind, debit_account_id, credit_account_id, currency_id, amount,
                memo, created_at)
            SELECT 'scale:deposit:' || w.id, 'deposit', %(cash)s, w.id, %(currency)s, GREATEST(s.stakes, 1),
                'scale load', %(start)s::timestamptz - interval '1 hour'
            FROM {_table(Account)} w
            LEFT JOIN (SELECT player_id, SUM(amount) AS stakes FROM {_table(GameTransaction)}
                       WHERE action = 'bet' AND integration_id IN (%(i1)s, %(i2)s) GROUP BY player_id) s
                   ON s.player_id = w.player_id
            WHERE w.id BETWEEN %(first_wallet)s + 1 AND %(first_wallet)s + %(players)s ORDER BY w.id""", p)

    def _game_transfers(self, cursor, p) -> None:
        cursor.execute(f"""
            INSERT INTO {_table(Transfer)} (key, kind, debit_account_id, credit_account_id, currency_id, amount,
                game_transaction_id, memo, created_at)
            SELECT 'scale:' || g.action || ':' || g.id, g.action,
                CASE WHEN g.action = 'bet' THEN %(first_wallet)s + g.player_id - %(first_player)s ELSE a.game END,
                CASE WHEN g.action = 'bet' THEN a.game ELSE %(first_wallet)s + g.player_id - %(first_player)s END,
                %(currency)s, g.amount, g.id, '', g.created_at
            FROM {_table(GameTransaction)} g
            JOIN (VALUES (%(i1)s, %(g1)s), (%(i2)s, %(g2)s)) AS a(integration, game) ON a.integration = g.integration_id
            WHERE g.amount > 0 ORDER BY g.id""", p)

    def _balances(self, cursor, p) -> None:
        cursor.execute(f"""
            UPDATE {_table(Account)} w SET balance = m.net FROM (
                SELECT account_id, SUM(net) AS net FROM (
                    SELECT credit_account_id AS account_id, amount AS net FROM {_table(Transfer)}
                    WHERE credit_account_id BETWEEN %(first_wallet)s + 1 AND %(first_wallet)s + %(players)s
                    UNION ALL
                    SELECT debit_account_id, -amount FROM {_table(Transfer)}
                    WHERE debit_account_id BETWEEN %(first_wallet)s + 1 AND %(first_wallet)s + %(players)s
                ) moves GROUP BY account_id) m
            WHERE w.id = m.account_id""", p)

    def _calls(self, cursor, p) -> None:
        # Call c belongs to round 1 + (c - 1) / per_round; its first two are the bet and the result,
        # the rest balance calls; one call in 97 answers an error.
        cursor.execute(f"""
            INSERT INTO {_table(CallLog)} (created_at, provider, integration_id, direction, endpoint,
                player_external_id, txn_id, request_id, status_code, http_status, duration_ms, caller_ip,
                session_unknown, request_body, response_body)
            SELECT at + make_interval(secs => j), CASE WHEN r %% 2 = 0 THEN %(provider1)s ELSE %(provider2)s END,
                integration_id, 'in', CASE j WHEN 0 THEN 'bet' WHEN 1 THEN 'result' ELSE 'balance' END,
                'SCALE' || lpad(n::text, 7, '0'),
                CASE j WHEN 0 THEN 'b' || r WHEN 1 THEN 'w' || r ELSE '' END, 'req-' || c,
                CASE WHEN c %% 97 = 0 THEN %(refused)s WHEN r %% 2 = 0 THEN %(ok1)s ELSE %(ok2)s END,
                CASE WHEN c %% 97 = 0 THEN 401 ELSE 200 END, 3 + (c %% 17), '10.0.0.1'::inet, false,
                '{{"player_id":"SCALE' || lpad(n::text, 7, '0') || '","txn_id":"' || r || '","amount":"'
                    || stake || '"}}',
                '{{"status":"OK","balance":"' || (c %% 1000) || '.00"}}'
            FROM (SELECT c, (c - 1) %% %(per_round)s AS j, {self.ROUND}
                  FROM (SELECT c, 1 + (c - 1) / %(per_round)s AS r FROM generate_series(1, %(calls)s) c) calls) x
            ORDER BY c""", p)
