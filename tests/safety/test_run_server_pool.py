"""Issue 8: under the run command (Django's threaded runserver) on PostgreSQL, a burst of signed 1G
bets queues for a bounded pool of database connections instead of failing with UNKNOWN_ERROR
("too many clients already") as persistent per-thread connections did."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest
from django.db import connection

from tests.conftest import funded_wallet
from tests.factories import OneGamingIntegrationFactory, PlayerFactory
from tests.onegaming.wire import launch
from wallet.checks import ledger_violations
from wallet.models import GameTransaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
THREADS = 16
BETS = 300
POOL_MAX = 4
APP_NAME = f"burst-runserver-{os.getpid()}"
AGENT, SECRET = "BURST", "burst-secret-1g"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_runserver(port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": _database_url(), "DEBUG": "true",
        "DB_POOL_MAX_SIZE": str(POOL_MAX), "DB_POOL_MIN_SIZE": "1", "DB_POOL_TIMEOUT": "60",
        "PGAPPNAME": APP_NAME,  # libpq: every connection of the server process carries this name
        "REDIS_URL": "", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
    })
    return subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload",
                             f"127.0.0.1:{port}"], cwd="/", env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _wait_until_up(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"runserver exited: {proc.stdout.read()[-3000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise AssertionError("runserver did not come up in 120 s")


class ConnectionSampler(threading.Thread):
    """Counts the server process's PostgreSQL connections every few milliseconds; keeps the peak."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0
        self.stop = threading.Event()

    def run(self):
        s = connection.settings_dict
        with psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                             password=s["PASSWORD"] or None, dbname="postgres", autocommit=True) as conn:
            while not self.stop.is_set():
                count = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                                     [APP_NAME]).fetchone()[0]
                self.peak = max(self.peak, count)
                time.sleep(0.01)


def _signed_bet(player_id: str, token: str, n: int) -> tuple[bytes, str]:
    """A 1G bet as the spec builds it: JSON body, UG-Data-Signature = hex HMAC-SHA256(secret, body)."""
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    body = json.dumps({"agent_code": AGENT, "request_id": f"req-{uuid.uuid4().hex[:12]}", "datetime": stamp,
                       "player_id": player_id, "l_token": token, "currency": "USD", "game_id": 301,
                       "round_id": f"burst-{n}", "txn_id": f"burst-bet-{n}", "txn_ticket": f"burst-ticket-{n}",
                       "amount": "1.00"}).encode()
    return body, hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_three_hundred_signed_bets_from_sixteen_threads_under_runserver_on_postgresql():
    integration = OneGamingIntegrationFactory(agent_code=AGENT, secret=SECRET)
    gamblers = []
    for n in range(THREADS):
        player = PlayerFactory(external_id=f"BURST{n:02d}")
        funded_wallet(player, "USD", "100.00")
        gamblers.append((player.external_id, launch(integration, player, minutes_valid=60).token))

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _start_runserver(port)
    sampler = ConnectionSampler()
    answers: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(offset: int) -> None:
        player_id, token = gamblers[offset]
        with httpx.Client(timeout=120) as client:  # keep-alive, as a provider's HTTP client does
            for n in range(offset, BETS, THREADS):
                body, signature = _signed_bet(player_id, token, n)
                try:
                    response = client.post(f"{base}/api/onegaming/bet", content=body,
                                           headers={"Content-Type": "application/json",
                                                    "UG-Data-Signature": signature})
                    status = response.json()["status"] if response.status_code == 200 else f"HTTP {response.status_code}"
                except (httpx.HTTPError, ValueError) as exc:
                    status = f"{type(exc).__name__}"
                with lock:
                    answers.append(status)

    try:
        _wait_until_up(base, proc)
        sampler.start()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        sampler.stop.set()
        proc.terminate()
        try:
            output = proc.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            output = proc.communicate()[0]
        sampler.join(timeout=10)

    print(f"{BETS} bets from {THREADS} threads in {elapsed:.1f} s; peak server connections {sampler.peak}")
    assert len(answers) == BETS and not errors
    assert answers.count("UNKNOWN_ERROR") == 0, output[-3000:]
    assert answers.count("OK") == BETS, {s: answers.count(s) for s in set(answers)}
    # Bounded: the server never held more connections than its pool allows.
    assert 1 <= sampler.peak <= POOL_MAX, sampler.peak
    assert GameTransaction.objects.filter(ticket__startswith="burst-ticket-").count() == BETS
    assert ledger_violations() == []
