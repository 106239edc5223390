"""Provider callbacks through the production WSGI application (config.wsgi), which sends the
callback paths through their own short middleware list (settings.CALLBACK_MIDDLEWARE) and every
other path through the full stack. The test client always uses the full stack, so these tests
call the application itself, as gunicorn does."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.conf import settings

from tests.onegaming.wire import envelope, sign

pytestmark = pytest.mark.django_db(transaction=True)  # the handler closes connections at the end


def _wsgi(method: str, path: str, body: bytes = b"", headers: dict | None = None) -> tuple[str, dict, bytes]:
    from config.wsgi import application

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
               "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "REMOTE_ADDR": "127.0.0.1",
               "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json",
               "HTTP_HOST": "testserver",
               **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in (headers or {}).items()}}
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(response_headers)

    chunks = application(environ, start_response)
    try:
        content = b"".join(chunks)
    finally:
        chunks.close()
    return seen["status"], seen["headers"], content


@pytest.fixture(autouse=True)
def _plain_http(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.ALLOWED_HOSTS = ["testserver"]


def _signed(call: str, fields: dict) -> tuple[str, dict, dict]:
    raw = json.dumps(envelope(fields)).encode()
    status, headers, content = _wsgi("POST", f"/api/onegaming/{call}", raw, {"UG-Data-Signature": sign("s3cr3t-1g", raw)})
    assert status.startswith("200")
    return status, headers, json.loads(content, parse_float=Decimal)


def test_a_signed_bet_through_the_callback_handler_moves_the_money_once(bet_fields, rich_player):
    before = _signed("balance", {"player_id": "CLi3000001", "currency": "IDR"})[2]["balance"]
    bet = bet_fields(txn_id="W1", txn_ticket="WT1", amount="100.00")
    _, headers, first = _signed("bet", bet)
    assert first["status"] == "OK" and first["balance"] == before - Decimal("100.00")
    _, _, again = _signed("bet", bet)  # the same txn_id again: a replay, no second debit
    assert again["status"] == "OK" and again["balance"] == first["balance"]
    assert _signed("balance", {"player_id": "CLi3000001", "currency": "IDR"})[2]["balance"] == first["balance"]
    assert headers.get("X-Request-ID")  # the request id middleware runs


def test_callbacks_skip_the_session_and_staff_middleware_other_paths_keep_it(onegaming):
    raw = b"{}"
    _, callback_headers, content = _wsgi("POST", "/api/onegaming/balance", raw, {"UG-Data-Signature": "x"})
    assert json.loads(content)["status"]  # answered in the provider's own terms
    # XFrameOptionsMiddleware and the session/CSRF middleware are only in the full stack.
    assert "X-Frame-Options" not in callback_headers and "Vary" not in callback_headers
    _, page_headers, _ = _wsgi("GET", "/admin/login/")
    assert page_headers.get("X-Frame-Options") and "Cookie" in page_headers.get("Vary", "")


def test_the_callback_handler_loads_exactly_the_callback_middleware():
    from config.wsgi import application

    handler = application.callbacks
    assert settings.CALLBACK_MIDDLEWARE and handler.middleware_paths == settings.CALLBACK_MIDDLEWARE
    assert application.prefixes == ("/api/onegaming/", "/api/oppi/")
