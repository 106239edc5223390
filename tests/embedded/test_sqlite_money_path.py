"""The embedded default (SQLite) runs the money path through its own code: wallet/sql.py and the
providers' reads have a PostgreSQL form (one statement, data-modifying CTEs, LATERAL joins,
server-side binding) and a SQLite form (one statement after the other). The suite runs on
PostgreSQL, so this test runs the money rules' tests once more, on SQLite, in a child pytest.

A test on SQLite that fails here while it passes on PostgreSQL means the two forms disagree.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The rules of every money call of both providers, the ledger's rules and the gameplay guards.
SUITES = [
    "tests/onegaming/test_rules.py",
    "tests/oppi/test_rules.py",
    "tests/oppi/test_ready_for_real_oppi.py",
    "tests/wallet/test_gameplay_rules.py",
    "tests/wallet/test_services_rules.py",
    "tests/wallet/test_invariants.py",
]


@pytest.mark.skipif(os.environ.get("EMBEDDED_CHILD") == "1", reason="already the child run")
def test_money_rules_hold_on_the_embedded_sqlite_database(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "TEST_REDIS_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.sqlite3'}", EMBEDDED_CHILD="1",
               HYPOTHESIS_PROFILE=env.get("HYPOTHESIS_PROFILE", "default"))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly", *SUITES],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
