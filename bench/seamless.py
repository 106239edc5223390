"""Benchmark: 1G seamless bets over HTTP against the database's own ceiling for the same SQL.

    .venv/bin/python bench/seamless.py [--seconds 20] [--clients 8] [--workers 3] [--players 500]

One run, one machine, so the ratio is meaningful even when absolute numbers are noisy:
1. a fresh PostgreSQL database `bench_backoffice`: migrations, one 1G integration, N players
   with an IDR wallet and a launch session each;
2. gunicorn serving the app (DEBUG off) and C client processes sending signed `bet` callbacks
   to random players for T seconds (HTTP keep-alive): callbacks per second and latencies;
3. pgbench running bench/bet.sql (the same statements the app sends for one bet) with the same
   C clients for T seconds: the database's ceiling;
4. ledger_check on the result, then bench/results.md (and a JSON line on stdout).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "bench_backoffice"
PG = "postgres://postgres@127.0.0.1:5432"
PORT = 8765
SECRET = "bench-1g-secret"


def sh(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, env={**os.environ, **(env or {})}, text=True, capture_output=True, **kw)


def database_prepare(players: int) -> dict:
    sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {DB}", "-c", f"CREATE DATABASE {DB}")
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from lobby.integrations import integration_upsert
    from lobby.models import LaunchSession
    from wallet import services
    from wallet.models import Account, AccountKind, Player

    integration, _ = integration_upsert(provider="onegaming", code="bench", agent_code="BENCH", secret=SECRET)
    now = timezone.now()
    far = now + dt.timedelta(days=1)
    for i in range(1, players + 1):
        player = Player.objects.create(external_id=f"B{i}", username=f"bench{i}")
        assert player.pk == i, "the pgbench script relies on player ids 1..N"
        wallet = services.wallet_open(player=player, currency="IDR")
        services.wallet_deposit(wallet=wallet, amount=10**6 * 10**5, key=f"bench-deposit:{i}")
        LaunchSession.objects.create(token=f"tok-B{i}", integration=integration, player=player, created_at=now,
                                     expires_at=far, validated_at=now, last_seen_at=far)
    clearing = services.system_account_id(kind=AccountKind.GAME, currency="IDR", integration_id=integration.pk)
    assert Account.objects.filter(pk=clearing).exists()
    return {"integration": integration.pk, "clearing": clearing}


def server_start(workers: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": f"{PG}/{DB}", "DEBUG": "false", "SECRET_KEY": "bench-" + "x" * 50,
           "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING", "CONN_MAX_AGE": "600"}
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-w", str(workers), "-b",
                               f"127.0.0.1:{PORT}", "--log-level", "warning"], cwd=ROOT, env=env)
    import httpx

    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not come up")


def client_loop(args: tuple[int, int, float, mp.Queue]) -> None:
    """One client process: signed bets on random players until the deadline."""
    import hashlib
    import hmac
    import logging
    import random

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)  # a log line per request would load the CPU

    client_id, players, deadline, results = args
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", timeout=10) as http:
        n = 0
        while time.time() < deadline:
            n += 1
            p = random.randint(1, players)
            body = json.dumps({
                "agent_code": "BENCH", "request_id": f"r{client_id}-{n}",
                "datetime": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
                "player_id": f"B{p}", "l_token": f"tok-B{p}", "currency": "IDR", "game_id": "301",
                "round_id": f"R{n}", "txn_id": f"h{client_id}-{n}-{uuid.uuid4().hex[:8]}",
                "txn_ticket": f"T{client_id}-{n}-{uuid.uuid4().hex[:8]}", "amount": "0.01",
            }, separators=(",", ":")).encode()
            signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            started = time.perf_counter()
            answer = http.post("/api/onegaming/bet", content=body,
                               headers={"Content-Type": "application/json", "UG-Data-Signature": signature})
            latencies.append(time.perf_counter() - started)
            status = answer.json().get("status", "?")
            statuses[status] = statuses.get(status, 0) + 1
    results.put((statuses, latencies))


def http_load(clients: int, players: int, seconds: float) -> dict:
    results: mp.Queue = mp.Queue()
    started = time.time()
    deadline = started + seconds
    procs = [mp.Process(target=client_loop, args=((i, players, deadline, results),)) for i in range(clients)]
    for proc in procs:
        proc.start()
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    for _ in procs:
        got, lat = results.get()
        latencies += lat
        for k, v in got.items():
            statuses[k] = statuses.get(k, 0) + v
    for proc in procs:
        proc.join()
    elapsed = time.time() - started
    latencies.sort()
    return {
        "statuses": statuses,
        "per_second": round(statuses.get("OK", 0) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
    }


def pgbench(clients: int, players: int, seconds: int, ids: dict) -> dict:
    out = sh("pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-c", str(clients), "-j", str(min(clients, 2)),
             "-T", str(seconds), "-f", str(ROOT / "bench" / "bet.sql"), "-D", f"players={players}",
             "-D", f"integration={ids['integration']}", "-D", f"clearing={ids['clearing']}", DB).stdout
    tps = float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", out).group(1))
    failed = re.search(r"number of failed transactions: (\d+)", out)
    return {"per_second": round(tps, 1), "failed": int(failed.group(1)) if failed else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--players", type=int, default=500)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    args = parser.parse_args()

    ids = database_prepare(args.players)
    server = server_start(args.workers)
    try:
        http = http_load(args.clients, args.players, args.seconds)
    finally:
        server.terminate()
        server.wait()
    ceiling = pgbench(args.clients, args.players, args.seconds, ids)
    check = json.loads(sh(str(ROOT / ".venv/bin/python"), "manage.py", "ledger_check", cwd=ROOT,
                          env={"DATABASE_URL": f"{PG}/{DB}"}).stdout.strip().splitlines()[-1])
    ratio = http["per_second"] / ceiling["per_second"] if ceiling["per_second"] else 0.0
    result = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "http": http, "pgbench": ceiling,
              "ratio": round(ratio, 3), "ledger_check_ok": check["ok"], **vars(args)}
    print(json.dumps(result))
    Path(args.out).write_text(f"""# Seamless callback benchmark

Command: `.venv/bin/python bench/seamless.py --seconds {args.seconds} --clients {args.clients} \
--workers {args.workers} --players {args.players}` ({result['when']}, {os.cpu_count()} cores; load generator,
gunicorn and PostgreSQL share the machine).

| measure | value |
|---|---|
| 1G `bet` callbacks over HTTP (gunicorn, {args.workers} workers, {args.clients} clients) | **{http['per_second']}/s** |
| latency p50 / p99 | {http['p50_ms']} ms / {http['p99_ms']} ms |
| statuses | {http['statuses']} |
| pgbench, same SQL per bet (bench/bet.sql), {args.clients} clients | **{ceiling['per_second']}/s** (failed: {ceiling['failed']}) |
| ratio HTTP / pgbench (same run) | **{ratio:.1%}** |
| ledger_check afterwards | {'ok' if check['ok'] else 'VIOLATIONS'} |

```json
{json.dumps(result)}
```
""")


if __name__ == "__main__":
    main()
