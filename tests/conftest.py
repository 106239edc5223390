"""Personas and test plumbing shared by the whole suite.

Personas: a player with IDR and USD wallets (`rich_player`), a disabled player, a support user
(read-only staff) and a finance user; factories (tests/factories.py) for the rest. The network
is blocked: only loopback and Unix sockets may be opened.
"""

from __future__ import annotations

import ipaddress
import socket
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import OneGamingIntegrationFactory, OppiIntegrationFactory, PlayerFactory, UserFactory
from wallet import services
from wallet.money import to_units

_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and self.family in (socket.AF_INET, socket.AF_INET6):
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise ConnectionRefusedError(f"network blocked in tests: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _block_network():
    socket.socket.connect = _guarded_connect
    yield
    socket.socket.connect = _real_connect


@pytest.fixture(autouse=True)
def _empty_cache():
    """The local-memory cache outlives a test (the sandbox keeps its sessions there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_system_account_cache():
    """Cached system-account ids point at rows a test's rollback removes: forget them."""
    services.system_accounts_forget()
    yield
    services.system_accounts_forget()


@pytest.fixture(autouse=True)
def _reference_data(request, django_db_blocker):
    """The data migrations' rows (currencies, 1G catalogue, status codes, roles) are there for every
    test that uses the database.

    A transactional test's teardown flushes every table, those rows included. pytest-django runs
    the transactional tests last in one process, but under pytest-xdist a worker may take a module
    of plain tests after one: pytest_runtest_teardown below puts them back after each database
    test. This check (one cheap query) covers the first test of a session on a reused database."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server"))
    if not (marker or transactional or "db" in request.fixturenames):
        yield
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        if reference_data_missing():
            reference_data_load()
    yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """With --reuse-db (mutation runs) the database may come from a session whose transactional
    tests flushed it last: put the data migrations' rows back once (idempotent)."""
    from wallet.models import Currency

    with django_db_blocker.unblock():
        if not Currency.objects.exists():  # flushed (a fresh database has them from its migrations)
            reference_data_load()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a database test's teardown (a transactional test's flush included), the data
    migrations' rows are put back, committed: the next test, in this worker, finds the database as
    migrated. (Reloading them inside the next test's transaction instead would hold their keys
    uncommitted, and a service started by that test, e.g. `migrate`, would wait on them.)"""
    result = yield
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    # nextitem None: the session ends, its test databases are gone already.
    if nextitem is not None and (marker or any(name in names for name in ("db", "transactional_db", "live_server"))):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            if reference_data_missing():
                reference_data_load()
    return result


def reference_data_missing() -> bool:
    from django.contrib.auth.models import Group

    from providers.models import StatusCode
    from wallet.models import Currency

    return not (Currency.objects.exists() and StatusCode.objects.exists() and Group.objects.exists())


def reference_data_load() -> None:
    """What the data migrations load (currencies, 1G catalogue, status codes, staff roles), idempotently."""
    from audit.roles import roles_sync
    from lobby.models import Game
    from lobby.reference import catalogue_load
    from providers.models import StatusCode
    from providers.reference import status_codes_load
    from wallet.models import Currency
    from wallet.reference import currencies_load

    currencies_load(Currency)
    catalogue_load(Game)
    status_codes_load(StatusCode)
    roles_sync(Group, Permission)


def pytest_configure(config):
    """Under pytest-xdist (scripts/test.sh runs the suite on every core) each worker gets a Redis
    database of its own, counting down from TEST_REDIS_URL's (gw0 keeps it, gw1 the one below, …):
    tests that flush or count keys must not see another worker's. Each worker's PostgreSQL test
    database is pytest-django's own (test_<name>_gw0, …)."""
    import os

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = os.environ.get("TEST_REDIS_URL")
    if worker.startswith("gw") and url:
        base, _, db = url.rpartition("/")
        own = int(db or 0) - int(worker[2:])
        if own < 0:
            raise pytest.UsageError(f"TEST_REDIS_URL's db {db} leaves no Redis db for xdist worker {worker}")
        os.environ["TEST_REDIS_URL"] = f"{base}/{own}"


def pytest_sessionfinish(session, exitstatus):
    """Close this process's database connections when a session ends.

    `make mutation` (mutmut) runs the suite once in its own process, then forks each mutant's
    test run from that process: a connection left open there is inherited by every child, all on
    one PostgreSQL backend, with the parent's view of its prepared statements. A later child then
    fails on the money path's first statement ("prepared statement _pg3_1 does not exist"), or at
    once after a test ended that backend (tests/lost_connection.py), and the mutant counts as
    killed though no test caught it.
    """
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()
        # With psycopg's pool (DB_POOL, on by default) close() only returns the connection to the
        # pool, which forked children would still share: close the pool too.
        if conn.alias in getattr(conn, "_connection_pools", {}):
            conn.close_pool()


def pytest_collection_modifyitems(config, items):
    import os

    url = os.environ.get("DATABASE_URL", "")
    on_postgres = url.startswith(("postgres://", "postgresql://", "pgsql://"))
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL is not PostgreSQL)")
    skip_redis = pytest.mark.skip(reason="needs Redis (TEST_REDIS_URL unset)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("TEST_REDIS_URL"):
            item.add_marker(skip_redis)
    if "MUTANT_UNDER_TEST" in os.environ:  # under mutmut, which stops at the first failure (-x)
        items.sort(key=_quick_first)


# Tests written to kill mutants of the money core: tried first against each mutant.
_MUTANT_KILLERS = ("tests/test_signing_pins.py", "tests/wallet/test_invariants.py", "tests/wallet/test_services_rules.py",
                   "tests/wallet/test_gameplay_guards.py", "tests/wallet/test_money.py",
                   "tests/wallet/test_money_edges.py", "tests/onegaming/test_parsing_rules.py", "tests/wallet/test_adjustments.py",
                   "tests/oppi/test_inbound_rules.py", "tests/wallet/test_gameplay_records.py")


def _quick_first(item) -> int:
    """Mutation runs only: likely killers and quick tests first, so a killed mutant costs seconds."""
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(item.fixturenames))
    if item.nodeid.split("::")[0].endswith(_MUTANT_KILLERS) and not transactional:
        return 0
    rank = 1
    if marker or "db" in item.fixturenames:
        rank = 2
    if getattr(getattr(item, "obj", None), "is_hypothesis_test", False) or "machine" in item.name or "random" in item.name:
        rank += 2
    # Transactional tests stay last, as pytest-django orders them: they flush the database.
    if transactional:
        rank += 10
    return rank


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def funded_wallet(player, currency: str, amount: str = "0"):
    wallet = services.wallet_open(player=player, currency=currency)
    if to_units(amount):
        services.wallet_deposit(wallet=wallet, amount=to_units(amount), key=f"test-deposit:{player.pk}:{currency}")
        wallet.refresh_from_db()
    return wallet


def ledger_check_exit_code() -> int:
    """What `manage.py ledger_check` exits with (1: a broken invariant), its output discarded."""
    try:
        call_command("ledger_check", stdout=StringIO(), stderr=StringIO())
    except CommandError as failure:
        return failure.returncode
    return 0


@pytest.fixture
def rich_player(db):
    """A player with an IDR wallet holding 1,500.00 and a USD wallet holding 100.00."""
    player = PlayerFactory(external_id="CLi3000001", username="Mikha")
    funded_wallet(player, "IDR", "1500.00")
    funded_wallet(player, "USD", "100.00")
    return player


@pytest.fixture
def disabled_player(db):
    player = PlayerFactory(external_id="BLOCKED1", username="Blocked", is_enabled=False)
    funded_wallet(player, "IDR", "50.00")
    return player


@pytest.fixture
def onegaming(db):
    return OneGamingIntegrationFactory(code="og-test", agent_code="IGBO", secret="s3cr3t-1g")


@pytest.fixture
def oppi(db):
    return OppiIntegrationFactory(code="oppi-test", api_key="oppi-auth-key", secret="s3cr3t-oppi")


def _staff(username: str, role: str):
    """A staff user in one of the roles the audit app's migration creates (operations.md, "Staff roles")."""
    from audit.roles import roles_sync

    roles_sync(Group, Permission)  # as after `migrate`: a transactional test may have flushed them
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def support_user(db):
    return _staff("support", "support")


@pytest.fixture
def finance_user(db):
    return _staff("finance", "finance")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


# --- hypothesis profiles -------------------------------------------------------------------
# Failures must be replayable: the example database lives at a fixed place in the project
# (not wherever pytest was started), and print_blob prints a @reproduce_failure line.
# "dev" (default) explores and remembers failing examples; "ci" is the same with the seed
# printed by scripts/test.sh (--hypothesis-seed); "mutation" is derandomized so that a
# mutant's verdict does not depend on luck.
def _hypothesis_profiles() -> None:
    import os
    from pathlib import Path

    from hypothesis import settings
    from hypothesis.database import DirectoryBasedExampleDatabase

    examples = DirectoryBasedExampleDatabase(Path(__file__).resolve().parent.parent / ".hypothesis" / "examples")
    settings.register_profile("dev", database=examples, print_blob=True)
    settings.register_profile("ci", database=examples, print_blob=True)
    settings.register_profile("mutation", database=None, derandomize=True, print_blob=True)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


_hypothesis_profiles()
