"""Issue 8: settings as a production process loads them (DEBUG off), in a fresh interpreter."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production"
NAMES = ["SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
         "CSRF_TRUSTED_ORIGINS", "SECURE_PROXY_SSL_HEADER", "SANDBOX_ENABLED", "TRUSTED_PROXIES", "DATABASES",
         "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME", "STAFF_OTP_REQUIRED", "METRICS_TOKEN", "METRICS_ALLOWED_IPS"]


def _load(**env) -> subprocess.CompletedProcess:
    code = ("import json, django; django.setup(); from django.conf import settings; "
            f"print(json.dumps({{n: getattr(settings, n) for n in {NAMES!r}}}, default=str))")
    base = {"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT), "PATH": "",
            "DATABASE_URL": "sqlite:///:memory:"}
    # Run from / so that nothing depends on the working directory.
    return subprocess.run([sys.executable, "-c", code], env={**base, **env}, cwd="/", capture_output=True,
                          text=True, timeout=120)


def _settings(**env) -> dict:
    done = _load(**env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_debug_off_refuses_the_published_development_secret_key():
    done = _load(DEBUG="false", SECRET_KEY=DEV_SECRET)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "published development key" in done.stderr


def test_debug_off_is_secure_by_default():
    s = _settings(DEBUG="false", SECRET_KEY="k" * 50)
    assert s["SECURE_SSL_REDIRECT"] is True and s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert s["SANDBOX_ENABLED"] is False and s["SECURE_PROXY_SSL_HEADER"] is None


def test_https_settings_and_proxy_header_from_the_environment():
    s = _settings(DEBUG="false", SECRET_KEY="k" * 50, SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="600",
                  CSRF_TRUSTED_ORIGINS="https://bo.example.com,https://ops.example.com",
                  SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https", TRUSTED_PROXIES="10.0.0.0/8")
    assert s["SECURE_SSL_REDIRECT"] is False and s["SECURE_HSTS_SECONDS"] == 600
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://bo.example.com", "https://ops.example.com"]
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["TRUSTED_PROXIES"] == ["10.0.0.0/8"]


def test_development_defaults_stay_convenient_but_the_sandbox_is_off():
    s = _settings()
    assert s["SECURE_SSL_REDIRECT"] is False and s["SESSION_COOKIE_SECURE"] is False
    assert s["SANDBOX_ENABLED"] is False  # a default install: only `make run` turns it on
    assert _settings(SANDBOX_ENABLED="true")["SANDBOX_ENABLED"] is True


def test_postgresql_uses_a_bounded_connection_pool():
    s = _settings(DATABASE_URL="postgres://u@127.0.0.1:5432/x", DB_POOL_MAX_SIZE="7")
    db = s["DATABASES"]["default"]
    assert db["CONN_MAX_AGE"] == 0
    assert db["OPTIONS"]["pool"]["max_size"] == 7 and db["OPTIONS"]["pool"]["min_size"] <= 7


@pytest.mark.django_db
def test_behind_a_tls_balancer_an_admin_post_passes_the_csrf_origin_check(client, settings, admin_user):
    """With the proxy header and trusted origins set, a POST the browser sent over HTTPS is accepted."""
    from django.test import Client

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.CSRF_TRUSTED_ORIGINS = ["https://bo.example.com"]
    settings.ALLOWED_HOSTS = ["bo.example.com"]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    https = {"HTTP_HOST": "bo.example.com", "HTTP_X_FORWARDED_PROTO": "https", "secure": False}
    page = browser.get("/admin/", **https)
    token = page.cookies["csrftoken"].value
    response = browser.post("/admin/logout/", {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="https://bo.example.com",
                            HTTP_REFERER="https://bo.example.com/admin/", **https)
    assert response.status_code == 302, response.content[:300]  # signed out, not a 403 CSRF page


def test_lockout_two_factor_and_metrics_access_from_the_environment():
    s = _settings(AXES_FAILURE_LIMIT="3", AXES_COOLOFF_MINUTES="30", STAFF_OTP_REQUIRED="true",
                  METRICS_TOKEN="t0k3n", METRICS_ALLOWED_IPS="10.1.0.0/16,127.0.0.1")
    assert s["AXES_FAILURE_LIMIT"] == 3 and s["AXES_COOLOFF_TIME"] == "0:30:00"
    assert s["STAFF_OTP_REQUIRED"] is True
    assert s["METRICS_TOKEN"] == "t0k3n" and s["METRICS_ALLOWED_IPS"] == ["10.1.0.0/16", "127.0.0.1"]
    defaults = _settings()
    assert defaults["STAFF_OTP_REQUIRED"] is False and defaults["AXES_FAILURE_LIMIT"] == 5
