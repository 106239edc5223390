"""Load, faults and endurance: `make loadtest` (= .venv/bin/python bench/loadtest.py).

    .venv/bin/python bench/loadtest.py [--soak-minutes 30] [--workers 4] [--connections 8] [--players 500]
                                       [--step-seconds 10] [--hot-seconds 20] [--no-faults] [--only NAME]

Scenarios, one gunicorn (config.wsgi, sync workers, DEBUG off, bench/gunicorn_bench.py's database settings, no
access log, no worker recycling) on a fresh database of the shared PostgreSQL server (`--db`),
the callbacks of both providers mixed (1G bet and result, Oppi bet and payout; bodies from
bench/seamless.py, signed per chunk of at most 10 s because 1G bets must arrive within 10 s):

- baseline: closed loop, wrk with `--connections` connections: the peak rate;
- ramp: open-loop-like steps at 25, 50, 75, 100 and 125 % of the baseline rate (wrk, each
  connection paced by replay.lua's delay; past the peak the delay cannot hold the rate);
- hot: 16 concurrent streams (threads, one call at a time each) of 1G and Oppi rounds on ONE
  wallet; the final balance must equal exactly the start minus the bets plus the wins that were
  answered OK, summed here from what was sent (the oracle), and the ledger and ledger_check agree;
- spike: 30 % of the peak, then 64 connections closed loop, then 30 % again;
- soak: `--soak-minutes` (default 30) at 50 % of the peak, in chunks; every 10 s the gunicorn
  workers' RSS and the database's connections (pg_stat_activity) are sampled, and their slopes
  after the first 10 % of the run (warm-up) are reported: flat memory, no connection growth;
- faults (bench/faults.py, a private PostgreSQL cluster and redis-server): PostgreSQL restarted
  and stopped under load, Redis stopped under load.

Errors = wrk's socket errors and non-2xx answers plus answers whose status is not OK / RS_OK (the
call history); the issue's bar is under 0.1 % per scenario. Writes bench/loadtest-results.md and
bench/loadtest-results.json; exits 1 when a bar is missed. See docs/LOADTEST.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
import faults  # noqa: E402
import seamless  # noqa: E402

ERROR_BAR = 0.001  # the issue: error rate under 0.1 %
HOT_STREAMS = 16
CHUNK_SECONDS = 10  # 1G bet bodies are signed for a `datetime` that must stay within 10 s


def wrk_install() -> None:
    """wrk from the distribution's packages when missing and we may (root with apt), as
    scripts/test.sh does for chromium."""
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get)...", flush=True)
        subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk", shell=True,
                       check=True, capture_output=True)
        return
    raise SystemExit("wrk is missing: apt-get install wrk (as root)")


# --- request bodies: mixed 1G and Oppi, bets and the settlements of the previous chunk's bets -------


class Bodies:
    def __init__(self, players: int, per_second: int):
        self.players, self.per_second = players, per_second
        self.since: dt.datetime | None = None  # when the previous chunk started: its bets get settled
        self.n = 0

    def chunk(self, seconds: float) -> list[str]:
        from django.utils import timezone

        self.n += 1
        tag = f"{time.strftime('%H%M%S')}c{self.n}"
        count = max(int(seconds * self.per_second / 4), 50)
        streams = [seamless.onegaming_bets(f"g{tag}", count, self.players, False),
                   seamless.oppi_bets(f"o{tag}", count, self.players, False)]
        if self.since is not None:
            streams.append(seamless.onegaming_results(f"g{tag}", _retrying(
                lambda: seamless.applied_bets("onegaming", self.since, count))))
            streams.append(seamless.oppi_payouts(f"o{tag}", _retrying(
                lambda: seamless.applied_bets("oppi", self.since, count))))
        self.since = timezone.now()
        lines = []
        for i in range(max(len(s) for s in streams)):
            lines += [s[i] for s in streams if i < len(s)]
        return lines


def _retrying(query):
    return faults._retrying(query)


def answers_since(since: dt.datetime) -> dict:
    """Statuses the call history recorded since `since`, both providers, every endpoint."""
    from django.db.models import Count

    from providers.models import CallLog

    def query():
        rows = CallLog.objects.filter(created_at__gte=since).values("status_code").annotate(n=Count("pk"))
        return {row["status_code"]: row["n"] for row in rows}

    return _retrying(query)


def not_ok(statuses: dict) -> int:
    return sum(n for status, n in statuses.items() if status not in ("OK", "RS_OK"))


def wrk_phase(name: str, bodies: Bodies, seconds: float, connections: int, rate: float | None = None) -> dict:
    """wrk for `seconds`, in chunks of fresh bodies; `rate` paces the connections (None: closed loop)."""
    from django.utils import timezone

    delay = round(connections * 1000 / rate, 1) if rate else 0
    since = timezone.now()
    runs, left = [], seconds
    while left > 0.5:
        step = min(CHUNK_SECONDS, left)
        runs.append(seamless.wrk(bodies.chunk(step), max(int(round(step)), 1), connections, delay))
        left -= step
    requests = sum(r["requests"] for r in runs)
    duration = sum(r["duration_s"] for r in runs)
    statuses = answers_since(since)
    wrk_errors = sum(v for r in runs for k, v in r.items() if k.startswith("errors_"))
    errors = wrk_errors + not_ok(statuses)
    result = {
        "scenario": name, "connections": connections, "target_per_s": round(rate, 1) if rate else None,
        "requests": requests, "per_s": round(requests / duration, 1) if duration else 0,
        "p50_ms": _weighted(runs, "p50_ms"), "p99_ms": max(r["p99_ms"] for r in runs),
        "max_ms": max(r["max_ms"] for r in runs), "wrk_errors": wrk_errors, "not_ok": not_ok(statuses),
        "errors": errors, "error_rate": round(errors / requests, 5) if requests else None, "statuses": statuses,
    }
    result["passed"] = bool(requests) and errors / requests < ERROR_BAR
    print(json.dumps(result), flush=True)
    return result


def _weighted(runs: list[dict], key: str) -> float:
    total = sum(r["requests"] for r in runs)
    return round(sum(r[key] * r["requests"] for r in runs) / total, 2) if total else 0


# --- the hot wallet: 16 streams on one wallet, exact money --------------------------------------


def hot_wallet(seconds: float) -> dict:
    port, hot = seamless.PORT, seamless.HOT
    start = faults.oppi_balances(port, [hot])[hot]
    ledger, timing = faults.run_streams(port, HOT_STREAMS, lambda k: [hot], f"hot{time.time_ns() % 10**9}",
                                        seconds=seconds)
    answers = [a for _, a in ledger.calls]
    moved = faults.expected_moves(ledger).get(hot, 0)
    final = faults.oppi_balances(port, [hot])[hot]
    ledger_units = _retrying(lambda: _ledger_balance(hot))
    summary = faults.answers_summary(answers)
    latencies = sorted(a.seconds for a in answers) or [0]
    result = {
        "scenario": f"hot wallet ({HOT_STREAMS} streams, one wallet)", **timing, "requests": len(answers),
        "per_s": round(len(answers) / timing["seconds"], 1), "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(summary["p99_s"] * 1000, 2), "max_ms": round(summary["max_s"] * 1000, 2),
        "errors": len(answers) - summary["ok"], "error_rate": round((len(answers) - summary["ok"]) / len(answers), 5),
        "statuses": summary["statuses"], "start_units": start, "bets_minus_wins_units": -moved,
        "expected_units": start + moved, "balance_units": final, "ledger_units": ledger_units,
        "exact": final == start + moved == ledger_units,
    }
    result["passed"] = result["exact"] and result["error_rate"] < ERROR_BAR
    print(json.dumps(result), flush=True)
    return result


def _ledger_balance(player_number: int) -> dict | int:
    """The hot wallet from the ledger itself: its stored balance, and the sum of its transfers."""
    from django.db.models import Sum

    from wallet.models import Account, Transfer

    wallet = Account.objects.get(player__external_id=f"B{player_number}", currency="IDR", kind="wallet")
    credits = Transfer.objects.filter(credit_account=wallet).aggregate(s=Sum("amount"))["s"] or 0
    debits = Transfer.objects.filter(debit_account=wallet).aggregate(s=Sum("amount"))["s"] or 0
    if credits - debits != wallet.balance:
        return {"stored": wallet.balance, "transfers": credits - debits}
    return wallet.balance


# --- the soak: memory and connections over time -------------------------------------------------


class Sampler(threading.Thread):
    def __init__(self, master: int, db: str, every: float = 10):
        super().__init__(daemon=True)
        self.master, self.db, self.every = master, db, every
        self.samples: list[dict] = []
        self.stop = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(seamless.PG + "/postgres", autocommit=True) as conn:
            started = time.monotonic()
            while not self.stop.is_set():
                pids = faults.worker_pids(self.master)
                rss = [_rss_mb(pid) for pid in pids]
                connections = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                                           [self.db]).fetchone()[0]
                self.samples.append({"t": round(time.monotonic() - started, 1), "rss_mb": round(sum(rss), 1),
                                     "worker_rss_mb": [round(r, 1) for r in rss], "workers": len(pids),
                                     "db_connections": connections, "load1": round(os.getloadavg()[0], 2)})
                self.stop.wait(self.every)


def _rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def slope_per_hour(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value), per hour."""
    n = len(points)
    if n < 2:
        return 0.0
    mx, my = sum(p[0] for p in points) / n, sum(p[1] for p in points) / n
    var = sum((p[0] - mx) ** 2 for p in points)
    return 3600 * sum((p[0] - mx) * (p[1] - my) for p in points) / var if var else 0.0


def soak(bodies: Bodies, minutes: float, connections: int, rate: float, master: int, db: str, workers: int) -> dict:
    sampler = Sampler(master, db)
    sampler.start()
    phase = wrk_phase(f"soak {minutes:g} min at 50 % of peak", bodies, minutes * 60, connections, rate)
    sampler.stop.set()
    sampler.join()
    samples = sampler.samples
    steady = [s for s in samples if s["t"] >= 0.1 * minutes * 60] or samples
    window_h = (steady[-1]["t"] - steady[0]["t"]) / 3600 if len(steady) > 1 else 0
    rss_slope = slope_per_hour([(s["t"], s["rss_mb"]) for s in steady])
    conn_slope = slope_per_hour([(s["t"], s["db_connections"]) for s in steady])
    mean_rss = sum(s["rss_mb"] for s in steady) / len(steady)
    pool_max = int(os.environ.get("DB_POOL_MAX_SIZE", "10"))
    memory = {
        "rss_mb_first": steady[0]["rss_mb"], "rss_mb_last": steady[-1]["rss_mb"],
        "rss_mb_max": max(s["rss_mb"] for s in steady), "rss_slope_mb_per_hour": round(rss_slope, 2),
        "rss_fitted_change_mb": round(rss_slope * window_h, 2),
        "workers_first_last": [steady[0]["workers"], steady[-1]["workers"]],
        # flat: the fitted growth over the window is under 5 % of the workers' mean RSS
        "flat": abs(rss_slope * window_h) < 0.05 * mean_rss and steady[0]["workers"] == steady[-1]["workers"],
    }
    conns = {
        "db_connections_first": steady[0]["db_connections"], "db_connections_last": steady[-1]["db_connections"],
        "db_connections_max": max(s["db_connections"] for s in steady),
        "slope_per_hour": round(conn_slope, 2), "fitted_change": round(conn_slope * window_h, 2),
        "bound": workers * pool_max,
        # no growth: under one connection over the window, and never above workers x pool size
        "no_growth": conn_slope * window_h < 1 and max(s["db_connections"] for s in steady) <= workers * pool_max,
    }
    result = {**phase, "memory": memory, "db_connections": conns, "samples": samples}
    result["passed"] = phase["passed"] and memory["flat"] and conns["no_growth"]
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}), flush=True)
    return result


# --- the run ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="loadtest_backoffice")
    parser.add_argument("--players", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--step-seconds", type=float, default=10, help="baseline, each ramp step, each spike phase")
    parser.add_argument("--hot-seconds", type=float, default=20)
    parser.add_argument("--soak-minutes", type=float, default=30)
    parser.add_argument("--bodies-per-second", type=int, default=1500)
    parser.add_argument("--no-faults", action="store_true", help="skip bench/faults.py")
    parser.add_argument("--only", default="", help="baseline always runs; then only scenarios containing this")
    parser.add_argument("--out", default=str(BENCH / "loadtest-results.md"))
    parser.add_argument("--report-only", action="store_true", help="rewrite the .md from the .json beside it")
    args = parser.parse_args()
    if args.report_only:
        out = Path(args.out)
        report_write(out, json.loads(out.with_suffix(".json").read_text()))
        return
    wrk_install()
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    seamless.PORT = faults.free_port()  # not make bench's port: both may run at once
    seamless.database_prepare(args.db, args.players)
    bodies = Bodies(args.players, args.bodies_per_second)
    results: list[dict] = []
    (ROOT / "var").mkdir(exist_ok=True)
    with faults._stderr_to(ROOT / "var" / "loadtest-gunicorn.log"):
        server = seamless.server_start(args.db, args.workers)

    def wanted(name: str) -> bool:
        return not args.only or args.only in name

    try:
        seamless.wrk(bodies.chunk(2), 2, args.connections)  # warm-up (not counted)
        base = wrk_phase("baseline (closed loop)", bodies, args.step_seconds, args.connections)
        results.append(base)
        peak = max(base["per_s"], 10.0)
        if wanted("ramp"):
            for share in (0.25, 0.5, 0.75, 1.0, 1.25):
                results.append(wrk_phase(f"ramp {share:.0%} of peak", bodies, args.step_seconds, 16, peak * share))
        if wanted("hot"):
            results.append(hot_wallet(args.hot_seconds))
        if wanted("spike"):
            for name, conns, rate in (("spike: before (30 % of peak)", 16, peak * 0.3),
                                      ("spike: 64 connections, closed loop", 64, None),
                                      ("spike: after (30 % of peak)", 16, peak * 0.3)):
                results.append(wrk_phase(name, bodies, args.step_seconds, conns, rate))
        if wanted("soak") and args.soak_minutes > 0:
            results.append(soak(bodies, args.soak_minutes, 16, peak * 0.5, server.pid, args.db, args.workers))
    finally:
        server.terminate()
        server.wait()
    check = faults.ledger_check(f"{seamless.PG}/{args.db}")
    fault_results = None
    if not args.no_faults and wanted("fault"):
        run = subprocess.run([sys.executable, str(BENCH / "faults.py")], capture_output=True, text=True, cwd=ROOT)
        line = next((x for x in run.stdout.splitlines() if x.startswith("FAULTSJSON ")), None)
        fault_results = json.loads(line.split(" ", 1)[1]) if line else {"passed": False, "stderr": run.stderr[-2000:]}
        print(json.dumps({k: fault_results.get(k) for k in ("passed",)}), flush=True)
    summary = {"when": started.isoformat(timespec="seconds"), "cores": os.cpu_count(),
               "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in os.getloadavg()],
               "args": {k: v for k, v in vars(args).items() if k != "out"}, "results": results,
               "ledger_check": check, "faults": fault_results}
    summary["passed"] = (all(r["passed"] for r in results) and bool(check.get("ok"))
                         and (fault_results is None or fault_results.get("passed")))
    report_write(Path(args.out), summary)
    sys.exit(0 if summary["passed"] else 1)


def report_write(out: Path, summary: dict) -> None:
    out.with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n")
    args = summary["args"]
    rows = "\n".join(
        f"| {r['scenario']} | {r.get('connections', HOT_STREAMS)} | {r.get('target_per_s') or '—'} | **{r['per_s']}** "
        f"| {r['p50_ms']} / {r['p99_ms']} / {r['max_ms']} | {r['errors']} / {r['requests']} "
        f"({(r['error_rate'] or 0):.3%}) | {'pass' if r['passed'] else '**FAIL**'} |"
        for r in summary["results"])
    parts = [f"""# Load, faults and endurance

Command: `make loadtest` (= `.venv/bin/python bench/loadtest.py --soak-minutes {args['soak_minutes']:g} --workers \
{args['workers']} --connections {args['connections']} --players {args['players']}`), {summary['when']},
{summary['cores']} cores shared by wrk, gunicorn, PostgreSQL and other work (load average before
{summary['load_before']} / after {summary['load_after']}). gunicorn {args['workers']} sync workers; 1G and Oppi
callbacks mixed (bets and the settlements of earlier bets). Errors = wrk socket errors and non-2xx
+ answers not OK / RS_OK; the bar is under 0.1 %. See docs/LOADTEST.md for how to read this.

| scenario | connections / streams | target/s | requests/s | p50 / p99 / max ms | errors / requests | |
|---|---|---|---|---|---|---|
{rows}

ledger_check after the run: {'ok' if summary['ledger_check'].get('ok') else 'VIOLATIONS'}.
"""]
    hot = next((r for r in summary["results"] if r["scenario"].startswith("hot")), None)
    if hot:
        parts.append(f"""
Hot wallet: start {hot['start_units']} units, bets minus wins answered OK {hot['bets_minus_wins_units']},
expected {hot['expected_units']}, balance answered {hot['balance_units']}, ledger (stored = sum of transfers)
{hot['ledger_units']}: **{'exact' if hot['exact'] else 'NOT EXACT'}** (units of 1/100000 IDR).
""")
    soak_result = next((r for r in summary["results"] if r["scenario"].startswith("soak")), None)
    if soak_result:
        m, c = soak_result["memory"], soak_result["db_connections"]
        parts.append(f"""
Soak: workers' total RSS {m['rss_mb_first']} → {m['rss_mb_last']} MB (max {m['rss_mb_max']}), slope
{m['rss_slope_mb_per_hour']} MB/h, fitted change over the steady window {m['rss_fitted_change_mb']} MB:
**{'flat' if m['flat'] else 'GROWING'}**. Database connections {c['db_connections_first']} → \
{c['db_connections_last']} (max {c['db_connections_max']}, bound {c['bound']}), slope {c['slope_per_hour']}/h:
**{'no growth' if c['no_growth'] else 'GROWING'}**. Samples every 10 s in loadtest-results.json.
""")
    f = summary.get("faults")
    if f:
        for name, title in (("pg-restart", "PostgreSQL restarted under load (`pg_ctl restart -m fast`, then stopped "
                                           f"{f['args']['outage_seconds']:g} s)"),
                            ("pg-down-long", f"PostgreSQL stopped {f['args'].get('long_outage_seconds', 0):g} s "
                                             "under load (past DB_POOL_TIMEOUT)")):
            pg = f.get(name)
            if not pg:
                continue
            parts.append(f"""
{title}, private cluster: {pg['all']['answers']} answers, statuses {pg['all']['statuses']}, slowest
{pg['all']['max_s']} s; not a spec status: {pg['all']['not_spec']}; answers sent \
{f['args']['recovery_seconds']:g} s after the outage: {pg['after_recovery']['ok']}/{pg['after_recovery']['answers']} OK;
same gunicorn workers: {pg['same_processes']}; refused calls retried: {pg['retried']['ok']}/\
{pg['retried']['answers']} OK; balances exact for {pg['money']['players_exact']} players (wrong:
{len(pg['money']['players_wrong'])}); OK answers without their game transaction:
{len(pg['money']['ok_calls_without_transaction'])}; ledger_check: {pg['ledger_check_ok']}:
**{'pass' if pg['passed'] else 'FAIL'}**.
""")
        rd = f.get("redis-stop")
        if rd:
            parts.append(f"""
Redis stopped under load (private redis-server, the app's REDIS_URL and CELERY_BROKER_URL): /healthz
while down {rd.get('healthz_while_down')}; callbacks while down {rd['while_redis_down']['ok']}/\
{rd['while_redis_down']['answers']} OK: **{'pass' if rd['passed'] else 'FAIL'}**.
""")
    parts.append(f"\n```json\n{json.dumps({k: v for k, v in summary.items() if k != 'results'})}\n```\n")
    out.write_text("".join(parts))


if __name__ == "__main__":
    main()
