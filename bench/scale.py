"""`make bench-scale` (not in CI): staff pages, aggregates and checks at production size (issue 24).

    .venv/bin/python bench/scale.py [--calls 10000000] [--game-transactions 5000000] [--players 10500]
                                    [--database bo_scale] [--runs 7] [--keep]

1. Creates the database (dropped first if it exists) on the PostgreSQL of DATABASE_URL's server
   (default postgres://postgres@127.0.0.1:5432), migrates it and bulk-loads it with
   `manage.py scale_load` (set-based SQL, constraints and triggers on).
2. Times `reports_rebuild`, `ledger_check` (full; its peak memory) and `ledger_check --incremental`.
3. Times every admin list, search, filter and detail page of the big tables, the player 360° page,
   the system accounts, the report pages and the dashboard with the Django test client: one warm-up,
   then --runs timed requests; the median. The slowest statement of each page is run again under
   EXPLAIN (ANALYZE) and its plan kept, with a flag when it reads a big table without an index.
4. Times bets through the gameplay service on this database and on an empty one loaded the same way.
Writes bench/scale-results.md and bench/scale-results.json; drops both databases unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
SERVER = os.environ.get("BENCH_SCALE_SERVER", "postgres://postgres@127.0.0.1:5432")
BIG = ("wallet_transfer", "wallet_gametransaction", "providers_calllog", "wallet_betticket")


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


def dropdb(database: str) -> None:
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{database}"'], check=True)


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
        ("call history: detail", f"/admin/providers/calllog/{call.pk}/change/"),
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
                        "unindexed_big_scan": any(f"Seq Scan on {t}" in p for p, _ in plans for t in BIG)})
    print(json.dumps({"pages": results, "bets": bets(runs=300)}))


def execution_ms(plan: str) -> float:
    found = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return float(found.group(1)) if found else 0.0


def explain(connection, sql: str) -> str:
    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return ""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def bets(*, runs: int) -> dict:
    """Bets through wallet.gameplay (the money path's database work) on this database."""
    import uuid

    from core.models import Integration
    from wallet import gameplay, services
    from wallet.models import Account, AccountKind

    integration = Integration.objects.get(code="scale-1g")
    wallet = Account.objects.filter(kind=AccountKind.WALLET, player__external_id__startswith="SCALE") \
        .select_related("player").order_by("-pk").first()
    services.wallet_deposit(wallet=wallet, amount=runs * 10**5 + 1, key=f"bench-{uuid.uuid4()}")
    times = []
    for n in range(runs):
        ticket = f"bench-{uuid.uuid4().hex[:12]}-{n}"
        game_call = gameplay.GameCall(integration_id=integration.pk, player=wallet.player, external_id=ticket,
                                      fingerprint=gameplay.fingerprint(ticket=ticket), currency=wallet.currency_id,
                                      game_code="301")
        started = time.perf_counter()
        outcome = gameplay.bet_place(game_call, ticket=ticket, amount=10**5)
        times.append((time.perf_counter() - started) * 1000)
        assert outcome.applied
    times.sort()
    return {"bets": runs, "median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(runs * 0.95)], 2)}


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
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs)
        return
    empty = f"{args.database}_empty"
    report = {"calls": args.calls, "game_transactions": args.game_transactions, "players": args.players}
    if args.reuse:
        run(args.database, "migrate", "--noinput", "-v0")
        subprocess.run(["psql", url(args.database), "-qc", "VACUUM ANALYZE"], check=True)
        report["load_s"], report["load_log"] = None, ["reused"]
    else:
        report.update(prepare(args.database, args.calls, args.game_transactions, args.players))
    report["rebuild_s"] = round(run(args.database, "reports_rebuild", "--no-progress")[0], 1)
    seconds, output, rss = run(args.database, "ledger_check", measure_memory=True)
    report["ledger_check"] = {"seconds": round(seconds, 1), "max_rss_mib": round(rss / 1024), "figures": json.loads(
        output.strip().splitlines()[-1])}
    seconds, output, rss = run(args.database, "ledger_check", "--incremental", measure_memory=True)
    report["ledger_check_incremental"] = {"seconds": round(seconds, 1), "max_rss_mib": round(rss / 1024),
                                          "figures": json.loads(output.strip().splitlines()[-1])}
    report.update(in_process(args.database, args.runs))
    if not args.reuse:
        prepare(empty, 2, 2, 10)
    report["bets_empty"] = in_process_bets(empty)
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
    lines = [f"# bench-scale: {report['calls']:,} calls, {report['game_transactions']:,} game transactions, "
             f"{report['players']:,} players", "",
             f"- load (scale_load): {report['load_s']} s",
             f"- reports_rebuild (all aggregates): {report['rebuild_s']} s",
             f"- ledger_check: {report['ledger_check']['seconds']} s, peak {report['ledger_check']['max_rss_mib']} MiB",
             f"- ledger_check --incremental: {report['ledger_check_incremental']['seconds']} s, peak "
             f"{report['ledger_check_incremental']['max_rss_mib']} MiB",
             f"- bet (gameplay.bet_place), median / p95: {report['bets']['median_ms']} / {report['bets']['p95_ms']} ms "
             f"here, {report['bets_empty']['median_ms']} / {report['bets_empty']['p95_ms']} ms on empty tables", "",
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
