"""The 1G transfer client: signing and headers as the spec says, answers classified once."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from providers.models import CallLog
from providers.onegaming.client import OneGamingClient, Outcome, classify
from tests.transfers.conftest import SECRET

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("http_status, body, outcome", [
    (200, {"status": "OK"}, Outcome.OK),
    (200, {"status": "INSUFFICIENT_CREDIT"}, Outcome.REFUSED),
    (400, {"status": "INVALID_CURRENCY"}, Outcome.REFUSED),
    (400, {"status": "USER_NOT_EXIST"}, Outcome.REFUSED),
    (200, {"status": "UNKNOWN_ERROR"}, Outcome.UNKNOWN),
    (400, {"status": "UNKNOWN_ERROR"}, Outcome.UNKNOWN),
    (400, {"error": "bad"}, Outcome.UNKNOWN),
    (400, None, Outcome.UNKNOWN),
    (500, {"status": "OK"}, Outcome.UNKNOWN),
    (502, None, Outcome.UNKNOWN),
    (200, None, Outcome.UNKNOWN),
    (200, {"status": "SOMETHING_NEW"}, Outcome.UNKNOWN),
    (400, {"status": "OK"}, Outcome.UNKNOWN),
    (404, {"status": "INVALID_METHOD"}, Outcome.UNKNOWN),
])
def test_classification_follows_the_spec(http_status, body, outcome):
    assert classify(http_status=http_status, body=body)[0] == outcome


def test_every_call_is_signed_over_the_exact_bytes_with_agent_headers(fake_1g, transfer_1g):
    transfer_1g.sub_agent = "SUBA"
    client = OneGamingClient(transfer_1g)
    assert client.create_wallet("P1", "Pat", "IDR").ok
    assert client.create_wallet("P1", "Pat", "IDR").ok, "USER_EXIST: the wallet is there"
    answer = client.deposit("P1", "t-1", "IDR", 1_234_500)  # 12.345 IDR: IDR has 2 digits, never rounded
    assert answer.outcome == Outcome.REFUSED and answer.status == "INEXACT_AMOUNT"
    assert fake_1g.calls("deposit") == []
    answer = client.deposit("P1", "t-2", "IDR", 1_250_000)
    assert answer.ok and answer.balance == 1_250_000
    assert client.balance("P1").balance == 1_250_000
    assert client.games().ok
    assert fake_1g.bad_signatures == 0
    for headers in fake_1g.headers:
        assert headers["UG-Agent"] == "TRAGENT" and headers["UG-Sub-Agent"] == "SUBA"
    sent = fake_1g.calls("deposit")[-1]
    assert sent["amount"] == 12.5 and str(sent["amount"]) == "12.50", "a JSON number with the currency's digits"
    assert all("datetime" in body for _, body in fake_1g.requests)
    assert CallLog.objects.filter(integration=transfer_1g, direction="out").count() == 5
    logged = CallLog.objects.filter(endpoint="wallet/deposit").order_by("pk").last()
    assert logged.txn_id == "t-2" and logged.status_code == "OK" and logged.http_status == 200


def test_signature_is_hex_hmac_sha256_of_the_body(fake_1g, transfer_1g, monkeypatch):
    seen = {}
    real_post = __import__("httpx").Client.post

    def spy(self, url, *, content, headers, **kwargs):
        seen.update(content=content, headers=headers)
        return real_post(self, url, content=content, headers=headers, **kwargs)

    monkeypatch.setattr("httpx.Client.post", spy)
    OneGamingClient(transfer_1g).balance("nobody")
    expected = hmac.new(SECRET.encode(), seen["content"], hashlib.sha256).hexdigest()
    assert seen["headers"]["UG-Data-Signature"] == expected
    assert json.loads(seen["content"])["player_id"] == "nobody"
    assert "UG-Sub-Agent" not in seen["headers"]


def test_timeout_and_connection_errors_are_unknown_and_logged(fake_1g, transfer_1g, settings):
    fake_1g.fault("balance", "delay_after_apply")
    answer = OneGamingClient(transfer_1g).balance("P1")
    assert answer.outcome == Outcome.UNKNOWN and answer.status == "TIMEOUT"
    transfer_1g.api_base_url = "http://127.0.0.1:9"  # nothing listens on the discard port
    answer = OneGamingClient(transfer_1g).records(__import__("django.utils.timezone").utils.timezone.now(),
                                                  __import__("django.utils.timezone").utils.timezone.now())
    assert answer.answer.outcome == Outcome.UNKNOWN and answer.answer.status == "NETWORK_ERROR"
    assert set(CallLog.objects.values_list("status_code", flat=True)) == {"TIMEOUT", "NETWORK_ERROR"}
