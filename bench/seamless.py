"""Benchmark: seamless callbacks over HTTP against the fixed pgbench yardstick, in one run.

    make bench            (= .venv/bin/python bench/seamless.py)
    .venv/bin/python bench/seamless.py [--seconds 8] [--players 500] [--workers 4] [--connections 8]

The figure of merit is applied callbacks per second divided by the pgbench TPS of the minimal bet
transaction (../shared/perf/README.md), both measured in this run on this machine:

1. `bash ../shared/perf/ceiling.sh .venv/bin/python SECONDS`: pgbench spread / hot and the bare
   DRF floor (the denominators);
2. a fresh PostgreSQL database (`--db`, default bench_backoffice): migrations, one 1G and one Oppi
   integration, N players with an IDR wallet and a launch session at each provider;
3. gunicorn (config.wsgi, sync workers, DEBUG off, the settings' connection pool) driven by wrk
   (C, one thread) replaying pre-signed request bodies (bench/replay.lua), each a new transaction:
   1G bet then result (on the tickets just bet), Oppi bet then payout, spread over the players and
   on one hot wallet; 1G bodies are signed right before each run (their `datetime` must stay within
   10 s of the server clock); then 1G and Oppi bets paced at half the measured peak, for p99;
4. applied = game transactions the run wrote (refusals and replays do not count), plus the call
   history's statuses for the run; ledger_check at the end; bench/results.md and results.json.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = "postgres://postgres@127.0.0.1:5432"
PORT = 8766  # ceiling.sh takes 8765
SECRET_1G = "bench-1g-secret"
OPPI_KEY, SECRET_OPPI = "bench-oppi-key", "bench-oppi-secret"
HOT = 1  # the hot wallet's player number


def sh(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, env={**os.environ, **(env or {})}, text=True, capture_output=True, **kw)


def ceiling_script() -> Path:
    """../shared/perf/ceiling.sh beside the project (CI, fresh clones), else /work/shared/perf."""
    for candidate in (ROOT.parent / "shared" / "perf" / "ceiling.sh", Path("/work/shared/perf/ceiling.sh")):
        if candidate.exists():
            return candidate
    raise SystemExit("ceiling.sh not found: ../shared/perf/ must sit beside the project")


def ceiling_measure(seconds: int) -> dict:
    out = sh("bash", str(ceiling_script()), str(ROOT / ".venv/bin/python"), str(seconds), cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- the database -------------------------------------------------------------------------------


def database_prepare(db: str, players: int, reuse: bool = False) -> None:
    if not reuse:
        sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {db}",
           "-c", f"CREATE DATABASE {db}")
    os.environ["DATABASE_URL"] = f"{PG}/{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if reuse:  # while iterating: the players of an earlier run (their sessions stay fresh a day)
        return
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from core.models import LaunchMethod
    from lobby.adapters import LaunchRequest
    from lobby.integrations import integration_upsert
    from lobby.models import Device
    from lobby.reference import reference_game_upsert
    from lobby.sessions import session_open, session_validated
    from wallet import services
    from wallet.models import Player

    onegaming, _ = integration_upsert(provider="onegaming", code="bench-1g", agent_code="BENCH", secret=SECRET_1G)
    oppi, _ = integration_upsert(provider="oppi", code="bench-oppi", api_key=OPPI_KEY, secret=SECRET_OPPI)
    reference_game_upsert("onegaming", "301", {"name": "bench 1G", "game_type": "list", "enabled": True},
                          keep_existing=True)
    reference_game_upsert("oppi", "bench-game", {"name": "bench Oppi", "enabled": True}, keep_existing=True)
    now = timezone.now()
    far = now + dt.timedelta(days=1)
    for i in range(1, players + 1):
        player = Player.objects.create(external_id=f"B{i}", username=f"bench{i}")
        wallet = services.wallet_open(player=player, currency="IDR")
        services.wallet_deposit(wallet=wallet, amount=10**15, key=f"bench-deposit:{i}")
        for integration in (onegaming, oppi):  # launched and validated (seen) now, through the lobby's service
            request = LaunchRequest(integration=integration, player=player, game=None, device=Device.DESKTOP,
                                    method=LaunchMethod.IFRAME, wallet=wallet)
            session = session_open(request, token=f"tok-{integration.provider}-B{i}", now=now, expires_at=far)
            session_validated(session, now)


def applied_count(provider: str, action: str) -> int:
    from wallet.models import GameOutcome, GameTransaction

    return GameTransaction.objects.filter(integration__provider=provider, action=action,
                                          outcome=GameOutcome.APPLIED).count()


def statuses_since(provider: str, endpoint: str, since: dt.datetime) -> dict:
    from django.db.models import Count

    from providers.models import CallLog

    rows = (CallLog.objects.filter(provider=provider, endpoint=endpoint, created_at__gte=since)
            .values("status_code").annotate(n=Count("pk")))
    return {row["status_code"]: row["n"] for row in rows}


def applied_bets(provider: str, since: dt.datetime, limit: int) -> list[tuple[str, str]]:
    """(player external id, ticket) of the bets applied since `since`: what a result/payout settles."""
    from wallet.models import GameAction, GameTransaction

    rows = (GameTransaction.objects.filter(integration__provider=provider, action=GameAction.BET,
                                           created_at__gte=since).order_by("pk")
            .values_list("player__external_id", "ticket")[:limit])
    return list(rows)


# --- request bodies -----------------------------------------------------------------------------


def _compact(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _line(path: str, headers: dict, body: bytes) -> str:
    parts = [path, str(len(headers))]
    for name, value in headers.items():
        parts += [name, value]
    return "\t".join(parts + [body.decode()])


def onegaming_line(call: str, payload: dict) -> str:
    body = _compact({"agent_code": "BENCH", **payload})
    signature = hmac.new(SECRET_1G.encode(), body, hashlib.sha256).hexdigest()
    return _line(f"/api/onegaming/{call}", {"UG-Data-Signature": signature}, body)


def oppi_line(call: str, payload: dict) -> str:
    body = _compact(payload)
    stamp = str(int(time.time() * 1000))
    signature = hmac.new(SECRET_OPPI.encode(), body + b"|" + stamp.encode(), hashlib.sha256).hexdigest()
    return _line(f"/api/oppi/transaction/{call}", {"x-api-key": OPPI_KEY, "x-timestamp": stamp,
                                                   "x-signature": signature}, body)


def player_of(n: int, players: int, hot: bool) -> int:
    return HOT if hot else 1 + (n * 7919) % players  # a fixed walk over every player


def onegaming_bets(tag: str, count: int, players: int, hot: bool) -> list[str]:
    # `datetime` a few seconds ahead: still within 10 s of the server clock at the run's end.
    stamp = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=4)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    lines = []
    for n in range(count):
        p = player_of(n, players, hot)
        lines.append(onegaming_line("bet", {
            "request_id": f"r-{tag}-{n}", "datetime": stamp, "player_id": f"B{p}", "l_token": f"tok-onegaming-B{p}",
            "currency": "IDR", "game_id": "301", "round_id": f"R-{tag}-{n}", "txn_id": f"B-{tag}-{n}",
            "txn_ticket": f"T-{tag}-{n}", "amount": "1.00"}))
    return lines


def onegaming_results(tag: str, bets: list[tuple[str, str]]) -> list[str]:
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return [onegaming_line("result", {
        "request_id": f"r-{tag}-{n}", "datetime": stamp, "player_id": player, "currency": "IDR", "game_id": "301",
        "round_id": f"R-{ticket}", "txn_id": f"W-{tag}-{n}", "txn_ticket": ticket, "amount": "2.00"})
        for n, (player, ticket) in enumerate(bets)]


def oppi_bets(tag: str, count: int, players: int, hot: bool) -> list[str]:
    lines = []
    for n in range(count):
        p = player_of(n, players, hot)
        lines.append(oppi_line("bet", {"transactionId": f"OB-{tag}-{n}", "sessionId": f"tok-oppi-B{p}",
                                       "playerId": f"B{p}", "gameId": "bench-game", "currency": "IDR", "amount": 1}))
    return lines


def oppi_payouts(tag: str, bets: list[tuple[str, str]]) -> list[str]:
    return [oppi_line("payout", {"transactionId": f"OP-{tag}-{n}", "refTransactionId": ticket,
                                 "sessionId": f"tok-oppi-{player}", "playerId": player, "gameId": "bench-game",
                                 "currency": "IDR", "amount": 2, "isWin": True})
            for n, (player, ticket) in enumerate(bets)]


# --- the runs -----------------------------------------------------------------------------------


def server_start(db: str, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": f"{PG}/{db}", "DEBUG": "false", "SECRET_KEY": "bench-" + "x" * 50,
           "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING",
           "SECURE_SSL_REDIRECT": "false"}  # plain HTTP on loopback; TLS ends at the load balancer
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "bench" / "gunicorn_bench.py"),
                               "config.wsgi", "-w", str(workers), "-b",
                               f"127.0.0.1:{PORT}", "--log-level", "warning"], cwd=ROOT, env=env)
    for _ in range(150):
        if subprocess.run(["curl", "-s", "-o", "/dev/null", "-f", f"http://127.0.0.1:{PORT}/healthz"]).returncode == 0:
            return server
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not come up")


def cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) of gunicorn's master and workers so far: the app's cost per call is
    comparable across runs even when other work shares the machine, unlike its throughput."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [master_pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def db_cpu_seconds(db: str) -> dict[int, float]:
    """CPU time so far of each PostgreSQL backend connected to the bench database, by pid, so that
    the database's cost per call shows beside the app's (`db_cpu_between`)."""
    from django.db import connection

    with connection.cursor() as cursor:
        # Client backends only: an autovacuum worker on the same database is the database's own
        # upkeep (it starts mid-run on young tables), not the callbacks' cost.
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
                       "AND backend_type = 'client backend'", [db])
        pids = [row[0] for row in cursor.fetchall()]
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def db_cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU the backends used between two readings. A backend that appeared in between (a worker
    reconnected: CONN_MAX_AGE) counts from zero; one that ended in between is not counted."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def wrk(lines: list[str], seconds: int, connections: int, delay_ms: float = 0) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        f.write("\n".join(lines) + "\n")
    try:
        out = sh("wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s",
                 str(ROOT / "bench" / "replay.lua"), f"http://127.0.0.1:{PORT}", "--", f.name, str(delay_ms)).stdout
    finally:
        os.unlink(f.name)
    return json.loads(re.search(r"^WRKJSON (.*)$", out, re.M).group(1))


class Runner:
    def __init__(self, args):
        self.args = args
        self.server_pid = 0

    def run(self, name: str, provider: str, action: str, endpoint: str, lines: list[str],
            delay_ms: float = 0) -> dict:
        from django.utils import timezone

        if self.args.only and self.args.only not in name:
            return {"scenario": name, "skipped": True, "since": timezone.now(), "applied_per_s": 0}

        if not lines:
            raise SystemExit(f"{name}: no request bodies (did the run before apply nothing?)")
        before = applied_count(provider, action)
        since = timezone.now()
        cpu_before, db_cpu_before = cpu_seconds(self.server_pid), db_cpu_seconds(self.args.db)
        load = wrk(lines, self.args.seconds, self.args.connections, delay_ms)
        cpu = cpu_seconds(self.server_pid) - cpu_before
        db_cpu = db_cpu_between(db_cpu_before, db_cpu_seconds(self.args.db))
        applied = applied_count(provider, action) - before
        result = {
            "scenario": name, "applied": applied, "applied_per_s": round(applied / load["duration_s"], 1),
            "requests_per_s": round(load["requests"] / load["duration_s"], 1), "bodies": len(lines),
            "exhausted": load["requests"] > len(lines),
            "app_cpu_ms_per_call": round(cpu * 1000 / load["requests"], 2) if load["requests"] else None,
            "db_cpu_ms_per_call": round(db_cpu * 1000 / load["requests"], 2) if load["requests"] else None,
            "statuses": statuses_since(provider, endpoint, since),
            "since": since, **{k: load[k] for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")},
            "errors": sum(v for k, v in load.items() if k.startswith("errors_")),
        }
        print(json.dumps({k: v for k, v in result.items() if k != "since"}), flush=True)
        return result


def tools_ensure() -> None:
    """wrk and pgbench, from Debian's packages when missing and we may install them (a fresh machine
    runs `make bench` as root, as CI does); otherwise say what to install."""
    needed = {"wrk": "wrk", "pgbench": "postgresql-client", "curl": "curl"}
    missing = sorted({package for tool, package in needed.items() if shutil.which(tool) is None})
    if not missing:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"installing {' '.join(missing)} (apt-get)...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env, stdout=subprocess.DEVNULL)
        return
    raise SystemExit(f"missing: {', '.join(missing)}: install them (Debian: apt-get install -y {' '.join(missing)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8, help="each wrk run (1G bodies stay valid ~14 s)")
    parser.add_argument("--ceiling-seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--players", type=int, default=500)
    parser.add_argument("--db", default="bench_backoffice")
    parser.add_argument("--bodies-per-second", type=int, default=1500, help="bodies generated per run second")
    parser.add_argument("--only", default="", help="iterating: run only scenarios whose name contains this")
    parser.add_argument("--reuse-db", action="store_true", help="keep the database of an earlier run (iterating)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    args = parser.parse_args()
    tools_ensure()
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()

    ceiling = ceiling_measure(args.ceiling_seconds) if args.ceiling_seconds else None
    print(json.dumps({"ceiling": ceiling}), flush=True)
    database_prepare(args.db, args.players, args.reuse_db)
    count = args.seconds * args.bodies_per_second
    run_tag = started.strftime("%H%M%S")  # ids unique across runs on a reused database
    runner = Runner(args)
    results = []
    server = server_start(args.db, args.workers)
    runner.server_pid = server.pid
    try:
        # Warm-up (not counted): every worker imports, connects and fills its caches.
        wrk(onegaming_bets(f"warm{run_tag}", 400, args.players, False), 2, args.connections)
        wrk(oppi_bets(f"warm{run_tag}", 400, args.players, False), 2, args.connections)
        for spread_or_hot, hot in (("spread", False), ("hot", True)):
            bet = runner.run(f"1G bet {spread_or_hot}", "onegaming", "bet", "bet",
                             onegaming_bets(f"g{spread_or_hot}{run_tag}", count, args.players, hot))
            results.append(bet)
            settled = applied_bets("onegaming", bet["since"], count)
            results.append(runner.run(f"1G result {spread_or_hot}", "onegaming", "win", "result",
                                      onegaming_results(f"g{spread_or_hot}{run_tag}", settled)))
            bet = runner.run(f"Oppi bet {spread_or_hot}", "oppi", "bet", "transaction/bet",
                             oppi_bets(f"o{spread_or_hot}{run_tag}", count, args.players, hot))
            results.append(bet)
            settled = applied_bets("oppi", bet["since"], count)
            results.append(runner.run(f"Oppi payout {spread_or_hot}", "oppi", "win", "transaction/payout",
                                      oppi_payouts(f"o{spread_or_hot}{run_tag}", settled)))
        # Latency at half the peak rate: each connection paced to deliver half the spread peak.
        for name, provider, endpoint, make in (("1G bet", "onegaming", "bet", onegaming_bets),
                                               ("Oppi bet", "oppi", "transaction/bet", oppi_bets)):
            peak = next(r["applied_per_s"] for r in results if r["scenario"] == f"{name} spread")
            half = max(peak / 2, 1.0)
            delay = max(args.connections * 1000 / half, 0)
            results.append(runner.run(f"{name} spread at half peak ({half:.0f}/s)", provider, "bet", endpoint,
                                      make(f"half-{provider}{run_tag}", count, args.players, False), delay_ms=round(delay, 1)))
    finally:
        server.terminate()
        server.wait()
    check = json.loads(sh(str(ROOT / ".venv/bin/python"), "manage.py", "ledger_check", cwd=ROOT,
                          env={"DATABASE_URL": f"{PG}/{args.db}"}).stdout.strip().splitlines()[-1])
    results = [r for r in results if not r.get("skipped")]
    if ceiling is None:  # iterating without the denominators: print, write nothing
        print(json.dumps({"load": os.getloadavg(), "ledger_check_ok": check.get("ok")}))
        return
    report_write(args, started, load_before, os.getloadavg(), ceiling, results, check)


def _denominator(ceiling: dict, scenario: str) -> float:
    return ceiling["pgbench_hot_tps"] if " hot" in scenario else ceiling["pgbench_spread_tps"]


def report_write(args, started, load_before, load_after, ceiling, results, check) -> None:
    for r in results:
        r.pop("since", None)
        r["ratio"] = round(r["applied_per_s"] / _denominator(ceiling, r["scenario"]), 4)
    summary = {"when": started.isoformat(timespec="seconds"), "cores": os.cpu_count(),
               "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in load_after],
               "ceiling": ceiling, "results": results, "ledger_check_ok": check.get("ok"),
               "args": {k: v for k, v in vars(args).items() if k != "out"}}
    out = Path(args.out)
    out.with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n")
    rows = "\n".join(
        f"| {r['scenario']} | **{r['applied_per_s']}** | {_denominator(ceiling, r['scenario'])} | **{r['ratio']:.1%}** "
        f"| {r['p50_ms']} / {r['p95_ms']} / {r['p99_ms']} | {r['requests_per_s']} | {r['app_cpu_ms_per_call']} "
        f"| {r.get('db_cpu_ms_per_call')} | {r['errors']} "
        f"| {r['statuses']}{' (bodies ran out: replays)' if r['exhausted'] else ''} |"
        for r in results)
    out.write_text(f"""# Seamless callback benchmark

Command: `make bench` (= `.venv/bin/python bench/seamless.py --seconds {args.seconds} --workers {args.workers} \
--connections {args.connections} --players {args.players}`), {summary['when']}, {summary['cores']} cores, load
average before {summary['load_before']} / after {summary['load_after']} (wrk, gunicorn and PostgreSQL share the
machine). gunicorn {args.workers} sync workers, wrk 1 thread {args.connections} connections, {args.seconds} s per run.

Denominators from `../shared/perf/ceiling.sh` in the same run: pgbench of the minimal bet transaction
**{ceiling['pgbench_spread_tps']} TPS spread / {ceiling['pgbench_hot_tps']} TPS hot**; bare DRF floor
{ceiling['drf_floor_spread_rps']} / {ceiling['drf_floor_hot_rps']} req/s.

| scenario | applied/s | pgbench TPS | app / pgbench | p50 / p95 / p99 ms | requests/s | app CPU ms/call | DB CPU ms/call | wrk errors \
| statuses (call history) |
|---|---|---|---|---|---|---|---|---|---|
{rows}

Applied = game transactions written in the run (a refused or replayed call does not count).
ledger_check afterwards: {'ok' if check.get('ok') else 'VIOLATIONS'}.

```json
{json.dumps(summary)}
```
""")


if __name__ == "__main__":
    main()
