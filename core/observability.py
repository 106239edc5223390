"""Observability: Prometheus metrics of every provider call, and a request id on every request.

Metrics are updated where every call already passes (the call history's call_log_write), so no
view has to remember them. Under gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR to
an empty directory so that /metrics adds up all workers (prometheus_client multiprocess mode).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import re
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

from .net import client_ip

CALLS = Counter(
    "backoffice_provider_calls_total",
    "Provider calls (inbound callbacks and outbound requests) by answer status",
    ["provider", "direction", "endpoint", "status"],
)
CALL_SECONDS = Histogram(
    "backoffice_provider_call_seconds",
    "Time to handle a provider call, money transaction included",
    ["provider", "direction", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
logger = logging.getLogger(__name__)


def call_observe(*, provider: str, direction: str, endpoint: str, status: str, seconds: float) -> None:
    CALLS.labels(provider, direction, endpoint, status).inc()
    CALL_SECONDS.labels(provider, direction, endpoint).observe(seconds)


def metrics_allowed(request) -> bool:
    """A scraper shows settings.METRICS_TOKEN as a bearer token, or calls from METRICS_ALLOWED_IPS
    (the client address after the trusted-proxy rule); with neither configured, loopback only."""
    token = settings.METRICS_TOKEN
    allowed = settings.METRICS_ALLOWED_IPS
    if token:
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode()):
            return True
    address = _ip(client_ip(request) or "")
    if address is None:
        return False
    if not token and not allowed:
        return address.is_loopback
    return any(address in network for network in _networks(tuple(allowed)))


def _ip(text: str):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _networks(entries: tuple[str, ...]) -> list:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            logger.warning("METRICS_ALLOWED_IPS: ignoring %r, not an IP address or network", entry)
    return networks


def metrics(request):
    """Prometheus text format; all gunicorn workers when PROMETHEUS_MULTIPROC_DIR is set."""
    if not metrics_allowed(request):
        return HttpResponse("metrics: bearer token or allowed address required\n", status=403,
                            content_type="text/plain")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    return HttpResponse(generate_latest(), content_type=CONTENT_TYPE_LATEST)


# --- request ids --------------------------------------------------------------------------

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class RequestIdMiddleware:
    """Takes the caller's X-Request-ID when it is sane, else makes one; echoes it on the response
    and puts it on every log line of the request (RequestIdLogFilter)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RefusalLogFilter(logging.Filter):
    """A refused permission (403) is an expected answer, not a fault: one warning line, no traceback.

    Django logs a PermissionDenied with the exception attached, so every 403 printed a whole
    traceback (twice, with Django's own console handler on top of ours). Attached to the
    django.request and django.security loggers, where those records are made."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 or record.name.startswith("django.security"):
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
            if record.levelno > logging.WARNING:
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def json_log_formatter() -> logging.Formatter:
    """A structlog formatter that renders every stdlib log record as one JSON line:
    timestamp (UTC, ISO 8601), level, logger, event (the message), request_id, and the
    exception's traceback when there is one."""
    import structlog

    def add_request_id(logger, method_name, event_dict):
        record = event_dict.get("_record")
        event_dict["request_id"] = getattr(record, "request_id", None) or request_id_var.get()
        return event_dict

    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ],
        processors=[
            add_request_id,
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )
