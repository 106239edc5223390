"""The call history's staff pages carry the partition key (issue 24, point 2: "Queries on the call
history carry the partition key").

The list and its searches cover the last 7 days unless staff choose another window ("All days"
is a choice of its own, and a date picked in the created_at filter replaces the default); a row's
link names its UTC day, so that its detail page reads that day's partition alone. On PostgreSQL
the oracle is the plan: the partitions a statement reads are named in EXPLAIN's output.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from providers.day_partitions import day_create, day_start
from providers.models import CallLog

pytestmark = pytest.mark.django_db
LIST = reverse("admin:providers_calllog_changelist")


def call(days_ago: float, txn_id: str) -> CallLog:
    return CallLog.objects.create(created_at=timezone.now() - dt.timedelta(days=days_ago), provider="oppi",
                                  endpoint="bet", player_external_id=f"P{txn_id[1:]}", txn_id=txn_id, request_id=f"r-{txn_id}",
                                  status_code="RS_OK")


@pytest.fixture
def calls(db):
    return {"today": call(0, "T-today"), "last_week": call(3, "T-3d"), "old": call(20, "T-20d"),
            "older": call(40, "T-40d")}


def shown(response) -> set[str]:
    """The calls listed, by their transaction ids (the list shows each call's player id, P-<same>)."""
    return {"T" + found[1:] for found in re.findall(r"P-(?:today|3d|20d|40d)", response.content.decode())}


def test_the_list_shows_the_last_7_days_by_default(admin_client, calls):
    page = admin_client.get(LIST)
    assert shown(page) == {"T-today", "T-3d"}
    html = page.content.decode()
    assert "Last 7d (default)" in html and "All days" in html


def test_all_days_is_a_choice_and_a_date_filter_replaces_the_default(admin_client, calls):
    everything = admin_client.get(LIST, {"since": "all"})
    assert shown(everything) == {"T-today", "T-3d", "T-20d", "T-40d"}
    old_day = calls["old"].created_at.astimezone(dt.UTC).date()
    dated = admin_client.get(LIST, {"created_at__gte": old_day.isoformat(),
                                    "created_at__lt": (old_day + dt.timedelta(days=1)).isoformat()})
    assert shown(dated) == {"T-20d"}
    month = admin_client.get(LIST, {"since": "30d"})
    assert shown(month) == {"T-today", "T-3d", "T-20d"}


def test_a_search_outside_the_window_says_so_and_links_to_all_days(admin_client, calls):
    page = admin_client.get(LIST, {"q": "T-40d"})
    html = page.content.decode()
    assert "0 results" in html
    assert "Searched the last 7d only." in html
    assert "since=all" in html and "q=T-40d" in html
    found = admin_client.get(LIST, {"q": "T-40d", "since": "all"})
    assert shown(found) == {"T-40d"}
    assert "Searched the last" not in found.content.decode()


def test_a_rows_link_names_its_day_and_the_detail_page_uses_it(admin_client, calls):
    row = calls["last_week"]
    day = row.created_at.astimezone(dt.UTC).date().isoformat()
    link = reverse("admin:providers_calllog_change", args=[row.pk]) + f"?day={day}"
    assert link.replace("&", "&amp;") in admin_client.get(LIST).content.decode()
    assert admin_client.get(link).status_code == 200
    # A wrong or unreadable day still finds the row (by id over every day), and no day at all too.
    base = reverse("admin:providers_calllog_change", args=[row.pk])
    for url in (f"{base}?day=2001-01-01", f"{base}?day=yesterday", base):
        page = admin_client.get(url)
        assert page.status_code == 200 and "T-3d" in page.content.decode(), url
    missing = admin_client.get(reverse("admin:providers_calllog_change", args=[10**12]) + f"?day={day}")
    assert missing.status_code == 302  # Django's "doesn't exist" redirect, as without the day


def test_the_player_page_links_to_the_same_30_days_it_shows(admin_client, calls, rich_player):
    html = admin_client.get(reverse("admin:wallet_player_change", args=[rich_player.pk])).content.decode()
    assert f"?q={rich_player.external_id}&amp;since=30d" in html


# --- PostgreSQL: the plans read only the window's partitions ------------------------------------


def partitions_read(sql: str, params) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    return set(re.findall(r"on (providers_calllog_\d{4}_\d{2}_\d{2})", text))


def call_history_statements(client, url, params=None) -> list[tuple[str, tuple]]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    statements = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if "providers_calllog" in sql and not sql.lstrip().upper().startswith("EXPLAIN"):
            statements.append(sql)
    return statements


def plan_partitions(sql: str) -> set[str]:
    # Captured SQL has its parameters inlined (psycopg's mogrify): EXPLAIN it as it ran.
    return partitions_read(sql, None)


@pytest.fixture
def forty_days(calls):
    """Every day's partition from 40 days back (as the beat task keeps them), not just the loaded days'."""
    today = day_start(timezone.now())
    for back in range(41):
        day_create(CallLog._meta.db_table, today - dt.timedelta(days=back))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'providers_calllog'::regclass")
        assert cursor.fetchone()[0] >= 41
    return calls


@pytest.mark.postgres
def test_the_default_list_and_a_search_plan_over_a_weeks_partitions_only(admin_client, forty_days):
    for params in ({}, {"q": "T-3d"}, {"q": "P-3d", "outcome": "error"}):
        statements = call_history_statements(admin_client, LIST, params)
        assert statements, params
        for sql in statements:
            read = plan_partitions(sql)
            assert len(read) <= 9, (params, sorted(read))  # 7 days and a bit, not the 40 there are
    everything = call_history_statements(admin_client, LIST, {"q": "P-40d", "since": "all"})
    assert max(len(plan_partitions(sql)) for sql in everything) >= 40  # the control: all days plan them all


@pytest.mark.postgres
def test_the_detail_page_with_its_day_reads_one_partition(admin_client, forty_days):
    row = forty_days["old"]
    day = row.created_at.astimezone(dt.UTC).date().isoformat()
    url = reverse("admin:providers_calllog_change", args=[row.pk])
    statements = call_history_statements(admin_client, url, {"day": day})
    assert statements
    assert [len(plan_partitions(sql)) for sql in statements] == [1] * len(statements)
    without_day = call_history_statements(admin_client, url)
    assert max(len(plan_partitions(sql)) for sql in without_day) >= 40  # the control


@pytest.mark.postgres
@pytest.mark.parametrize("url", ["/admin/", "/admin/reports/", "/admin/reports/callbacks/", "/admin/reports/games/"])
def test_the_dashboard_and_reports_plan_no_call_history_statement_over_every_day(admin_client, forty_days, url):
    """They read the aggregates; what they ask of the call history itself (how far behind the
    aggregates are) comes from the id's sequence, not MAX(id) over every day's partition."""
    for sql in call_history_statements(admin_client, url):
        assert len(plan_partitions(sql)) <= 9, (url, sql)
