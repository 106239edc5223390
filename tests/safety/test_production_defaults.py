"""Issue 25, point 4: production defaults with DEBUG off.

- STAFF_OTP_REQUIRED is on unless explicitly turned off, and `check --deploy` warns when it is off;
- /api/schema and the API docs need a staff login unless API_DOCS_PUBLIC publishes them;
- a Content-Security-Policy is sent (django-csp), inline scripts carry the request's nonce;
- `manage.py check --deploy` with the production settings the README lists prints no warning
  (before: security.W005, W019, W021).
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]

# The settings README.md's production section lists (values of the shape an operator sets).
PRODUCTION = {
    "DEBUG": "false", "ALLOWED_HOSTS": "bo.example.com", "CSRF_TRUSTED_ORIGINS": "https://bo.example.com",
    "TRUSTED_PROXIES": "10.0.0.0/8", "DATABASE_URL": "sqlite:///:memory:", "REDIS_URL": "redis://127.0.0.1:6379/15",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14", "METRICS_TOKEN": "m" * 32,
}


def _run(args: list[str], **env) -> subprocess.CompletedProcess:
    base = {"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
            "SECRET_KEY": secrets.token_urlsafe(50)}
    return subprocess.run([sys.executable, *args], env={**base, **env}, cwd="/", capture_output=True, text=True,
                          timeout=180)


def _settings(names: list[str], **env) -> dict:
    code = ("import json, django; django.setup(); from django.conf import settings; "
            f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}, default=str))")
    done = _run(["-c", code], **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_check_deploy_with_the_documented_production_settings_prints_no_warning():
    done = _run([str(ROOT / "manage.py"), "check", "--deploy"], **PRODUCTION)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "WARNINGS" not in output and "System check identified no issues" in output, output


def test_staff_two_factor_is_on_with_debug_off_unless_turned_off_and_then_the_deploy_check_warns():
    assert _settings(["STAFF_OTP_REQUIRED"], **PRODUCTION)["STAFF_OTP_REQUIRED"] is True
    assert _settings(["STAFF_OTP_REQUIRED"], **PRODUCTION, STAFF_OTP_REQUIRED="false")["STAFF_OTP_REQUIRED"] is False
    done = _run([str(ROOT / "manage.py"), "check", "--deploy"], **PRODUCTION, STAFF_OTP_REQUIRED="false")
    assert "staffauth.W001" in done.stdout + done.stderr


def test_api_docs_are_not_published_with_debug_off_unless_the_setting_says_so():
    assert _settings(["API_DOCS_PUBLIC"], **PRODUCTION)["API_DOCS_PUBLIC"] is False
    assert _settings(["API_DOCS_PUBLIC"], **PRODUCTION, API_DOCS_PUBLIC="true")["API_DOCS_PUBLIC"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/schema", "/api/docs", "/api/docs/swagger"])
def test_the_schema_and_docs_need_a_staff_login(client, settings, path):
    settings.API_DOCS_PUBLIC = False
    response = client.get(path, HTTP_ACCEPT="application/json")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(UserFactory(username="player-only"))  # signed in, but not staff
    assert client.get(path).status_code == 302
    client.force_login(UserFactory(username="support-1", is_staff=True))
    assert client.get(path).status_code == 200
    settings.API_DOCS_PUBLIC = True
    client.logout()
    assert client.get(path).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/login/", "/api/docs", "/api/docs/swagger"])
def test_every_page_has_a_content_security_policy(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives["script-src"] and "'self'" in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


@pytest.mark.django_db
def test_inline_scripts_carry_the_nonce_of_the_policy(client):
    response = client.get("/api/docs")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    inline = [attrs for attrs in scripts if "src=" not in attrs]
    assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)
    swagger = client.get("/api/docs/swagger").content.decode()
    assert all("src=" in attrs for attrs in re.findall(r"<script([^>]*)>", swagger))  # its start-up script is a file


@pytest.mark.django_db
def test_only_the_sandbox_pages_may_be_framed_and_only_by_us(client, settings):
    settings.SANDBOX_ENABLED = True
    assert client.get("/login/")["X-Frame-Options"] == "DENY"
    response = client.get("/sandbox/onegaming/lobby")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
