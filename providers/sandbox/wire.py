"""How the sandbox talks to OUR callback endpoints: over HTTP, with the providers' real signatures.

The sandbox plays the provider's part, so it signs with the secret of the Integration row that
points at it (api_base_url containing "/sandbox/"); it never uses a row that points elsewhere,
so a production secret can never be used by it.
"""

from __future__ import annotations

import json
import time
import uuid
from decimal import Decimal

import httpx
from django.utils import timezone

from core.models import Integration
from providers.onegaming import signing as og_signing
from providers.onegaming.registration import PROVIDER as ONEGAMING
from providers.onegaming.validation import json_exact
from providers.oppi import signing as oppi_signing
from providers.oppi.registration import PROVIDER as OPPI

HTTP_TIMEOUT = 15.0
ONEGAMING_CALLBACKS = "/api/onegaming/"
OPPI_CALLBACKS = "/api/oppi/"


def sandbox_integration(*, provider: str, **lookup) -> Integration | None:
    """The enabled-or-not Integration row that points at this sandbox, found by its public id."""
    row = Integration.objects.filter(provider=provider, **lookup).first()
    if row is None or "/sandbox/" not in row.api_base_url:
        return None
    return row


def onegaming_integration(agent_code: str) -> Integration | None:
    return sandbox_integration(provider=ONEGAMING, agent_code=agent_code) if agent_code else None


def oppi_integration(api_key: str) -> Integration | None:
    return sandbox_integration(provider=OPPI, api_key=api_key) if api_key else None


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def _json(response: httpx.Response):
    """The answer's JSON with decimal numbers kept exact (1G balances such as `1500.00`)."""
    return json.loads(response.content, parse_float=Decimal)


def _post(url: str, body: bytes, headers: dict[str, str]) -> dict:
    try:
        response = httpx.post(url, content=body, headers={"Content-Type": "application/json", **headers},
                              timeout=HTTP_TIMEOUT)
    except httpx.HTTPError as exc:
        return {"status": "HTTP_ERROR", "detail": exc.__class__.__name__}
    try:
        answer = _json(response)
    except ValueError:
        return {"status": f"HTTP_{response.status_code}", "detail": response.text[:200]}
    if not isinstance(answer, dict):
        return {"status": f"HTTP_{response.status_code}", "detail": str(answer)[:200]}
    answer.setdefault("_http", response.status_code)
    return answer


def onegaming_get(request, path: str, params: dict[str, str]) -> dict:
    """A GET to our 1G endpoints (igPokerValidation), on the host the player reached us by."""
    try:
        response = httpx.get(request.build_absolute_uri(ONEGAMING_CALLBACKS + path), params=params,
                             timeout=HTTP_TIMEOUT)
        answer = _json(response)
    except (httpx.HTTPError, ValueError) as exc:
        return {"status": "HTTP_ERROR", "detail": exc.__class__.__name__}
    return answer if isinstance(answer, dict) else {"status": "HTTP_ERROR"}


def onegaming_post(request, integration: Integration, name: str, fields: dict) -> dict:
    """POST a 1G seamless call (`bet`, `result`, …) signed with `UG-Data-Signature`."""
    payload = {
        "agent_code": integration.agent_code,
        "request_id": new_id("req"),
        "datetime": timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        **fields,
    }
    body = json_exact(payload)
    headers = {"UG-Data-Signature": og_signing.sign(integration.secret, body, encoding=integration.signature_encoding)}
    return _post(request.build_absolute_uri(ONEGAMING_CALLBACKS + name), body, headers)


def oppi_post(request, integration: Integration, path: str, payload: dict) -> dict:
    """POST an Oppi wallet call (`transaction/bet`, `transaction/payout`, …) with its three headers."""
    body = oppi_signing.canonical_body(payload)
    timestamp = str(int(time.time() * 1000))
    headers = {
        "x-api-key": integration.api_key,
        "x-timestamp": timestamp,
        "x-signature": oppi_signing.sign(integration.secret, body, timestamp),
    }
    return _post(request.build_absolute_uri(OPPI_CALLBACKS + path), body, headers)


def decimal_or_none(text: str) -> Decimal | None:
    try:
        value = Decimal(str(text).strip())
    except (ArithmeticError, ValueError):
        return None
    return value if value.is_finite() and value > 0 else None
