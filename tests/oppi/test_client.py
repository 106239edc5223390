"""Spec section 1: our calls to Oppi, faked at the HTTP boundary with respx."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx
import pytest
import respx

from providers.models import CallLog
from providers.oppi.client import GameUrlAnswer, OppiClient, OppiClientError
from tests.oppi.conftest import spec_signature

pytestmark = pytest.mark.django_db

BASE = "https://oppi.example.test"


@pytest.fixture
def client_for(oppi):
    oppi.api_base_url = BASE + "/"
    oppi.save()
    return OppiClient(oppi)


def _signed_correctly(request: httpx.Request, secret: str, body: bytes) -> bool:
    ts = request.headers["x-timestamp"]
    assert abs(int(ts) - time.time_ns() // 1_000_000) < 5000
    return request.headers["x-signature"] == spec_signature(secret, body, ts)


@respx.mock
def test_game_url_posts_signed_compact_json_and_returns_url_and_session(client_for, oppi):
    route = respx.post(f"{BASE}/game/url").mock(return_value=httpx.Response(
        200, json={"status": "RS_OK", "gameUrl": "https://play.oppi.test/g?s=abc", "sessionId": "abc"}))
    answer = client_for.game_url(game_id="oppi-crash", player_id="CLi3000001", player_name="Mikhaïl",
                                 balance=1500_00000, currency="IDR")
    assert answer == GameUrlAnswer(game_url="https://play.oppi.test/g?s=abc", session_id="abc")
    request = route.calls.last.request
    expected = json.dumps({"gameId": "oppi-crash", "playerId": "CLi3000001", "playerName": "Mikhaïl",
                           "balance": 150000000, "currency": "IDR"}, separators=(",", ":"),
                          ensure_ascii=False).encode("utf-8")
    assert request.content == expected  # the exact bytes, compact, UTF-8 unescaped
    assert request.headers["x-api-key"] == "oppi-auth-key"
    assert _signed_correctly(request, "s3cr3t-oppi", expected)


@respx.mock
def test_balance_is_sent_exactly_on_the_x100000_scale(client_for):
    route = respx.post(f"{BASE}/game/url").mock(return_value=httpx.Response(
        200, json={"status": "RS_OK", "gameUrl": "https://u", "sessionId": "s"}))
    client_for.game_url(game_id="g", player_id="p", player_name="n", balance=1234567, currency="IDR")
    assert json.loads(route.calls.last.request.content)["balance"] == 1234567


@respx.mock
def test_sessions_get_is_signed_over_the_empty_body(client_for):
    route = respx.get(f"{BASE}/game/sessions").mock(return_value=httpx.Response(
        200, json={"status": "RS_OK", "data": [{"sessionId": "abc"}], "total": 1}))
    answer = client_for.sessions(page=2, limit=5, player_id="CLi3000001", game_id="oppi-crash")
    assert answer["data"] == [{"sessionId": "abc"}]
    request = route.calls.last.request
    assert dict(request.url.params) == {"page": "2", "limit": "5", "playerId": "CLi3000001", "gameId": "oppi-crash"}
    assert request.content == b""
    assert _signed_correctly(request, "s3cr3t-oppi", b"")


@respx.mock
def test_sessions_without_filters_sends_only_paging(client_for):
    route = respx.get(f"{BASE}/game/sessions").mock(return_value=httpx.Response(200, json={"status": "RS_OK"}))
    client_for.sessions()
    assert dict(route.calls.last.request.url.params) == {"page": "1", "limit": "20"}


@respx.mock
def test_outbound_calls_land_in_the_history(client_for, oppi):
    respx.post(f"{BASE}/game/url").mock(return_value=httpx.Response(
        200, json={"status": "RS_OK", "gameUrl": "https://u", "sessionId": "s"}))
    client_for.game_url(game_id="g", player_id="CLi3000001", player_name="n", balance=1, currency="IDR")
    row = CallLog.objects.get()
    assert (row.direction, row.provider, row.endpoint, row.status_code, row.http_status) == (
        "out", "oppi", "game/url", "RS_OK", 200)
    assert row.integration_id == oppi.pk and row.player_external_id == "CLi3000001" and row.duration_ms >= 0
    assert json.loads(row.request_body)["gameId"] == "g"


@respx.mock
def test_non_ok_status_raises_with_the_status(client_for):
    respx.post(f"{BASE}/game/url").mock(return_value=httpx.Response(200, json={"status": "RS_ERROR_GAME_INACTIVE"}))
    with pytest.raises(OppiClientError, match="RS_ERROR_GAME_INACTIVE") as raised:
        client_for.game_url(game_id="g", player_id="p", player_name="n", balance=1, currency="IDR")
    assert raised.value.status == "RS_ERROR_GAME_INACTIVE"
    assert CallLog.objects.get().status_code == "RS_ERROR_GAME_INACTIVE"


@respx.mock
def test_http_error_raises_and_is_recorded(client_for):
    respx.post(f"{BASE}/game/url").mock(return_value=httpx.Response(502, text="bad gateway"))
    with pytest.raises(OppiClientError, match="HTTP 502"):
        client_for.game_url(game_id="g", player_id="p", player_name="n", balance=1, currency="IDR")
    row = CallLog.objects.get()
    assert (row.status_code, row.http_status) == ("HTTP_502", 502)


@respx.mock
def test_timeout_raises_a_clear_error(client_for):
    respx.post(f"{BASE}/game/url").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(OppiClientError, match="did not answer in time"):
        client_for.game_url(game_id="g", player_id="p", player_name="n", balance=1, currency="IDR")
    assert CallLog.objects.get().status_code == "TIMEOUT"


@respx.mock
def test_connection_error_raises_a_clear_error(client_for):
    respx.get(f"{BASE}/game/sessions").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(OppiClientError, match="could not be reached"):
        client_for.sessions()


@respx.mock
@pytest.mark.parametrize("answer", [httpx.Response(200, text="<html>"), httpx.Response(200, json=[1]),
                                    httpx.Response(200, json={"status": "RS_OK", "gameUrl": "u"})])
def test_malformed_answers_raise(client_for, answer):
    respx.post(f"{BASE}/game/url").mock(return_value=answer)
    with pytest.raises(OppiClientError):
        client_for.game_url(game_id="g", player_id="p", player_name="n", balance=1, currency="IDR")


def test_integration_without_base_url_is_refused(oppi):
    oppi.api_base_url = ""
    with pytest.raises(OppiClientError, match="no Oppi base URL"):
        OppiClient(oppi)


def test_our_signature_matches_what_our_callbacks_verify(oppi):
    """Round trip: what the client signs, the inbound check accepts."""
    from providers.oppi.parsing import verify
    from providers.oppi.signing import canonical_body, sign

    body = canonical_body({"a": "é"})
    ts = str(time.time_ns() // 1_000_000)
    headers = {"x-api-key": oppi.api_key, "x-timestamp": ts, "x-signature": sign(oppi.secret, body, ts)}
    assert verify(headers=headers, raw_body=body, remote_ip="127.0.0.1") == oppi


# --- audit: timeouts, history rows of bad answers, messages ---------------------------------


@respx.mock
def test_requests_carry_our_connect_and_read_timeouts(client_for):
    from providers.oppi import dialect

    route = respx.post(f"{BASE}/game/url").mock(return_value=httpx.Response(
        200, json={"status": "RS_OK", "gameUrl": "https://u", "sessionId": "s"}))
    client_for.game_url(game_id="g", player_id="p", player_name="n", balance=1, currency="IDR")
    timeout = route.calls.last.request.extensions["timeout"]
    assert timeout["connect"] == dialect.CONNECT_TIMEOUT_S and timeout["read"] == dialect.READ_TIMEOUT_S


@respx.mock
def test_an_injected_http_client_still_gets_our_timeouts(oppi):
    from providers.oppi import dialect

    oppi.api_base_url = BASE
    route = respx.get(f"{BASE}/game/sessions").mock(return_value=httpx.Response(200, json={"status": "RS_OK"}))
    with httpx.Client(timeout=999) as http:
        OppiClient(oppi, http=http).sessions()
    assert route.calls.last.request.extensions["timeout"]["read"] == dialect.READ_TIMEOUT_S


@respx.mock
def test_the_signature_covers_exactly_the_bytes_sent_with_unicode_and_no_spaces(client_for):
    route = respx.post(f"{BASE}/game/url").mock(return_value=httpx.Response(
        200, json={"status": "RS_OK", "gameUrl": "https://u", "sessionId": "s"}))
    client_for.game_url(game_id="g", player_id="p", player_name="Ünïcødé ✓ 𝄞", balance=1, currency="IDR")
    request = route.calls.last.request
    assert "Ünïcødé ✓ 𝄞".encode() in request.content and b"\\u" not in request.content and b", " not in request.content
    assert _signed_correctly(request, "s3cr3t-oppi", request.content)


@respx.mock
@pytest.mark.parametrize("answer,status,message", [
    (httpx.Response(200, text="<html>"), "BAD_ANSWER", "not JSON"),
    (httpx.Response(200, json=[1]), "BAD_ANSWER", "not an object"),
    (httpx.Response(200, json={"status": "RS_OK", "gameUrl": "u"}), "BAD_ANSWER", "without sessionId"),
    (httpx.Response(200, json={"status": "RS_OK", "gameUrl": "", "sessionId": 5}), "BAD_ANSWER",
     "without gameUrl and sessionId"),
    (httpx.Response(200, json={"gameUrl": "u", "sessionId": "s"}), "BAD_ANSWER", "without a status"),
    (httpx.Response(200, json={"status": 0}), "BAD_ANSWER", "without a status"),
    (httpx.Response(500, text="x" * 1000), "HTTP_500", "HTTP 500"),
    (httpx.Response(200, json={"status": "RS_OK", "gameUrl": "javascript:alert(1)", "sessionId": "s"}),
     "BAD_ANSWER", "not an http"),
    (httpx.Response(200, json={"status": "RS_OK", "gameUrl": "https://g", "sessionId": "s" * 129}),
     "BAD_ANSWER", "longer than we can store"),
])
def test_bad_answers_raise_a_clear_message_and_say_so_in_the_history(client_for, answer, status, message):
    respx.post(f"{BASE}/game/url").mock(return_value=answer)
    with pytest.raises(OppiClientError, match=message) as raised:
        client_for.game_url(game_id="g", player_id="p", player_name="n", balance=1, currency="IDR")
    assert "/game/url" in str(raised.value) and len(str(raised.value)) < 300
    row = CallLog.objects.get()
    assert (row.direction, row.endpoint, row.status_code) == ("out", "game/url", status)
    assert row.http_status == answer.status_code


@respx.mock
def test_connection_error_is_recorded_without_an_http_status(client_for):
    respx.get(f"{BASE}/game/sessions").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(OppiClientError):
        client_for.sessions(player_id="CLi3000001")
    row = CallLog.objects.get()
    assert (row.status_code, row.http_status, row.player_external_id) == ("NETWORK_ERROR", 0, "CLi3000001")
    assert json.loads(row.request_body) == {"page": 1, "limit": 20, "playerId": "CLi3000001"}


# --- empty-body signing (issue 14): the empty string today, `""` behind one switch ------------


def _hmac_hex(secret: str, text: bytes) -> str:
    """The spec's HMAC written out here, over exactly `text` (the oracle, not the app's helper)."""
    return hmac.new(secret.encode("utf-8"), text, hashlib.sha256).hexdigest()


@respx.mock
def test_sessions_sign_the_empty_string_by_default(client_for):
    route = respx.get(f"{BASE}/game/sessions").mock(return_value=httpx.Response(200, json={"status": "RS_OK"}))
    client_for.sessions()
    request = route.calls.last.request
    ts = request.headers["x-timestamp"]
    assert request.content == b""
    assert request.headers["x-signature"] == _hmac_hex("s3cr3t-oppi", ("|" + ts).encode())


@respx.mock
def test_the_one_line_switch_signs_two_double_quotes_as_oppis_snippet_would(client_for, monkeypatch):
    from providers.oppi import dialect

    monkeypatch.setattr(dialect, "EMPTY_BODY_SIGNED_AS", b'""')
    route = respx.get(f"{BASE}/game/sessions").mock(return_value=httpx.Response(200, json={"status": "RS_OK"}))
    client_for.sessions(player_id="CLi3000001")
    request = route.calls.last.request
    ts = request.headers["x-timestamp"]
    # JSON.stringify("") is the two characters "" ; the request itself still carries no body.
    assert request.content == b""
    assert request.headers["x-signature"] == _hmac_hex("s3cr3t-oppi", ('""|' + ts).encode())
    assert request.headers["x-signature"] != _hmac_hex("s3cr3t-oppi", ("|" + ts).encode())


@respx.mock
def test_the_switch_never_touches_calls_with_a_body(client_for, monkeypatch):
    from providers.oppi import dialect

    monkeypatch.setattr(dialect, "EMPTY_BODY_SIGNED_AS", b'""')
    route = respx.post(f"{BASE}/game/url").mock(return_value=httpx.Response(
        200, json={"status": "RS_OK", "gameUrl": "https://u", "sessionId": "s"}))
    client_for.game_url(game_id="g", player_id="p", player_name="n", balance=0, currency="IDR")
    request = route.calls.last.request
    ts = request.headers["x-timestamp"]
    assert request.headers["x-signature"] == _hmac_hex("s3cr3t-oppi", request.content + b"|" + ts.encode())
