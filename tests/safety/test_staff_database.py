"""Issue 24: staff reads cannot starve callbacks. Staff pages run under a statement_timeout and
answer with a clear message when they hit it; with DATABASE_REPLICA_URL their reads go to a
replica through a database router."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, router
from django.test import RequestFactory
from django.urls import reverse

from core import staff_db
from reports.models import DailyGameStat
from tests.factories import PlayerFactory
from wallet.models import Transfer
from wallet.selectors import PlayerOverview

ROOT = Path(__file__).resolve().parents[2]


def _timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_staff_page_that_hits_the_statement_timeout_answers_503_with_a_message(admin_client, settings, monkeypatch):
    settings.STAFF_STATEMENT_TIMEOUT_MS = 300
    player = PlayerFactory(external_id="SLOW")
    seen = {}

    def slow_overview(p):
        seen["timeout"] = _timeout()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(3)")  # a query far longer than the limit

    monkeypatch.setattr("wallet.selectors.player_overview", slow_overview)
    response = admin_client.get(reverse("admin:wallet_player_change", args=[player.pk]))
    assert response.status_code == 503
    html = response.content.decode()
    assert "ran longer than 0.3 s and was stopped" in html and "exact id" in html
    assert seen["timeout"] == "300ms"
    assert _timeout() == "0"  # the connection goes back without the staff limit


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_staff_pages_run_under_the_limit_and_other_paths_do_not(admin_client, client, settings, monkeypatch):
    settings.STAFF_STATEMENT_TIMEOUT_MS = 4000
    seen = []
    monkeypatch.setattr("wallet.selectors.player_overview", lambda p: seen.append(_timeout()) or PlayerOverview(p))
    player = PlayerFactory(external_id="FAST")
    assert admin_client.get(reverse("admin:wallet_player_change", args=[player.pk])).status_code == 200
    assert seen == ["4s"]
    assert not staff_db.is_staff_path("/api/onegaming/bet") and not staff_db.is_staff_path("/lobby/")
    assert staff_db.is_staff_path("/admin/reports/") and staff_db.is_staff_path("/admin/wallet/transfer/")


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_the_router_sends_staff_get_reads_to_the_replica_and_everything_else_to_the_primary(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
    settings.STAFF_STATEMENT_TIMEOUT_MS = 0
    seen = {}

    def view(request):
        seen[request.method] = (router.db_for_read(Transfer), router.db_for_read(DailyGameStat),
                                router.db_for_read(Session), router.db_for_write(Transfer))
        return None

    middleware = staff_db.StaffDatabaseMiddleware(view)
    middleware(RequestFactory().get("/admin/wallet/transfer/"))
    middleware(RequestFactory().post("/admin/wallet/transfer/"))
    assert seen["GET"] == ("replica", "replica", "default", "default")  # sign-in data stays on the primary
    assert seen["POST"] == ("default", "default", "default", "default")  # actions read what they write
    middleware(RequestFactory().get("/api/oppi/bet"))
    assert router.db_for_read(Transfer) == "default"  # outside a staff request: the primary


def test_without_a_replica_staff_reads_stay_on_the_primary(settings):
    seen = []
    settings.STAFF_STATEMENT_TIMEOUT_MS = 0
    staff_db.StaffDatabaseMiddleware(lambda r: seen.append(router.db_for_read(Transfer)))(
        RequestFactory().get("/admin/"))
    assert seen == ["default"]
    assert staff_db.StaffReadRouter().allow_migrate("replica", "wallet") is False


def test_database_replica_url_adds_the_replica_alias_and_the_timeout_setting():
    code = ("import json, django; django.setup(); from django.conf import settings; "
            "print(json.dumps({'replica': settings.DATABASES.get('replica'), "
            "'timeout': settings.STAFF_STATEMENT_TIMEOUT_MS, 'routers': settings.DATABASE_ROUTERS}, default=str))")
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT), "PATH": "",
           "DATABASE_URL": "postgres://u@127.0.0.1:5432/primary",
           "DATABASE_REPLICA_URL": "postgres://ro@10.0.0.9:5432/primary", "STAFF_STATEMENT_TIMEOUT_MS": "2500"}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd="/", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded["replica"]["HOST"] == "10.0.0.9" and loaded["replica"]["USER"] == "ro"
    assert loaded["replica"]["TEST"]["MIRROR"] == "default" and "pool" not in loaded["replica"]["OPTIONS"]
    assert loaded["timeout"] == 2500 and loaded["routers"] == ["core.staff_db.StaffReadRouter"]
