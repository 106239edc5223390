"""`make bench-scale` (not in CI): staff pages, aggregates and checks at production size (issue 24).

    .venv/bin/python bench/scale.py [--calls 10000000] [--game-transactions 5000000] [--players 10500]
                                    [--database bo_scale] [--runs 7] [--keep]
                                    [--reuse [--skip-checks]]

1. Creates the database (dropped first if it exists) on the PostgreSQL of DATABASE_URL's server
   (default postgres://postgres@127.0.0.1:5432), migrates it and bulk-loads it with
   `manage.py scale_load` (set-based SQL, constraints and triggers on).
2. Times `reports_rebuild`, `ledger_check` (full; its peak memory) and `ledger_check --incremental`.
3. Times every admin list, search, filter and detail page of the big tables, the player 360° page,
   the system accounts, the report pages and the dashboard with the Django test client: one warm-up,
   then --runs timed requests; the median. The slowest statement of each page is run again under
   EXPLAIN (ANALYZE) and its plan kept, with a flag when it reads a big table without an index.
4. Times bets through the gameplay service (in-process: wallet.gameplay.bet_place, the money path's
   database work, no HTTP) on this database and on an empty one loaded the same way, interleaved
   (big, empty, big, ...) in the same minutes.
5. Bets/s in windows without and with a staff loop (another process requesting the heaviest pages
   back to back), alternated.
6. The retention task (providers.partitioning.maintain) dropping the oldest day's partition of the
   call history while callback threads (a bet plus its history row each) run.
Writes bench/scale-results.md and bench/scale-results.json; drops both databases unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
SERVER = os.environ.get("BENCH_SCALE_SERVER", "postgres://postgres@127.0.0.1:5432")
BIG = ("wallet_transfer", "wallet_gametransaction", "providers_calllog", "wallet_betticket")
STAFF_LOOP_PAGES = 3  # the staff loop requests the slowest pages measured
STAFF_LOOP_ROUNDS = 4  # an even number: as many rounds with the loop first as alone first
STAFF_LOOP_WINDOW_S = 20.0
BET_ROUNDS = 3  # bets on the big and the empty database, interleaved
DROP_WRITERS = 2
DROP_WARMUP_S = 3.0


def url(database: str) -> str:
    return f"{SERVER}/{database}"


def env_for(database: str) -> dict:
    return {**os.environ, "DATABASE_URL": url(database), "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false", "SECRET_KEY": "bench-" + "x" * 50, "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false", "LOG_LEVEL": "WARNING", "STAFF_OTP_REQUIRED": "false",
            "DB_POOL": "false", "CELERY_BROKER_URL": "", "REPORTS_EMBEDDED_REFRESH_EVERY": "0"}


def run(database: str, *args: str, measure_memory: bool = False) -> tuple[float, str, int]:
    """A manage.py command: seconds, its output and (with measure_memory) its peak RSS in KiB."""
    command = [PY, str(ROOT / "manage.py"), *args]
    if measure_memory:
        command = ["/usr/bin/time", "-f", "maxrss=%M", *command]
    started = time.monotonic()
    done = subprocess.run(command, env=env_for(database), cwd=ROOT, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    rss = int(m.group(1)) if (m := re.search(r"maxrss=(\d+)", done.stderr)) else 0
    return elapsed, done.stdout, rss


def exists(database: str) -> bool:
    done = subprocess.run(["psql", f"{SERVER}/postgres", "-Atc", "SELECT 1 FROM pg_database WHERE datname = '"
                           + database.replace("'", "") + "'"], capture_output=True, text=True, check=True)
    return done.stdout.strip() == "1"


def dropdb(database: str) -> None:
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'], check=True)


def prepare(database: str, calls: int, game_transactions: int, players: int) -> dict:
    dropdb(database)
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f'CREATE DATABASE "{database}"'], check=True)
    run(database, "migrate", "--noinput", "-v0")
    seconds, output, _ = run(database, "scale_load", "--calls", str(calls), "--game-transactions",
                             str(game_transactions), "--players", str(players))
    return {"load_s": round(seconds, 1), "load_log": output.strip().splitlines()}


def in_process(database: str, runs: int) -> dict:
    """Pages and bets, timed in a child interpreter set up for this database."""
    done = subprocess.run([PY, __file__, "--child", database, "--runs", str(runs)], env=env_for(database), cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"timing {database} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- in the child: Django set up on the scale database ---------------------------------------


def child(database: str, runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from wallet.models import GameTransaction, Player, Transfer

    user, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={
        "is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(user)
    heavy = Player.objects.order_by("pk").first()
    new_player, _ = Player.objects.get_or_create(external_id="BENCH-NEW", defaults={"username": "new"})
    mid_pk = (GameTransaction.objects.order_by("-pk").values_list("pk", flat=True).first() or 1) // 2
    mid = GameTransaction.objects.filter(pk__gte=mid_pk).order_by("pk").first()
    transfer = Transfer.objects.filter(game_transaction=mid).first() or Transfer.objects.order_by("pk").first()
    from providers.models import CallLog

    call = CallLog.objects.filter(txn_id=mid.external_id).first() or CallLog.objects.order_by("-pk").first()
    pages = [
        ("ledger: list", "/admin/wallet/transfer/"),
        ("ledger: search by player (heavy)", f"/admin/wallet/transfer/?q={heavy.external_id}"),
        ("ledger: search by player (new, no rows)", "/admin/wallet/transfer/?q=BENCH-NEW"),
        ("ledger: search by ledger key", f"/admin/wallet/transfer/?q={transfer.key}"),
        ("ledger: search by provider txn id", f"/admin/wallet/transfer/?q={mid.external_id}"),
        ("ledger: filter kind=deposit", "/admin/wallet/transfer/?kind__exact=deposit"),
        ("ledger: filter this month", "/admin/wallet/transfer/?created_at__gte=" + _month_start()),
        ("ledger: detail", f"/admin/wallet/transfer/{transfer.pk}/change/"),
        ("call history: list", "/admin/providers/calllog/"),
        ("call history: search by txn id", f"/admin/providers/calllog/?q={mid.external_id}"),
        ("call history: search by player", f"/admin/providers/calllog/?q={heavy.external_id}"),
        ("call history: search by request id", f"/admin/providers/calllog/?q={call.request_id}"),
        ("call history: errors", "/admin/providers/calllog/?outcome=error"),
        ("call history: last 24 h", "/admin/providers/calllog/?since=24h"),
        ("call history: endpoint=bet", "/admin/providers/calllog/?endpoint=bet"),
        ("call history: search by txn id, all days", f"/admin/providers/calllog/?q={mid.external_id}&since=all"),
        ("call history: search by player, all days", f"/admin/providers/calllog/?q={heavy.external_id}&since=all"),
        # As the list links it: with the row's day (one partition read).
        ("call history: detail", f"/admin/providers/calllog/{call.pk}/change/?day={call.created_at.date()}"),
        ("call history: detail without its day", f"/admin/providers/calllog/{call.pk}/change/"),
        ("game transactions: list", "/admin/wallet/gametransaction/"),
        ("game transactions: search by external id", f"/admin/wallet/gametransaction/?q={mid.external_id}"),
        ("game transactions: search by player", f"/admin/wallet/gametransaction/?q={heavy.external_id}"),
        ("game transactions: filter rollback", "/admin/wallet/gametransaction/?action__exact=rollback"),
        ("game transactions: detail", f"/admin/wallet/gametransaction/{mid.pk}/change/"),
        ("tickets (bet tickets) via game txn ticket search", f"/admin/wallet/gametransaction/?q={mid.ticket}"),
        ("transfer orders: list", "/admin/transfers/transferorder/"),
        ("system accounts", "/admin/wallet/systemaccount/"),
        ("player 360° (heavy)", f"/admin/wallet/player/{heavy.pk}/change/"),
        ("player 360° (new)", f"/admin/wallet/player/{new_player.pk}/change/"),
        ("dashboard", "/admin/"),
        ("report: GGR overview (90 days)", "/admin/reports/?date_from=" + _days_ago(90)),
        ("report: top games", "/admin/reports/games/"),
        ("report: players", "/admin/reports/players/"),
        ("report: callbacks", "/admin/reports/callbacks/"),
    ]
    results = []
    for label, path in pages:
        response = client.get(path)
        assert response.status_code == 200, (label, path, response.status_code, response.content[:500])
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        # Every statement that reads a big table, under EXPLAIN ANALYZE: the slowest one's plan is
        # kept, and any sequential scan of a big table among them is flagged.
        plans = [(explain(connection, q["sql"]), q["sql"]) for q in queries.captured_queries
                 if any(t in q["sql"] for t in BIG)]
        plans = [(p, sql) for p, sql in plans if p] or [("", "")]
        plan, sql = max(plans, key=lambda item: execution_ms(item[0]))
        results.append({"page": label, "path": path, "median_ms": round(statistics.median(times), 1),
                        "max_ms": round(max(times), 1), "queries": len(queries.captured_queries),
                        "slowest_sql_ms": execution_ms(plan), "slowest_sql": sql[:600], "plan": plan,
                        "unindexed_big_scan": any(big_seq_scan(p) for p, _ in plans)})
    heaviest = [page["path"] for page in sorted(results, key=lambda page: -page["median_ms"])[:STAFF_LOOP_PAGES]]
    # The staff loop at the callbacks' priority (one gunicorn for everything), then at nice 10 (the
    # compose file's backoffice service, which serves staff pages on their own workers).
    staff = {"same_priority": staff_versus_bets(database, heaviest, nice=0),
             "backoffice_nice_10": staff_versus_bets(database, heaviest, nice=10)}
    drop = partition_drop()
    print(json.dumps({"pages": results, "staff_loop": staff, "partition_drop": drop}))


def big_seq_scan(plan: str) -> bool:
    """A sequential scan of a big table (or of one of its partitions) that read rows: a scan of an
    empty partition (the days ahead; `actual rows=0` and nothing removed by its filter) is not one,
    nor is the read of a table's id sequence (one row: the reports' lag, `newest_id_bound`)."""
    lines = plan.splitlines()
    for n, line in enumerate(lines):
        if "_id_seq " in line:
            continue
        if "Seq Scan on " in line and any(f"Seq Scan on {t}" in line for t in BIG):
            removed = next((x for x in lines[n + 1:n + 3] if "Rows Removed by Filter" in x), "")
            if "actual rows=0 " not in line or removed:
                return True
    return False


def execution_ms(plan: str) -> float:
    found = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return float(found.group(1)) if found else 0.0


def explain(connection, sql: str) -> str:
    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return ""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


class Bettor:
    """Bets of 1 USD by one loaded player (the `offset`-th from the last) through wallet.gameplay:
    the money path's database work, in-process."""

    def __init__(self, *, offset: int = 0, funds: int = 100_000):
        import uuid

        from core.models import Integration
        from wallet import services
        from wallet.models import Account, AccountKind

        self.integration = Integration.objects.get(code="scale-1g")
        self.wallet = Account.objects.filter(kind=AccountKind.WALLET, player__external_id__startswith="SCALE") \
            .select_related("player").order_by("-pk")[offset]
        services.wallet_deposit(wallet=self.wallet, amount=funds * 10**5 + 1, key=f"bench-{uuid.uuid4()}")
        self.prefix, self.n = f"bench-{uuid.uuid4().hex[:12]}", 0

    def bet(self) -> float:
        """One bet; its milliseconds."""
        from wallet import gameplay

        self.n += 1
        ticket = f"{self.prefix}-{self.n}"
        game_call = gameplay.GameCall(integration_id=self.integration.pk, player=self.wallet.player, external_id=ticket,
                                      fingerprint=gameplay.fingerprint(ticket=ticket),
                                      currency=self.wallet.currency_id, game_code="301")
        started = time.perf_counter()
        outcome = gameplay.bet_place(game_call, ticket=ticket, amount=10**5)
        took = (time.perf_counter() - started) * 1000
        assert outcome.applied
        return took


def summary(times: list[float]) -> dict:
    times = sorted(times)
    if not times:
        return {"n": 0}
    return {"n": len(times), "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(len(times) * 0.95)], 2), "p99_ms": round(times[int(len(times) * 0.99)], 2),
            "max_ms": round(times[-1], 2)}


def bets(*, runs: int) -> dict:
    """`runs` sequential bets on this database."""
    bettor = Bettor(funds=runs + 10)
    bettor.bet()  # warm-up: the connection, the caches
    found = summary([bettor.bet() for _ in range(runs)])
    return {"bets": runs, **{k: found[k] for k in ("median_ms", "p95_ms", "p99_ms")}}


def bet_window(bettor: Bettor, seconds: float) -> dict:
    times, started = [], time.perf_counter()
    while time.perf_counter() - started < seconds:
        times.append(bettor.bet())
    elapsed = time.perf_counter() - started
    return {"bets_per_s": round(len(times) / elapsed, 1), **summary(times)}


def staff_versus_bets(database: str, paths: list[str], *, nice: int = 0) -> dict:
    """Bets/s alone, then with a staff loop (another process requesting `paths` back to back, at
    CPU priority `nice`), alternated STAFF_LOOP_ROUNDS times, STAFF_LOOP_WINDOW_S seconds a window."""
    bettor = Bettor()
    for _ in range(50):  # warm-up: the connection, the caches, the first pages of the indexes
        bettor.bet()
    alone, loaded, staff = [], [], []

    def with_loop() -> None:
        loop = subprocess.Popen(["nice", "-n", str(nice), PY, __file__, "--staff-loop", database,
                                 "--paths", "\n".join(paths)],
                                env=env_for(database), cwd=ROOT, stdout=subprocess.PIPE, text=True)
        time.sleep(3)  # its Django set up and the first request under way
        loaded.append(bet_window(bettor, STAFF_LOOP_WINDOW_S))
        loop.send_signal(signal.SIGTERM)
        out, _ = loop.communicate(timeout=120)
        staff.append(json.loads(out.strip().splitlines()[-1]))
        time.sleep(3)  # the loop's last request and process gone before a window alone

    for n in range(STAFF_LOOP_ROUNDS):
        # Alone then loaded, then loaded then alone, ...: neither window always comes first (the
        # 1M run of 2026-12-07 had "alone" first in every round, and that order bias was larger
        # than the loop's cost).
        if n % 2:
            with_loop()
            alone.append(bet_window(bettor, STAFF_LOOP_WINDOW_S))
        else:
            alone.append(bet_window(bettor, STAFF_LOOP_WINDOW_S))
            with_loop()
    rate_alone = statistics.median(w["bets_per_s"] for w in alone)
    rate_loaded = statistics.median(w["bets_per_s"] for w in loaded)
    return {"pages": paths, "nice": nice, "window_s": STAFF_LOOP_WINDOW_S, "alone": alone, "with_staff_loop": loaded,
            "staff_requests": staff, "bets_per_s_alone": rate_alone, "bets_per_s_with_staff_loop": rate_loaded,
            "drop_pct": round(100 * (1 - rate_loaded / rate_alone), 1)}


def staff_loop(paths: list[str]) -> None:
    """Request `paths` one after another as a logged-in superuser until SIGTERM; print the count."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    user = get_user_model().objects.get(username="bench-admin")
    client = Client()
    client.force_login(user)
    times = []
    while not stop:
        for path in paths:
            if stop:
                break
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    print(json.dumps({"requests": len(times), **summary(times)}))


def partition_drop() -> dict:
    """providers.partitioning.maintain() with the retention set so that exactly the oldest day's
    partition is past it, while DROP_WRITERS threads run callbacks (a bet and its history row,
    as a callback writes it). The drop's time, split into keeping the money calls, DETACH
    CONCURRENTLY and DROP; the callbacks' latency before and during it."""
    import datetime as dt
    import threading

    from django.conf import settings
    from django.db import connection, connections
    from django.utils import timezone

    from providers import partitioning
    from providers.calllog import CallRecord, call_log_write
    from providers.models import CallLog

    def oldest_with_rows() -> tuple[str, dt.datetime, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                           "WHERE i.inhparent = 'providers_calllog'::regclass ORDER BY c.relname")
            for (name,) in cursor.fetchall():
                cursor.execute(f'SELECT count(*) FROM "{name}"')
                if rows := cursor.fetchone()[0]:
                    return name, dt.datetime.strptime(name[-10:], "%Y_%m_%d").replace(tzinfo=dt.UTC), rows
        raise SystemExit("no call history to drop")

    def retention_to(day: dt.datetime) -> None:
        """The retention that puts every day before `day` past it, and not `day` itself."""
        settings.CALL_HISTORY_RETENTION_DAYS = int((timezone.now() - day) / dt.timedelta(days=1))

    # The empty days before the load and its first, partial day go first (not timed): the day
    # timed is a whole day of the load.
    retention_to(oldest_with_rows()[1] + dt.timedelta(days=1))
    partitioning.maintain()
    oldest_name, oldest, rows = oldest_with_rows()
    now = timezone.now()
    retention_to(oldest + dt.timedelta(days=1))
    bettors = [Bettor(offset=1 + n) for n in range(DROP_WRITERS)]
    stop = threading.Event()
    samples: list[tuple[float, float]] = []  # (start, ms) of each callback
    errors: list[str] = []
    lock = threading.Lock()
    marker = f"drop-{int(time.time())}"

    def writer(n: int) -> None:
        try:
            while not stop.is_set():
                at = time.perf_counter()
                bettors[n].bet()
                call_log_write(CallRecord(provider=bettors[n].integration.provider, endpoint="bet",
                                          integration_id=bettors[n].integration.pk,
                                          txn_id=f"{marker}-{n}-{bettors[n].n}", status_code="OK",
                                          request_body={"amount": "1.00"}, response_body={"status": "OK"}))
                with lock:
                    samples.append((at, (time.perf_counter() - at) * 1000))
        except Exception as exc:  # reported
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(DROP_WRITERS)]
    for thread in threads:
        thread.start()
    time.sleep(DROP_WARMUP_S)
    drop_start = time.perf_counter()
    result = partitioning.maintain()
    drop_end = time.perf_counter()
    time.sleep(DROP_WARMUP_S)
    stop.set()
    for thread in threads:
        thread.join()
    before = [ms for at, ms in samples if at < drop_start and at + ms / 1000 <= drop_start]
    during = [ms for at, ms in samples if at < drop_end and at + ms / 1000 > drop_start]
    written = CallLog.objects.filter(txn_id__startswith=marker + "-", created_at__gte=now).count()
    return {"partition": oldest_name, "rows": rows, "dropped": result.dropped, "kept_money_calls": result.kept,
            "total_s": round(drop_end - drop_start, 3), **{f"{k}_s": round(v, 3) for k, v in result.seconds.items()},
            "callbacks_before": summary(before), "callbacks_during": summary(during),
            "callbacks": len(samples), "history_rows_written": written, "errors": errors}


def _days_ago(days: int) -> str:
    import datetime as dt

    return (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days)).isoformat()


def _month_start() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).date().replace(day=1).isoformat()


# --- the report ----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10_000_000)
    parser.add_argument("--game-transactions", type=int, default=5_000_000)
    parser.add_argument("--players", type=int, default=10_500)
    parser.add_argument("--database", default="bo_scale")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the databases (default: dropped at the end)")
    parser.add_argument("--reuse", action="store_true", help="measure a database loaded by an earlier --keep run")
    parser.add_argument("--skip-checks", action="store_true",
                        help="with --reuse: keep the earlier run's rebuild and ledger_check figures (pages only)")
    parser.add_argument("--child")
    parser.add_argument("--staff-loop")
    parser.add_argument("--paths")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs)
        return
    if args.staff_loop:
        staff_loop(args.paths.split("\n"))
        return
    empty = f"{args.database}_empty"
    report = {"calls": args.calls, "game_transactions": args.game_transactions, "players": args.players,
              "cores": os.cpu_count()}
    if args.reuse:
        run(args.database, "migrate", "--noinput", "-v0")
        subprocess.run(["psql", url(args.database), "-qc", "VACUUM ANALYZE"], check=True)
        report["load_s"], report["load_log"] = None, ["reused"]
    else:
        report.update(prepare(args.database, args.calls, args.game_transactions, args.players))
    if args.reuse and args.skip_checks:
        # Re-measuring pages after a fix: the aggregates are up to date already; the rebuild and
        # ledger_check figures are the earlier run's (bench/scale-results.json), and say so.
        earlier = json.loads((ROOT / "bench" / "scale-results.json").read_text())
        for key in ("load_s", "load_log", "rebuild_s", "ledger_check", "ledger_check_incremental"):
            report[key] = earlier.get(key)
        report["checks_from_earlier_run"] = True
        run(args.database, "reports_rebuild", "--no-progress")  # the bets of the earlier run
    else:
        report["rebuild_s"] = round(run(args.database, "reports_rebuild", "--no-progress")[0], 1)
        seconds, output, rss = run(args.database, "ledger_check", measure_memory=True)
        report["ledger_check"] = {"seconds": round(seconds, 1), "max_rss_mib": round(rss / 1024),
                                  "figures": json.loads(output.strip().splitlines()[-1])}
        seconds, output, rss = run(args.database, "ledger_check", "--incremental", measure_memory=True)
        report["ledger_check_incremental"] = {"seconds": round(seconds, 1), "max_rss_mib": round(rss / 1024),
                                              "figures": json.loads(output.strip().splitlines()[-1])}
    load_before = os.getloadavg()
    report.update(in_process(args.database, args.runs))
    report["load_average_while_measuring"] = [round(x, 2) for x in load_before + os.getloadavg()]
    if not (args.reuse and exists(empty)):
        prepare(empty, 2, 2, 10)
    rounds = []
    for n in range(BET_ROUNDS):  # big then empty, then empty then big, ...: neither always goes first
        if n % 2:
            small = in_process_bets(empty)
            rounds.append((in_process_bets(args.database), small))
        else:
            rounds.append((in_process_bets(args.database), in_process_bets(empty)))
    report["bets_rounds"] = [{"big": big, "empty": small} for big, small in rounds]
    report["bets"] = {k: statistics.median(big[k] for big, _ in rounds) for k in ("median_ms", "p95_ms", "p99_ms")}
    report["bets_empty"] = {k: statistics.median(small[k] for _, small in rounds)
                            for k in ("median_ms", "p95_ms", "p99_ms")}
    report["bets_ratio"] = round(report["bets"]["median_ms"] / report["bets_empty"]["median_ms"], 3)
    write(report)
    if not args.keep:
        dropdb(args.database)
        dropdb(empty)


def in_process_bets(database: str) -> dict:
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); sys.argv=['x']; import django; django.setup(); " \
           "import json; sys.path.insert(0, 'bench'); from scale import bets; print(json.dumps(bets(runs=300)))"
    done = subprocess.run([PY, "-c", code], env=env_for(database), cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def write(report: dict) -> None:
    (ROOT / "bench" / "scale-results.json").write_text(json.dumps(report, indent=1) + "\n")
    report["load_s"] = report["load_s"] if report["load_s"] is not None else "(reused)"
    earlier = " (from the earlier run on this database)" if report.get("checks_from_earlier_run") else ""
    lines = [f"# bench-scale: {report['calls']:,} calls, {report['game_transactions']:,} game transactions, "
             f"{report['players']:,} players", "",
             f"- load (scale_load): {report['load_s']} s",
             f"- reports_rebuild (all aggregates): {report['rebuild_s']} s{earlier}",
             f"- ledger_check: {report['ledger_check']['seconds']} s, peak {report['ledger_check']['max_rss_mib']} MiB"
             f"{earlier}",
             f"- ledger_check --incremental: {report['ledger_check_incremental']['seconds']} s, peak "
             f"{report['ledger_check_incremental']['max_rss_mib']} MiB",
             f"- load average while timing the pages (1/5/15 min, before / after): "
             f"{report.get('load_average_while_measuring')} on {report.get('cores')} cores", "",
             "## Bets on this database vs empty tables (in-process `wallet.gameplay.bet_place`, 300 sequential "
             "bets a round, rounds interleaved)", "",
             "| round | big: median / p95 / p99 ms | empty: median / p95 / p99 ms |", "|---|---|---|"]
    for n, pair in enumerate(report["bets_rounds"], start=1):
        big, small = pair["big"], pair["empty"]
        lines.append(f"| {n} | {big['median_ms']} / {big['p95_ms']} / {big['p99_ms']} | "
                     f"{small['median_ms']} / {small['p95_ms']} / {small['p99_ms']} |")
    lines += ["", f"Median of the rounds: {report['bets']['median_ms']} ms here, {report['bets_empty']['median_ms']} "
              f"ms on empty tables: ratio {report['bets_ratio']} (target: within 10 %).", ""]
    loops = report.get("staff_loop") or {}
    if "alone" in loops:  # a report from before the two priorities
        loops = {"same_priority": loops}
    for staff in loops.values():
        where = ("the staff loop at nice 10, as the backoffice service runs" if staff.get("nice")
                 else "the staff loop at the callbacks' priority")
        lines += [f"## Bets/s with a staff loop on the {len(staff['pages'])} slowest pages: {where} "
                  f"({staff['window_s']} s windows, alternated)", "", "pages: " + ", ".join(
                      f"`{p}`" for p in staff["pages"]), "",
                  "| round | bets/s alone | bets/s with the staff loop | bet p99 ms alone / with | staff requests "
                  "(median ms) |", "|---|---:|---:|---|---|"]
        for n, (alone, loaded, loop) in enumerate(zip(staff["alone"], staff["with_staff_loop"], staff["staff_requests"],
                                                      strict=True), start=1):
            lines.append(f"| {n} | {alone['bets_per_s']} | {loaded['bets_per_s']} | {alone.get('p99_ms')} / "
                         f"{loaded.get('p99_ms')} | {loop['requests']} ({loop.get('median_ms')}) |")
        lines += ["", f"Median: {staff['bets_per_s_alone']} bets/s alone, {staff['bets_per_s_with_staff_loop']} with the "
                  f"staff loop: {staff['drop_pct']} % fewer (target: within 15 %).", ""]
    drop = report.get("partition_drop")
    if drop:
        lines += ["## Retention: the oldest day's partition dropped while callbacks run", "",
                  f"- partition {drop['partition']} ({drop['rows']:,} calls), dropped: {drop['dropped']}",
                  f"- maintain() in all: {drop['total_s']} s; keeping {drop['kept_money_calls']:,} money calls "
                  f"{drop['keep_s']} s, DETACH CONCURRENTLY {drop['detach_s']} s, DROP {drop['drop_s']} s",
                  f"- callbacks (bet + history row, {DROP_WRITERS} threads) before: {drop['callbacks_before']}",
                  f"- callbacks during: {drop['callbacks_during']}",
                  f"- history rows written by them: {drop['history_rows_written']:,} of {drop['callbacks']:,}; "
                  f"errors: {len(drop['errors'])} {drop['errors'][:3]}", ""]
    lines += [
             "| page | median ms | max ms | queries | slowest big-table SQL ms (EXPLAIN ANALYZE) | big table read without an index |",
             "|---|---:|---:|---:|---:|---|"]
    for page in report["pages"]:
        lines.append(f"| {page['page']} | {page['median_ms']} | {page['max_ms']} | {page['queries']} | "
                     f"{page['slowest_sql_ms']} | {'YES' if page['unindexed_big_scan'] else 'no'} |")
    lines += ["", "## Plan of each page's slowest statement on a big table (EXPLAIN ANALYZE)", ""]
    for page in report["pages"]:
        lines += [f"### {page['page']}", "", "```", page["slowest_sql"], "", page["plan"], "```", ""]
    (ROOT / "bench" / "scale-results.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
