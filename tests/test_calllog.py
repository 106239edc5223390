"""The status-code history stores every call, whatever bytes the caller sent, without secrets."""

import pytest

from providers.calllog import CallRecord, call_log_write, redact
from providers.models import CallLog

pytestmark = pytest.mark.django_db

NASTY = [
    b'{"txn_id": "a\\u0000b", "secret_key": "s"}',
    b'{"txn_id": "\\ud800"}',
    b"\x00\xff not json at all \x00",
    b"[" * 5000 + b"]" * 5000,
    {"deep": [[[[[["x"]]]]]], "l_token": "hide", "bcode": "hide"},
]


@pytest.mark.parametrize("body", NASTY)
def test_every_body_lands_in_the_history_as_storable_text_when_nasty(body):
    call_log_write(CallRecord(provider="onegaming", endpoint="bet", status_code="INVALID_SYNTAX",
                              request_body=body, response_body={"status": "INVALID_SYNTAX"}))
    row = CallLog.objects.get()
    assert "\x00" not in row.request_body and "hide" not in row.request_body and '"s"' not in row.request_body


def test_redact_masks_secrets_at_any_depth():
    text = redact({"a": [{"secret": "x1", "UG-Data-Signature": "x2"}], "password": "x3", "amount": 1})
    assert "x1" not in text and "x2" not in text and "x3" not in text and '"amount": 1' in text
