"""The short CI version of `make loadtest`'s fault scenarios (bench/faults.py --short, about 30 s):
a private throwaway PostgreSQL cluster restarted and stopped, and a private redis-server stopped,
while threads send real 1G and Oppi callbacks to a gunicorn of the app (never the machine's shared
servers). The checks are the script's own oracle (answers, money from what was sent); here each
one is asserted so that a failure names what broke."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import faults  # noqa: E402  (bench/faults.py)

from tests import spec_statuses  # noqa: E402

_run: dict = {}


@pytest.fixture(scope="module")
def fault_run() -> dict:
    why = faults.private_servers_available()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"fault scenarios cannot run here: {why}")
        pytest.skip(f"fault scenarios cannot run here: {why}")
    if not _run:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
        run = subprocess.run([sys.executable, str(ROOT / "bench" / "faults.py"), "--short"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=600)
        line = next((x for x in run.stdout.splitlines() if x.startswith("FAULTSJSON ")), None)
        assert line, f"bench/faults.py --short printed no result (exit {run.returncode}): {run.stderr[-3000:]}"
        _run.update(json.loads(line.split(" ", 1)[1]))
    return _run


def _spec(statuses: dict) -> list[str]:
    """Answers that are not HTTP 200 with a spec status of their provider ("provider:http:status")."""
    bad = []
    for key in statuses:
        provider, http, status = (key.split(":", 2) + ["", ""])[:3]
        allowed = spec_statuses.ONEGAMING if provider == "onegaming" else spec_statuses.OPPI
        if http != "200" or status not in allowed:
            bad.append(key)
    return bad


@pytest.mark.postgres
def test_postgres_restarted_under_load_fails_cleanly_keeps_money_exact_and_recovers(fault_run):
    pg = fault_run["pg-restart"]
    assert _spec(pg["all"]["statuses"]) == [], pg["all"]["statuses"]
    assert pg["after_recovery"]["answers"] > 0 and pg["after_recovery"]["ok"] == pg["after_recovery"]["answers"], \
        pg["after_recovery"]
    assert pg["same_processes"], "gunicorn's workers were replaced: the app did not recover by itself"
    assert pg["retried"]["ok"] == pg["retried"]["answers"], pg["retried"]
    assert pg["money"]["players_wrong"] == {} and pg["money"]["ok_calls_without_transaction"] == [], pg["money"]
    assert pg["ledger_check_ok"]


@pytest.mark.redis
def test_redis_stopped_under_load_leaves_the_seamless_callbacks_answering_ok(fault_run):
    rd = fault_run["redis-stop"]
    assert rd["while_redis_down"]["answers"] > 0
    assert rd["all"]["ok"] == rd["all"]["answers"], rd["all"]["statuses"]
