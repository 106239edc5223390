"""Measure: the call history's retention drops a day's partition while callbacks write history rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_partition_drop \\
        .venv/bin/python bench/partition_drop.py [--rows 110000] [--writers 4] [--warmup 2]

On a PostgreSQL database of its own (created if missing, migrated): one old day of `--rows` calls
(110,000 is a day at 10M calls per 90 days; bodies of ~300 characters, a tenth of them money
calls whose transaction id is in the ledger's game transactions), then `--writers` threads write
history rows exactly as a callback does (providers.calllog.call_log_write, one INSERT each) while
the beat task's body (providers.partitioning.maintain) keeps the money calls, detaches the day
CONCURRENTLY and drops it. Prints the drop's time and the writers' latency before and during it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=110_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=2.0)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name a PostgreSQL database of this benchmark's own")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from lobby.models import Integration, Provider
    from providers import partitioning
    from providers.calllog import CallRecord, call_log_write
    from wallet.models import Player

    call_command("migrate", verbosity=0)
    settings.CALL_HISTORY_RETENTION_DAYS = 30
    partitioning.maintain()  # whatever an earlier run left past the retention goes first
    integration, _ = Integration.objects.get_or_create(code="bench-drop", defaults={
        "provider": Provider.ONEGAMING, "agent_code": "BENCHDROP", "secret": "s", "api_base_url": "https://x.test"})
    day = (timezone.now() - dt.timedelta(days=40)).astimezone(dt.UTC).replace(hour=0, minute=0, second=0,
                                                                             microsecond=0)
    partitioning.ensure_partitions(day, day)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # A tenth of the calls name a game transaction of the ledger (planted here: only the copy's
        # join needs them, not the money rules).
        cursor.execute(
            "INSERT INTO providers_calllog (created_at, provider, integration_id, direction, endpoint, "
            "player_external_id, txn_id, request_id, status_code, http_status, duration_ms, session_unknown, "
            "request_body, response_body) SELECT %s + (g * 86399000.0 / %s || ' ms')::interval, 'onegaming', %s, "
            "'in', 'bet', 'p' || (g %% 10000), 'bench-drop-' || g, '', 'OK', 200, 9.5, false, "
            "'{\"txn_id\": \"bench-drop-' || g || '\", \"amount\": \"1.00\", \"pad\": \"' || repeat('x', 200) || '\"}', "
            "'{\"status\": \"OK\", \"balance\": \"10.00\"}' FROM generate_series(1, %s) g",
            [day, args.rows, integration.pk, args.rows])
        cursor.execute("SELECT count(*) FROM wallet_gametransaction WHERE integration_id = %s", [integration.pk])
        if not cursor.fetchone()[0]:
            player = [Player.objects.get_or_create(external_id="bench-drop-player",
                                                   defaults={"username": "bench-drop-player"})[0].pk]
            cursor.execute(
                "INSERT INTO wallet_gametransaction (integration_id, external_id, action, outcome, player_id, amount, "
                "ticket, reference, round_id, game_code, session_token, fingerprint, payouts_taken_back, created_at) "
                "SELECT %s, 'bench-drop-' || g, 'bet', 'applied', %s, 100, 't' || g, '', '', '', '', 'f', 0, now() "
                "FROM generate_series(10, %s, 10) g", [integration.pk, player[0], args.rows])
        cursor.execute("ANALYZE providers_calllog")
        cursor.execute("ANALYZE wallet_gametransaction")
    print(f"loaded {args.rows:,} calls into {day:%Y-%m-%d} in {time.perf_counter() - started:.1f} s")

    stop = threading.Event()
    samples: list[tuple[float, float]] = []  # (start, seconds)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        i = 0
        try:
            while not stop.is_set():
                at = time.perf_counter()
                call_log_write(CallRecord(provider="onegaming", endpoint="bet", integration_id=integration.pk,
                                          txn_id=f"live-{n}-{i}", status_code="OK", request_body={"a": "1.00"},
                                          response_body={"status": "OK"}))
                took = time.perf_counter() - at
                with lock:
                    samples.append((at, took))
                i += 1
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(args.writers)]
    for thread in threads:
        thread.start()
    time.sleep(args.warmup)
    drop_start = time.perf_counter()
    result = partitioning.maintain()
    drop_end = time.perf_counter()
    time.sleep(args.warmup)
    stop.set()
    for thread in threads:
        thread.join()

    def summary(rows: list[float]) -> str:
        if not rows:
            return "no writes"
        rows = sorted(rows)
        p99 = rows[min(len(rows) - 1, int(len(rows) * 0.99))]
        return (f"{len(rows):,} writes, median {statistics.median(rows) * 1000:.1f} ms, "
                f"p99 {p99 * 1000:.1f} ms, max {rows[-1] * 1000:.1f} ms")

    before = [t for at, t in samples if at < drop_start]
    during = [t for at, t in samples if drop_start <= at < drop_end or (at < drop_start and at + t > drop_start)]
    print(f"dropped {result.dropped}, kept {result.kept:,} money calls")
    print(f"retention run: {drop_end - drop_start:.3f} s in all; keeping the money calls "
          f"{result.seconds['keep']:.3f} s, DETACH CONCURRENTLY {result.seconds['detach']:.3f} s, "
          f"DROP {result.seconds['drop']:.3f} s")
    print(f"history writes before: {summary(before)}")
    print(f"history writes during: {summary(during)}")
    print(f"writer errors: {len(errors)}")


if __name__ == "__main__":
    main()
