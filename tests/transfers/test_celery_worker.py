"""A real Celery worker on Redis (not eager) killed in the middle of a transfer.

The worker runs as a subprocess on the test database; the fake 1G applies the deposit and then
holds the answer, the test kills the worker (SIGKILL, so nothing is acknowledged or cleaned
up), starts a new worker with celery-beat, and the stuck-order resolver finishes the order:
from 1G's records, without sending it again, with the money moved once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app
from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from transfers import start
from transfers.models import OrderState, TransferOrder
from wallet.checks import ledger_violations
from wallet.models import Account, AccountKind
from wallet.money import to_units

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
# Generous: two cores shared by many processes; a worker can take a while to start.
WAIT = 240


def _database_url() -> str:
    cfg = connection.settings_dict
    password = f":{cfg['PASSWORD']}" if cfg.get("PASSWORD") else ""
    return f"postgres://{cfg['USER']}{password}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{cfg['NAME']}"


def _worker(broker: str, log: Path, *, beat: bool, schedule: Path) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": _database_url(),
           "CELERY_BROKER_URL": broker, "ONEGAMING_READ_TIMEOUT": "600", "ONEGAMING_CONNECT_TIMEOUT": "5",
           "TRANSFER_SENDING_STALE": "3", "TRANSFER_RESOLVER_EVERY": "2", "TRANSFER_RECONCILE_EVERY": "3600",
           "GAMES_SYNC_EVERY": "86400", "CONN_MAX_AGE": "0"}
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-l", "info",
               "--without-gossip", "--without-mingle", "-n", f"transfer-test-{time.monotonic_ns()}@%h"]
    if beat:
        command += ["-B", "--schedule", str(schedule)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _wait_for(predicate, what: str, log: Path, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{tail}")


@pytest.fixture
def broker():
    import redis

    url = os.environ["TEST_REDIS_URL"]
    redis.Redis.from_url(url).flushdb()  # our own Redis db only
    previous = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    _fresh_pools()  # an earlier test may have built the producer pool for the default broker
    app.conf.update(task_always_eager=False, broker_url=url)
    yield url
    app.conf.update(**previous)
    _fresh_pools()
    redis.Redis.from_url(url).flushdb()


def _fresh_pools() -> None:
    """Close every kombu pool of this process and make the app build new ones from its config
    (even eager apply_async takes a producer from the pool)."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def test_worker_killed_mid_transfer_order_still_ends_right(fake_1g, transfer_1g, broker, tmp_path):
    player = PlayerFactory(external_id="CW0001", username="Cele")
    funded_wallet(player, "IDR", "500.00")
    fake_1g.delay = 600  # the answer never comes while the first worker lives
    fake_1g.fault("deposit", "delay_after_apply")
    log = tmp_path / "worker.log"
    first = _worker(broker, log, beat=False, schedule=tmp_path / "beat")
    second = None
    try:
        order = start.transfer_start(integration=transfer_1g, player=player, currency="IDR",
                                        direction="deposit", amount=to_units("100.00"))
        assert order.state == OrderState.RESERVED, "not eager: the worker sends it"

        _wait_for(lambda: fake_1g.calls("deposit"), "the worker to send the deposit", log)
        order.refresh_from_db()
        assert order.state == OrderState.SENDING
        _stop(first, signal.SIGKILL)  # killed while waiting for 1G's answer

        order.refresh_from_db()
        assert order.state == OrderState.SENDING
        assert Account.objects.get(player=player, kind=AccountKind.WALLET).balance == to_units("400.00")

        second = _worker(broker, log, beat=True, schedule=tmp_path / "beat")

        def final():
            order.refresh_from_db()
            return order.state in (OrderState.CONFIRMED, OrderState.FAILED)

        _wait_for(final, "the new worker and beat to finish the order", log)
    finally:
        _stop(first, signal.SIGKILL)
        if second is not None:
            _stop(second)

    order = TransferOrder.objects.get(pk=order.pk)
    assert order.state == OrderState.CONFIRMED
    assert order.attempts == 1, "settled from 1G's records, never sent again"
    assert len(fake_1g.calls("deposit")) == 1
    assert fake_1g.balance_of("CW0001") == 100
    assert Account.objects.get(player=player, kind=AccountKind.WALLET).balance == to_units("400.00")
    assert ledger_violations() == []
