"""Issue 8: client address behind trusted proxies, /metrics protection and labels, unknown provider paths."""


import pytest
from django.test import RequestFactory
from prometheus_client import REGISTRY

from core.net import client_ip
from providers.models import CallLog

pytestmark = pytest.mark.django_db

LB = "10.0.0.5"


def _ip(remote: str, forwarded: str | None = None) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_forwarded_address_is_used_only_behind_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = [LB]
    assert _ip(LB, "203.0.113.7") == "203.0.113.7"
    assert _ip("198.51.100.9", "203.0.113.7") == "198.51.100.9"  # untrusted socket: header ignored
    settings.TRUSTED_PROXIES = []
    assert _ip(LB, "203.0.113.7") == LB  # no trusted proxies configured: socket address


def test_the_rightmost_untrusted_hop_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.10"]
    # The client forged the first entry; our CDN (192.0.2.10) and LB (10.0.0.5) appended theirs.
    assert _ip(LB, "1.2.3.4, 203.0.113.7, 192.0.2.10") == "203.0.113.7"
    assert _ip(LB, "1.2.3.4,203.0.113.7") == "203.0.113.7"
    assert _ip(LB, "10.1.1.1, 10.2.2.2") == "10.1.1.1"  # only our own proxies: the first of them
    assert _ip(LB, "not-an-ip, 10.2.2.2") == "10.2.2.2"  # garbage is never believed
    assert _ip(LB, "") == LB


def test_provider_allowlist_sees_the_forwarded_address_behind_the_balancer(client, settings, onegaming,
                                                                          rich_player):
    from tests.onegaming.wire import OneGamingWire

    onegaming.allowed_ips = "203.0.113.7"
    onegaming.save()
    wire = OneGamingWire(client)
    balance = {"player_id": rich_player.external_id, "currency": "IDR"}
    settings.TRUSTED_PROXIES = [LB]
    assert wire.post("balance", balance, REMOTE_ADDR=LB, HTTP_X_FORWARDED_FOR="203.0.113.7")["status"] == "OK"
    # A stranger writing the provider's address into the header directly is refused...
    assert wire.post("balance", balance, REMOTE_ADDR="198.51.100.9",
                     HTTP_X_FORWARDED_FOR="203.0.113.7")["status"] == "INVALID_PARTNER"
    # ...and so is anyone else coming through the balancer.
    assert wire.post("balance", balance, REMOTE_ADDR=LB, HTTP_X_FORWARDED_FOR="198.51.100.9")["status"] == (
        "INVALID_PARTNER")
    assert CallLog.objects.filter(caller_ip="203.0.113.7", status_code="OK").exists()


def _unknown_series() -> int:
    return sum(1 for metric in REGISTRY.collect() for sample in metric.samples
               if sample.name == "backoffice_provider_calls_total" and sample.labels.get("status") in
               ("UNKNOWN_ERROR", "RS_ERROR") and sample.labels.get("endpoint", "").startswith("random-"))


def test_unknown_provider_paths_share_one_metrics_label(client):
    for n in range(20):
        client.post(f"/api/onegaming/random-{n}", b"{}", content_type="application/json")
        client.post(f"/api/oppi/random-{n}", b"{}", content_type="application/json")
    assert _unknown_series() == 0
    assert REGISTRY.get_sample_value("backoffice_provider_calls_total", {
        "provider": "onegaming", "direction": "in", "endpoint": "unknown", "status": "UNKNOWN_ERROR"}) >= 20
    assert REGISTRY.get_sample_value("backoffice_provider_calls_total", {
        "provider": "oppi", "direction": "in", "endpoint": "unknown", "status": "RS_ERROR"}) >= 20
    # The history still names the path, so a wrongly configured callback URL shows up there.
    assert CallLog.objects.filter(provider="onegaming", endpoint="random-3").exists()


def test_metrics_answer_loopback_only_when_nothing_is_configured(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", []
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.50").status_code == 403


def test_metrics_with_a_bearer_token(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "scrape-me-0123456789", []
    outside = {"REMOTE_ADDR": "203.0.113.50"}
    assert client.get("/metrics", **outside).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **outside).status_code == 403
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me-0123456789", **outside)
    assert ok.status_code == 200 and b"backoffice_provider_calls_total" in ok.content
    # With a token configured, loopback needs it too (no silent back door).
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_metrics_from_an_allowed_network_behind_the_proxy(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", ["192.168.50.0/24"]
    settings.TRUSTED_PROXIES = [LB]
    assert client.get("/metrics", REMOTE_ADDR="192.168.50.20").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR=LB, HTTP_X_FORWARDED_FOR="192.168.50.21").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="192.168.50.21").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


@pytest.mark.parametrize(("prefix", "status"), [("onegaming", "UNKNOWN_ERROR"), ("oppi", "RS_ERROR")])
def test_a_post_to_an_unknown_provider_path_gets_the_documented_json_and_a_history_row(prefix, status):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # as a provider calls: no CSRF cookie or token
    response = client.post(f"/api/{prefix}/no-such-call", b'{"a":1}', content_type="application/json")
    assert response.status_code == 200 and response.json() == {"status": status}
    row = CallLog.objects.get(endpoint="no-such-call")
    assert row.provider == prefix and row.status_code == status and row.http_status == 200
