"""With REDIS_URL configured, the cache is Redis and /healthz checks it (real Redis, no mock)."""

import os

import pytest
from django.core.cache import caches
from django.test import override_settings

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def redis_settings():
    url = os.environ["TEST_REDIS_URL"]
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                         "KEY_PREFIX": "backoffice-test"}}
    with override_settings(REDIS_URL=url, CACHES=cache):
        caches["default"].clear()
        yield url
        caches["default"].clear()


def test_healthz_reports_redis_when_configured(client, redis_settings):
    answer = client.get("/healthz").json()
    assert answer == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_answers_503_when_redis_is_configured_but_down(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["redis"].startswith("error")


def test_sandbox_sessions_round_trip_through_redis(redis_settings):
    import redis

    from providers.sandbox import store

    store.session_save("sess-redis-1", {"sessionId": "sess-redis-1", "playerId": "P1"})
    assert store.session_get("sess-redis-1")["playerId"] == "P1"
    assert [s["sessionId"] for s in store.sessions()] == ["sess-redis-1"]
    keys = redis.Redis.from_url(redis_settings).keys("backoffice-test:*sandbox:oppi:session:sess-redis-1")
    assert keys, "the session must live in Redis, not in process memory"


def test_healthz_reports_the_celery_broker_when_configured(client):
    broker = os.environ["TEST_REDIS_URL"]
    with override_settings(CELERY_BROKER_URL=broker):
        answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json()["broker"] == "ok"


def test_healthz_answers_503_when_the_broker_is_configured_but_down(client):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.json()["broker"].startswith("error")
