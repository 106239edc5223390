"""Issue 25, point 2: calls refused before authentication cannot fill the call history nor move
the dashboard.

- Their bodies are stored cut to CALL_HISTORY_UNAUTHENTICATED_BODY_BYTES (default 1 KB).
- Per source address (counted in Redis), past CALLER_REFUSALS_LIMIT within the window they are
  answered the provider's own status (HTTP 200 JSON, never an HTML 429) and not stored.
- The dashboard's callback error rate leaves them out and counts them apart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.utils import timezone

from providers.models import CallLog
from reports import aggregation, selectors
from reports.filters import ReportFilters

pytestmark = pytest.mark.django_db

JUNK = json.dumps({"agent_code": "IGBO", "junk": "x" * 8000}).encode()  # ~8,000 characters, unsigned


@pytest.fixture
def redis_cache():
    """The cache on the real Redis given to the tests (as in production); cleared around the test."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set")
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                         "KEY_PREFIX": "backoffice-test-issue25"}}
    with override_settings(REDIS_URL=url, CACHES=cache):
        caches["default"].clear()
        yield
        caches["default"].clear()


def _post_1g(client, body: bytes, signature: str = "0" * 64, ip: str = "198.51.100.7"):
    return client.post("/api/onegaming/balance", data=body, content_type="application/json",
                       HTTP_UG_DATA_SIGNATURE=signature, REMOTE_ADDR=ip)


def _post_oppi(client, body: bytes, ip: str = "198.51.100.8"):
    return client.post("/api/oppi/user/balance", data=body, content_type="application/json",
                       HTTP_X_API_KEY="oppi-auth-key", HTTP_X_TIMESTAMP="1", HTTP_X_SIGNATURE="00", REMOTE_ADDR=ip)


def test_a_refused_calls_body_is_stored_cut_to_one_kilobyte(client, onegaming, settings):
    settings.CALLER_REFUSALS_LIMIT = 0
    answer = _post_1g(client, JUNK).json()
    assert answer["status"] == "INVALID_SIGNATURE"
    row = CallLog.objects.get()
    assert row.unauthenticated is True
    assert len(row.request_body.encode()) <= 1024 and len(row.response_body.encode()) <= 1024


def test_the_cut_is_a_setting(client, onegaming, settings):
    settings.CALLER_REFUSALS_LIMIT = 0
    settings.CALL_HISTORY_UNAUTHENTICATED_BODY_BYTES = 200
    _post_1g(client, JUNK)
    assert len(CallLog.objects.get().request_body.encode()) <= 200


def test_an_authenticated_calls_body_is_not_cut(client, onegaming, rich_player, settings):
    from tests.onegaming.wire import OneGamingWire

    settings.CALLER_REFUSALS_LIMIT = 0
    OneGamingWire(client).balance(player_id="CLi3000001", currency="IDR", note="y" * 3000)
    row = CallLog.objects.get()
    assert row.unauthenticated is False and len(row.request_body) > 3000


@pytest.mark.redis
def test_300_unsigned_posts_from_one_address_store_a_bounded_number_of_rows(client, onegaming, redis_cache, settings):
    settings.CALLER_REFUSALS_LIMIT = 20
    settings.CALLER_REFUSALS_WINDOW_SECONDS = 600
    statuses = []
    for _ in range(300):
        response = _post_1g(client, JUNK)
        assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
        statuses.append(response.json()["status"])
    assert statuses[:20] == ["INVALID_SIGNATURE"] * 20
    assert set(statuses[20:]) == {"UNKNOWN_ERROR"}  # 1G's general status: the seed has no rate-limit code
    rows = CallLog.objects.filter(caller_ip="198.51.100.7")
    assert rows.count() == 20
    stored = sum(len(r.request_body.encode()) + len(r.response_body.encode()) for r in rows)
    assert stored <= 20 * 2 * 1024  # against ~2.4 MB for 300 rows of 8,000 characters before


@pytest.mark.redis
def test_oppi_callers_over_the_limit_get_oppis_ip_restriction_status(client, oppi, redis_cache, settings):
    settings.CALLER_REFUSALS_LIMIT = 3
    statuses = [_post_oppi(client, b'{"playerId":"x"}').json()["status"] for _ in range(6)]
    assert statuses == ["RS_ERROR_SIGNATURE_EXPIRED"] * 3 + ["RS_ERROR_IP_RESTRICTION"] * 3
    assert CallLog.objects.count() == 3


@pytest.mark.redis
def test_the_limit_is_per_address_and_never_stops_an_authenticated_call(client, onegaming, rich_player,
                                                                        redis_cache, settings):
    from tests.onegaming.wire import OneGamingWire

    settings.CALLER_REFUSALS_LIMIT = 2
    for _ in range(4):
        _post_1g(client, JUNK)
    assert _post_1g(client, JUNK).json()["status"] == "UNKNOWN_ERROR"
    assert _post_1g(client, JUNK, ip="198.51.100.99").json()["status"] == "INVALID_SIGNATURE"  # another address
    answer = OneGamingWire(client).post("balance", {"player_id": "CLi3000001", "currency": "IDR"},
                                        REMOTE_ADDR="198.51.100.7")
    assert answer["status"] == "OK"


def test_the_dashboard_error_rate_leaves_refused_calls_out_and_counts_them_apart(client, onegaming, rich_player,
                                                                                 settings, admin_user):
    from tests.onegaming.wire import OneGamingWire

    settings.CALLER_REFUSALS_LIMIT = 0
    wire = OneGamingWire(client)
    for _ in range(4):
        assert wire.balance(player_id="CLi3000001", currency="IDR")["status"] == "OK"
    assert wire.balance(player_id="nobody", currency="IDR")["status"] == "USER_NOT_EXIST"  # the provider's error
    for _ in range(5):
        _post_1g(client, JUNK)  # junk: 5 of 10 calls
    aggregation.refresh()
    today = timezone.now().date()
    totals = selectors.call_totals(ReportFilters(date_from=today, date_to=today))
    assert (totals["calls"], totals["errors"], totals["unauthenticated"]) == (5, 1, 5)
    assert totals["error_rate"] == 20  # 1 in 5, not 6 in 10
    client.force_login(admin_user)
    html = client.get("/admin/").content.decode()
    assert "20.00%" in html and "5 refused before authentication" in html


def test_signed_is_not_the_same_as_refused(client, onegaming):
    """A 1G call whose signature holds but whose body is refused later is authenticated."""
    body = json.dumps({"agent_code": "IGBO", "request_id": "r", "datetime": "not a date"}).encode()
    signature = hmac.new(b"s3cr3t-1g", body, hashlib.sha256).hexdigest()
    assert _post_1g(client, body, signature=signature).json()["status"] == "INVALID_SYNTAX"
    assert CallLog.objects.get().unauthenticated is False


def test_the_callbacks_report_counts_refused_calls_apart(client, onegaming, rich_player, settings, finance_user):
    from tests.onegaming.wire import OneGamingWire

    settings.CALLER_REFUSALS_LIMIT = 0
    assert OneGamingWire(client).balance(player_id="CLi3000001", currency="IDR")["status"] == "OK"
    for _ in range(3):
        _post_1g(client, JUNK)
    aggregation.refresh()  # as the minute refresh would have (pages never refresh)
    client.force_login(finance_user)
    rows = client.get("/admin/reports/callbacks/?export=endpoints").content.decode().splitlines()
    header, balance = rows[0].split(","), next(r for r in rows[1:] if ",balance," in r).split(",")
    row = dict(zip(header, balance, strict=True))
    assert (row["calls"], row["errors"], row["unauthenticated"]) == ("4", "0", "3")
    assert row["error_rate"] == "0.00"  # 0 errors in the 1 authenticated call (not 3 in 4)
