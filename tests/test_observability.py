"""Every provider call is counted for Prometheus; every request carries a request id."""

import logging

import pytest
from prometheus_client import REGISTRY

from providers.calllog import CallRecord, call_log_write

pytestmark = pytest.mark.django_db


def _count(**labels) -> float:
    return REGISTRY.get_sample_value("backoffice_provider_calls_total", labels) or 0.0


def test_each_call_written_to_the_history_is_counted_in_metrics_by_status(client):
    labels = {"provider": "oppi", "direction": "in", "endpoint": "transaction/bet", "status": "RS_OK"}
    before = _count(**labels)
    call_log_write(CallRecord(provider="oppi", endpoint="transaction/bet", status_code="RS_OK"))
    assert _count(**labels) == before + 1
    text = client.get("/metrics").content.decode()
    assert 'backoffice_provider_calls_total{direction="in",endpoint="transaction/bet",provider="oppi",status="RS_OK"}' in text
    assert "backoffice_provider_call_seconds_bucket" in text


def test_a_real_callback_is_counted_even_when_refused(client):
    labels = {"provider": "onegaming", "direction": "in", "endpoint": "bet", "status": "INVALID_SYNTAX"}
    before = _count(**labels)
    assert client.post("/api/onegaming/bet", b"not json", content_type="application/json").json()["status"] == "INVALID_SYNTAX"
    assert _count(**labels) == before + 1


def test_requests_get_a_request_id_and_keep_a_sane_incoming_one(client):
    assert len(client.get("/healthz")["X-Request-ID"]) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234")["X-Request-ID"] == "lb-1234"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n<script>")["X-Request-ID"] != "bad id\n<script>"


def test_log_lines_carry_the_request_id(client, caplog):
    from core.observability import RequestIdLogFilter, request_id_var

    token = request_id_var.set("req-42")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
        RequestIdLogFilter().filter(record)
    finally:
        request_id_var.reset(token)
    assert record.request_id == "req-42"


def test_json_log_lines_are_one_json_object_with_the_request_id():
    """LOG_FORMAT=json (production default): every line is JSON and names its request."""
    import io
    import json
    import logging

    from core.observability import RequestIdLogFilter, json_log_formatter, request_id_var

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_log_formatter())
    handler.addFilter(RequestIdLogFilter())
    logger = logging.getLogger("tests.json-logs")
    logger.addHandler(handler)
    logger.propagate = False
    token = request_id_var.set("req-json-7")
    try:
        logger.warning("paid %s", "win")
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
    finally:
        request_id_var.reset(token)
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["event"] == "paid win" and first["level"] == "warning" and first["request_id"] == "req-json-7"
    assert first["timestamp"].endswith("Z")
    assert second["request_id"] == "req-json-7" and "ValueError: boom" in second["exception"]
