"""Fault scenarios: PostgreSQL restarted and Redis stopped while the seamless callbacks are under load.

    .venv/bin/python bench/faults.py [--seconds 20] [--streams 8] [--workers 2] [--players 40] [--short]

Never touches the machine's shared servers: it runs a private throwaway PostgreSQL cluster
(initdb into a temporary directory, as user `postgres` when run as root, on a free port) and a
private redis-server on another free port, and points one gunicorn (config.wsgi, sync workers,
the database settings of bench/gunicorn_bench.py) at them: DATABASE_URL on the private cluster,
REDIS_URL and CELERY_BROKER_URL on the private Redis. Streams of real callbacks (1G bet then result, Oppi bet
then payout, each signed just before it is sent) run in threads, one HTTP call at a time each,
and every answer is kept:

1. pg-restart: `pg_ctl restart -m fast` (and `stop`, a pause, `start`: an outage of
   `--outage-seconds`) in the middle of the load. Every answer must be HTTP 200 JSON with one of
   the spec's statuses for its provider (1G section 5, Oppi section 3); afterwards the same
   gunicorn processes (same pids) must answer OK again; each call that was refused is retried
   with the same ids, as the providers do; then every player's balance must equal exactly its
   start minus the bets plus the wins that were answered OK (computed here from what was sent,
   never from the app's own figures), every answered-OK call must have its game transaction,
   and `manage.py ledger_check` must pass.
2. pg-down-long: PostgreSQL stopped `--long-outage-seconds` (default 40, past DB_POOL_TIMEOUT),
   the same checks (not in --short: the CI version).
3. redis-stop: the private redis-server is stopped in the middle of the load (and started
   again after): every seamless callback must keep answering OK.

Prints one JSON line per scenario and a last line `FAULTSJSON {...}`; exits 1 when a check fails.
Also imported by bench/loadtest.py and tests/faults/ (the short CI version).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
import seamless  # noqa: E402  (bench/seamless.py: database, bodies and gunicorn helpers)

# The statuses each provider's spec allows: one list, written out from the spec in
# tests/spec_statuses.py (the CI tests' oracle too), never taken from the app's code.
sys.path.insert(0, str(ROOT))
from tests.spec_statuses import ONEGAMING as ONEGAMING_STATUSES  # noqa: E402
from tests.spec_statuses import OPPI as OPPI_STATUSES  # noqa: E402

OK = {"onegaming": "OK", "oppi": "RS_OK"}
SCENARIOS = ("pg-restart", "pg-down-long", "redis-stop")


def spec_statuses(provider: str) -> frozenset:
    return ONEGAMING_STATUSES if provider == "onegaming" else OPPI_STATUSES


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*args: str) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise RuntimeError(f"{name} not found (PostgreSQL server binaries)")


def private_servers_available() -> str:
    """'' when a private PostgreSQL cluster and redis-server can be started here, else why not."""
    try:
        _pg_bin("initdb"), _pg_bin("pg_ctl")
    except RuntimeError as exc:
        return str(exc)
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser"
    if not shutil.which("redis-server"):
        return "redis-server not found"
    return ""


class PrivatePostgres:
    """A throwaway PostgreSQL cluster in a temporary directory, on a free port (trust auth)."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="loadtest-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"

    def _ctl(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(_as_postgres(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", *args),
                       check=True, capture_output=True, text=True, timeout=timeout)

    def init(self) -> PrivatePostgres:
        subprocess.run(_as_postgres(_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                                    "--no-sync", "-E", "UTF8"), check=True, capture_output=True, text=True)
        with open(self.data / "postgresql.conf", "a") as conf:
            # Throwaway: no fsync (a clean or fast shutdown still writes everything out).
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.dir}'\nfsync = off\nfull_page_writes = off\n"
                       "max_connections = 100\n")
        self.start()
        return self

    def start(self) -> None:
        self._ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        self._ctl("restart", "-m", mode)

    def url(self, db: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self._ctl("stop", "-m", "immediate", timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """A throwaway redis-server on a free port (no persistence)."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return self
            time.sleep(0.05)
        raise RuntimeError("private redis-server did not come up")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


# --- the client: streams of signed callbacks, every answer kept ---------------------------------


@dataclass
class Answer:
    provider: str
    call: str
    ids: dict
    sent: float
    seconds: float
    http: int | None  # None: no HTTP answer (connection refused, reset, timeout)
    status: str | None  # the JSON `status`, None when there is none
    error: str = ""
    balance: object = None

    @property
    def ok(self) -> bool:
        return self.http == 200 and self.status == OK[self.provider]

    @property
    def spec(self) -> bool:
        """An answer the provider's spec allows: HTTP 200 JSON with one of its statuses."""
        return self.http == 200 and self.status in spec_statuses(self.provider)


def _split(line: str) -> tuple[str, dict, bytes]:
    parts = line.split("\t")
    n = int(parts[1])
    headers = {parts[2 + 2 * k]: parts[3 + 2 * k] for k in range(n)}
    headers["Content-Type"] = "application/json"
    return parts[0], headers, parts[2 + 2 * n].encode()


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def signed(provider: str, call: str, payload: dict) -> tuple[str, dict, bytes]:
    """Path, headers and body of a callback signed now (1G `datetime` now; Oppi `x-timestamp` now)."""
    if provider == "onegaming":
        return _split(seamless.onegaming_line(call, {"request_id": f"r{random.getrandbits(48):x}",
                                                     "datetime": _stamp(), **payload}))
    path, headers, body = _split(seamless.oppi_line(call, payload))
    return path.replace("/transaction/user/", "/user/"), headers, body  # oppi_line's paths are /transaction/*


class Client:
    """One keep-alive HTTP connection (gunicorn's sync workers close it after each answer, and
    http.client opens a new one): one call at a time, like one provider connection."""

    def __init__(self, port: int, timeout: float = 60):
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def call(self, provider: str, call: str, payload: dict, ids: dict) -> Answer:
        path, headers, body = signed(provider, call, payload)
        started = time.monotonic()
        http_status = status = balance = None
        error = ""
        try:
            self.conn.request("POST", path, body=body, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
            http_status = response.status
            try:
                answer = json.loads(raw)
                status = answer.get("status") if isinstance(answer, dict) else None
                balance = answer.get("balance") if isinstance(answer, dict) else None
            except ValueError:
                error = f"not JSON: {raw[:80]!r}"
        except (OSError, http.client.HTTPException) as exc:
            error = f"{exc.__class__.__name__}: {exc}"
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return Answer(provider, call, ids, started, time.monotonic() - started, http_status, status, error, balance)


def onegaming_round(player: int, tag: str, amount_cents: int, win_cents: int) -> list[tuple]:
    """A 1G bet then its result on one ticket: (provider, call, payload, ids, units moved)."""
    common = {"player_id": f"B{player}", "currency": "IDR", "game_id": "301", "round_id": f"R-{tag}",
              "txn_ticket": f"T-{tag}"}
    return [("onegaming", "bet", {**common, "l_token": f"tok-onegaming-B{player}", "txn_id": f"B-{tag}",
                                  "amount": f"{amount_cents // 100}.{amount_cents % 100:02d}"},
             {"player": player, "external_id": f"B-{tag}"}, -amount_cents * 1000),
            ("onegaming", "result", {**common, "txn_id": f"W-{tag}",
                                     "amount": f"{win_cents // 100}.{win_cents % 100:02d}"},
             {"player": player, "external_id": f"W-{tag}"}, win_cents * 1000)]


def oppi_round(player: int, tag: str, amount: int, win: int) -> list[tuple]:
    """An Oppi bet then its payout (amounts on the x100000 scale: the ledger's units)."""
    common = {"sessionId": f"tok-oppi-B{player}", "playerId": f"B{player}", "gameId": "bench-game", "currency": "IDR"}
    return [("oppi", "bet", {**common, "transactionId": f"OB-{tag}", "amount": amount},
             {"player": player, "external_id": f"OB-{tag}"}, -amount),
            ("oppi", "payout", {**common, "transactionId": f"OP-{tag}", "refTransactionId": f"OB-{tag}",
                                "amount": win, "isWin": win > 0},
             {"player": player, "external_id": f"OP-{tag}"}, win)]


@dataclass
class Ledger:
    """What the client knows it moved: per player, the units of every call answered OK."""

    moved: dict = field(default_factory=dict)
    calls: list = field(default_factory=list)  # (step, answer) in the order answered
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, step: tuple, answer: Answer) -> None:
        with self.lock:
            self.calls.append((step, answer))


def stream(port: int, players: list[int], tag: str, stop: threading.Event, ledger: Ledger, *,
           max_rounds: int | None = None, seed: int = 0) -> None:
    """Rounds on the given players, alternating 1G and Oppi, until `stop` (or max_rounds): each
    round's win is sent only when its bet was answered OK (as a provider would)."""
    rng = random.Random(seed)
    client = Client(port)
    n = 0
    while not stop.is_set() and (max_rounds is None or n < max_rounds):
        player = players[n % len(players)]
        if n % 2 == 0:
            cents = rng.randint(1, 999)  # 0.01 .. 9.99
            steps = onegaming_round(player, f"{tag}-{n}", cents, rng.choice([0, cents * 2, rng.randint(1, 2000)]))
        else:
            units = rng.randint(1, 999_999)  # five fractional digits: 0.00001 .. 9.99999
            steps = oppi_round(player, f"{tag}-{n}", units, rng.choice([0, units * 2, rng.randint(1, 2_000_000)]))
        for step in steps:
            answer = client.call(*step[:4])
            ledger.note(step, answer)
            if not answer.ok:
                break  # a refused bet is not settled (its retry comes later, with the same ids)
        n += 1


def run_streams(port: int, streams: int, players_of, tag: str, *, seconds: float | None = None,
                max_rounds: int | None = None, during=None, tail: float = 0) -> tuple[Ledger, dict]:
    """`streams` threads, stream k on players_of(k); `during(stop)` runs in this thread meanwhile
    (the fault), then the streams run for the rest of `seconds`, and at least `tail` seconds more.
    Returns the answers and timings."""
    ledger, stop = Ledger(), threading.Event()
    threads = [threading.Thread(target=stream, args=(port, players_of(k), f"{tag}s{k}", stop, ledger),
                                kwargs={"max_rounds": max_rounds, "seed": k}, daemon=True) for k in range(streams)]
    started = time.monotonic()
    for t in threads:
        t.start()
    marks = during(stop) if during else {}
    if seconds is not None:
        until = max(started + seconds, time.monotonic() + tail)
        while time.monotonic() < until and any(t.is_alive() for t in threads):
            time.sleep(0.1)
        stop.set()
    for t in threads:
        t.join()
    return ledger, {"seconds": round(time.monotonic() - started, 2), **(marks or {})}


def retry_refused(port: int, ledger: Ledger) -> list[Answer]:
    """Send again, with the same ids (signed anew), every call whose last answer was not OK, as a
    provider retries; a bet answered OK only now gets its win sent too. Returns the new answers."""
    last: dict = {}
    for step, answer in ledger.calls:
        last[step[3]["external_id"]] = (step, answer)
    client, again = Client(port), []
    for step, answer in list(last.values()):
        if answer.ok:
            continue
        retried = client.call(*step[:4])
        ledger.note(step, retried)
        again.append(retried)
    return again


def expected_moves(ledger: Ledger) -> dict[int, int]:
    """Per player, the units moved by the calls whose last answer was OK (the client's own sums)."""
    last: dict = {}
    for step, answer in ledger.calls:
        last[step[3]["external_id"]] = (step, answer)
    moved: dict[int, int] = {}
    for step, answer in last.values():
        if answer.ok:
            moved[step[3]["player"]] = moved.get(step[3]["player"], 0) + step[4]
    return moved


def oppi_balances(port: int, players: list[int]) -> dict[int, int]:
    """Each player's balance as the Oppi balance callback answers it (x100000: exact)."""
    client, out = Client(port), {}
    for p in players:
        a = client.call("oppi", "user/balance", {"sessionId": f"tok-oppi-B{p}", "playerId": f"B{p}"}, {})
        if not a.ok:
            raise RuntimeError(f"balance of B{p}: {a}")
        out[p] = int(a.balance)
    return out


def ledger_check(db_url: str) -> dict:
    run = subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "ledger_check"], cwd=ROOT, text=True,
                         capture_output=True, env={**os.environ, "DATABASE_URL": db_url})
    try:
        return {**json.loads(run.stdout.strip().splitlines()[-1]), "exit": run.returncode}
    except (ValueError, IndexError):
        return {"ok": False, "exit": run.returncode, "stderr": run.stderr[-500:]}


def worker_pids(master: int) -> list[int]:
    with contextlib.suppress(OSError):
        return sorted(int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split())
    return []


def answers_summary(answers: list[Answer]) -> dict:
    statuses: dict = {}
    for a in answers:
        key = f"{a.provider}:{a.http}:{a.status}" if a.http else f"{a.provider}:no answer ({a.error.split(':')[0]})"
        statuses[key] = statuses.get(key, 0) + 1
    latencies = sorted(a.seconds for a in answers) or [0]
    return {"answers": len(answers), "ok": sum(a.ok for a in answers),
            "not_spec": sum(not a.spec for a in answers), "statuses": statuses,
            "max_s": round(latencies[-1], 3), "p99_s": round(latencies[int(0.99 * (len(latencies) - 1))], 3)}


def _retrying(query):
    """Run a query here (the checker's own Django, pooled too): a pooled connection that the
    restart closed fails once, as in the app's workers; the next one is fresh."""
    from django.db import OperationalError, connection

    for attempt in range(5):
        try:
            return query()
        except OperationalError:
            connection.close()
            if attempt == 4:
                raise
            time.sleep(0.5)


def applied_external_ids(ids: list[str]) -> set[str]:
    return _retrying(lambda: _applied_external_ids(ids))


def _applied_external_ids(ids: list[str]) -> set[str]:
    from wallet.models import GameOutcome, GameTransaction

    found = set()
    for start in range(0, len(ids), 1000):
        found |= set(GameTransaction.objects.filter(external_id__in=ids[start:start + 1000],
                                                    outcome=GameOutcome.APPLIED).values_list("external_id", flat=True))
    return found


def money_check(port: int, ledger: Ledger, players: list[int], start: dict[int, int]) -> dict:
    """Exact balances (start - bets + wins answered OK) and one game transaction per OK call."""
    moved = expected_moves(ledger)
    final = oppi_balances(port, players)
    wrong = {p: {"start": start[p], "expected": start[p] + moved.get(p, 0), "balance": final[p]}
             for p in players if final[p] != start[p] + moved.get(p, 0)}
    last: dict = {}
    for step, answer in ledger.calls:
        last[step[3]["external_id"]] = answer
    ok_ids = [i for i, a in last.items() if a.ok]
    missing = sorted(set(ok_ids) - applied_external_ids(ok_ids))
    not_ok_ids = [i for i, a in last.items() if not a.ok]
    applied_anyway = sorted(applied_external_ids(not_ok_ids))
    return {"players_exact": len(players) - len(wrong), "players_wrong": wrong, "ok_calls_without_transaction":
            missing[:10], "refused_calls_applied": applied_anyway[:10], "units_moved": sum(moved.values())}


# --- the scenarios ------------------------------------------------------------------------------


def scenario_pg_restart(pg: PrivatePostgres, server: subprocess.Popen, db: str, args, players: list[int],
                        name: str = "pg-restart", outage: float | None = None, restart_first: bool = True) -> dict:
    port = seamless.PORT
    start = oppi_balances(port, players)
    pids_before = worker_pids(server.pid)
    marks = {}

    def fault(stop: threading.Event) -> dict:
        time.sleep(args.before)
        t0 = time.monotonic()
        if restart_first:
            pg.restart("fast")
            marks["restart_s"] = round(time.monotonic() - t0, 2)
            time.sleep(args.before / 2)
        t1 = time.monotonic()
        pg.stop("fast")
        time.sleep(args.outage_seconds if outage is None else outage)
        pg.start()
        marks["outage_s"] = round(time.monotonic() - t1, 2)
        marks["fault_started_at"], marks["fault_ended_at"] = t0, time.monotonic()
        return marks

    streams_players = _partition(players, args.streams)
    # After a long outage the callers' backlog drains first: keep the load on long enough to see
    # answers sent well after it.
    tail = args.recovery_seconds + (2 if restart_first else 10)
    ledger, timing = run_streams(port, args.streams, lambda k: streams_players[k], f"pg{time.time_ns() % 10**9}",
                                 seconds=args.seconds, during=fault, tail=tail)
    answers = [a for _, a in ledger.calls]
    during = [a for a in answers if a.sent >= marks["fault_started_at"] - 0.5]
    after = [a for a in answers if a.sent >= marks["fault_ended_at"] + args.recovery_seconds]
    retried = retry_refused(port, ledger)
    pids_after = worker_pids(server.pid)
    money = money_check(port, ledger, players, start)
    check = ledger_check(seamless.PG + "/" + db)
    result = {
        "scenario": name, **timing, "all": answers_summary(answers), "from_fault_on": answers_summary(during),
        "after_recovery": answers_summary(after), "retried": answers_summary(retried),
        "same_processes": pids_before == pids_after and server.poll() is None, "worker_pids": pids_after,
        "money": money, "ledger_check_ok": bool(check.get("ok")) and check.get("exit") == 0,
    }
    result["passed"] = bool(
        result["all"]["not_spec"] == 0 and result["retried"]["not_spec"] == 0 and result["retried"]["ok"] == len(retried)
        and after and all(a.ok for a in after) and result["same_processes"] and not money["players_wrong"]
        and not money["ok_calls_without_transaction"] and result["ledger_check_ok"])
    return result


def scenario_redis_stop(redis: PrivateRedis, server: subprocess.Popen, args, players: list[int]) -> dict:
    port = seamless.PORT
    marks = {}

    def fault(stop: threading.Event) -> dict:
        time.sleep(args.before)
        marks["stopped_at"] = time.monotonic()
        redis.stop()
        health = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                 f"http://127.0.0.1:{port}/healthz"], capture_output=True, text=True).stdout
        time.sleep(max(args.seconds - 2 * args.before, 1))
        redis.start()
        marks["restarted_at"] = time.monotonic()
        return {"healthz_while_down": health}

    streams_players = _partition(players, args.streams)
    ledger, timing = run_streams(port, args.streams, lambda k: streams_players[k], f"rd{time.time_ns() % 10**9}",
                                 seconds=args.seconds, during=fault, tail=1)
    answers = [a for _, a in ledger.calls]
    down = [a for a in answers if marks["stopped_at"] <= a.sent <= marks["restarted_at"]]
    result = {"scenario": "redis-stop", **timing, "all": answers_summary(answers),
              "while_redis_down": answers_summary(down)}
    result["passed"] = bool(down) and all(a.ok for a in answers)
    return result


def _partition(players: list[int], streams: int) -> list[list[int]]:
    return [players[k::streams] or players[:1] for k in range(streams)]


@contextlib.contextmanager
def _stderr_to(path: Path):
    """The server's log lines (one per refused call during an outage) go to a file, not the terminal."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20, help="load per scenario")
    parser.add_argument("--before", type=float, default=5, help="load before the fault")
    parser.add_argument("--outage-seconds", type=float, default=5, help="pg-restart: then stopped this long")
    parser.add_argument("--recovery-seconds", type=float, default=3,
                        help="answers sent this long after the outage must all be OK")
    parser.add_argument("--streams", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--players", type=int, default=40)
    parser.add_argument("--long-outage-seconds", type=float, default=40,
                        help="pg-down-long: PostgreSQL stopped this long, past DB_POOL_TIMEOUT (0: skip)")
    parser.add_argument("--only", choices=SCENARIOS, default=None)
    parser.add_argument("--short", action="store_true", help="the CI version: a few seconds of load each")
    args = parser.parse_args(argv)
    if args.short:
        args.seconds, args.before, args.outage_seconds, args.recovery_seconds = 6, 2, 2, 2
        args.streams, args.workers, args.players = 4, 2, 8
        args.long_outage_seconds = 0
    why = private_servers_available()
    if why:
        raise SystemExit(f"cannot run the fault scenarios: {why}")
    pg, redis, server = PrivatePostgres(), PrivateRedis(), None
    results: dict = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "args": vars(args)}
    try:
        pg.init()
        redis.start()
        seamless.PG = f"postgres://postgres@127.0.0.1:{pg.port}"
        seamless.PORT = free_port()
        os.environ["PGPORT"] = str(pg.port)  # seamless.database_prepare's psql
        os.environ.update({"REDIS_URL": redis.url(0), "CELERY_BROKER_URL": redis.url(1)})
        db = "faults"
        seamless.database_prepare(db, args.players)
        (ROOT / "var").mkdir(exist_ok=True)
        with _stderr_to(ROOT / "var" / "faults-gunicorn.log"):
            server = seamless.server_start(db, args.workers)
        players = list(range(1, args.players + 1))
        # Warm-up: every worker connects and fills its caches.
        run_streams(seamless.PORT, args.streams, lambda k: [players[k % len(players)]], "warm", max_rounds=4)
        for name in SCENARIOS:
            if (args.only and args.only != name) or (name == "pg-down-long" and not args.long_outage_seconds):
                continue
            if name == "pg-restart":
                result = scenario_pg_restart(pg, server, db, args, players)
            elif name == "pg-down-long":
                # Longer than DB_POOL_TIMEOUT: each waiting call gives up and answers an error status.
                result = scenario_pg_restart(pg, server, db, args, players, name=name, restart_first=False,
                                             outage=args.long_outage_seconds)
            else:
                result = scenario_redis_stop(redis, server, args, players)
            print(json.dumps(result), flush=True)
            results[name] = result
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        redis.stop()
        pg.destroy()
    results["passed"] = all(results[n]["passed"] for n in SCENARIOS if n in results)
    print("FAULTSJSON " + json.dumps(results), flush=True)
    return results


if __name__ == "__main__":
    sys.exit(0 if main()["passed"] else 1)
