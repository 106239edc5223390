"""Writing the status-code history: one row per call.

A single seamless money call that moves money writes its row in the same statement as its money
(HistoryWithMoney, settings.CALL_HISTORY_WITH_MONEY, on by default); every other call writes it
with one INSERT at its end.

With settings.CALL_HISTORY_IN_CALL_TRANSACTION (opt-in), a seamless callback on PostgreSQL writes
its row in the same database transaction as its money (`call_logged(..., same_transaction=True)`):
one commit, one WAL flush per call instead of two.
The row never depends on that transaction alone: when it rolls back, or the INSERT fails inside
it, the row is written again on its own after it (see call_logged)."""

from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.observability import call_observe
from wallet import sql

from .models import CallLog, Direction
from .partitioning import day_ready, insert_healing

logger = logging.getLogger(__name__)

# Keys whose values never reach the history (compared in lower case).
SECRET_KEYS = frozenset({"secret", "secret_key", "password", "x-signature", "ug-data-signature", "bcode", "token", "l_token"})
MAX_BODY_CHARS = 8000
UNKNOWN_ENDPOINT_LABEL = "unknown"


def redact(body: object) -> str:
    """Text of a request or answer body with secrets replaced, cut to a sane length, and always
    storable (no NUL, no lone surrogate), whatever a caller sent."""
    if isinstance(body, (bytes, bytearray)):
        try:
            body = json.loads(body)
        except (ValueError, RecursionError):
            return _storable(bytes(body[:MAX_BODY_CHARS]).decode("utf-8", "replace"))
    try:
        text = json.dumps(_redact(body), ensure_ascii=False, default=str)
    except (ValueError, RecursionError):  # nested too deep to walk: store a marker instead
        text = '"<body not storable: nested too deep>"'
    return _storable(text[:MAX_BODY_CHARS])


def _storable(text: str) -> str:
    """PostgreSQL text takes neither NUL nor lone surrogates: replace them visibly."""
    return text.replace("\x00", "\\u0000").encode("utf-8", "replace").decode("utf-8")


def _redact(value):
    if isinstance(value, dict):
        return {k: ("***" if str(k).lower() in SECRET_KEYS else _redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


@dataclass
class CallRecord:
    """Filled in while a call is handled; written once at the end."""

    provider: str
    endpoint: str
    direction: str = Direction.INBOUND
    integration_id: int | None = None
    player_external_id: str = ""
    txn_id: str = ""
    request_id: str = ""
    status_code: str = ""
    http_status: int = 200
    caller_ip: str | None = None
    session_unknown: bool = False
    request_body: object = None
    response_body: object = None
    # False for a path that is none of the provider's endpoints: the history keeps the path, the
    # metrics count it under one label (a label per random path would grow /metrics without end).
    endpoint_known: bool = True
    # Inbound: set once the caller proved to be the integration (its signature holds). A call
    # answered before that is "refused before authentication": its bodies are cut to
    # settings.CALL_HISTORY_UNAUTHENTICATED_BODY_BYTES and its row is flagged `unauthenticated`.
    authenticated: bool = False
    # False: no history row (a refusal over its address's limit, see caller_refusal_limited).
    stored: bool = True
    started: float = field(default_factory=time.perf_counter)
    # The answer whose row was written with the call's money and committed (HistoryWithMoney):
    # the row is not written again unless the call's final answer differs from it.
    kept_body: object = None

    @property
    def unauthenticated(self) -> bool:
        return self.direction == Direction.INBOUND and not self.authenticated


def call_log_write(record: CallRecord) -> None:
    """Insert the history row and count the call; a failure here is logged and never fails the call."""
    seconds = _observe(record)
    try:
        _insert(record, seconds)
    except Exception:  # the history must never turn a settled call into an error
        logger.exception("could not write the call history for %s %s", record.provider, record.endpoint)


def _observe(record: CallRecord) -> float:
    seconds = time.perf_counter() - record.started
    try:
        endpoint = record.endpoint[:64] if record.endpoint_known else UNKNOWN_ENDPOINT_LABEL
        call_observe(provider=record.provider, direction=record.direction, endpoint=endpoint,
                     status=record.status_code[:64] or "NONE", seconds=seconds)
    except Exception:
        logger.exception("could not count the call %s %s", record.provider, record.endpoint)
    return seconds


def _body(record: CallRecord, body: object) -> str:
    if body is None:
        return ""
    text = redact(body)
    if record.unauthenticated:
        text = _cut(text, getattr(settings, "CALL_HISTORY_UNAUTHENTICATED_BODY_BYTES", 1024))
    return text


def _cut(text: str, limit: int) -> str:
    """`text` in at most `limit` bytes of UTF-8 (whole characters), marked when it was cut."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    marker = "…[cut]"
    room = max(0, limit - len(marker.encode("utf-8")))
    return data[:room].decode("utf-8", "ignore") + marker


def caller_refusal_limited(record: CallRecord) -> bool:
    """Count a call refused before authentication against its source address; True when the
    address went over settings.CALLER_REFUSALS_LIMIT within CALLER_REFUSALS_WINDOW_SECONDS.

    Then the caller is answered the provider's own "limited" status (each dialect's
    CALLER_LIMITED_STATUS, HTTP 200 JSON as always) and the call is counted in the metrics but not
    stored: junk from one address cannot fill the history. The counter lives in the cache (Redis
    in production, shared by every worker); if the cache fails, nothing is limited. An
    authenticated call is never counted nor limited."""
    limit = int(getattr(settings, "CALLER_REFUSALS_LIMIT", 0) or 0)
    if limit <= 0 or not record.caller_ip or not record.unauthenticated:
        return False
    from django.core.cache import cache

    key = f"calllog:refused:{record.caller_ip}"
    try:
        cache.add(key, 0, timeout=int(getattr(settings, "CALLER_REFUSALS_WINDOW_SECONDS", 60)))
        count = cache.incr(key)
    except Exception:  # the cache is down (or the key expired between add and incr): serve the call
        logger.warning("could not count a refused call from %s", record.caller_ip, exc_info=True)
        return False
    if count > limit:
        record.stored = False
        if count == limit + 1:
            logger.warning("calls refused before authentication from %s over %s in the window: no longer stored",
                           record.caller_ip, limit)
        return True
    return False


def _insert(record: CallRecord, seconds: float) -> None:
    """Inside a transaction, in a savepoint (a failed row leaves the transaction usable). On
    PostgreSQL, a day without a partition yet is created and the row inserted again."""
    if record.kept_body is not None and record.kept_body == record.response_body:
        return  # written with the call's money (HistoryWithMoney)
    created_at = timezone.now()
    insert_healing(lambda: _insert_row(record, seconds, created_at), [created_at])


def _insert_row(record: CallRecord, seconds: float, created_at) -> None:
    # Hand-written (wallet/sql.py): one row per call, and CallLog.objects.create() compiled it for
    # about a seventh of a callback's CPU. Plain columns only (text, integers, a float, an address).
    if not record.stored:
        return
    sql.insert(CallLog, row_values(record, seconds, created_at), returning=None)


def row_values(record: CallRecord, seconds: float, created_at) -> dict:
    """The history row's columns, as the database takes them."""
    return {
        "created_at": created_at,
        "provider": record.provider,
        "integration_id": record.integration_id,
        "direction": record.direction,
        "endpoint": record.endpoint[:64],
        "player_external_id": str(record.player_external_id or "")[:64],
        "txn_id": str(record.txn_id or "")[:128],
        "request_id": str(record.request_id or "")[:128],
        "status_code": record.status_code[:64],
        "http_status": record.http_status,
        "duration_ms": round(seconds * 1000, 3),
        "caller_ip": record.caller_ip or None,
        "session_unknown": bool(record.session_unknown),
        "unauthenticated": record.unauthenticated,
        "request_body": _body(record, record.request_body),
        "response_body": _body(record, record.response_body),
    }


class HistoryWithMoney:
    """A single seamless call's history row written in the same statement as its money
    (wallet.gameplay.GameCall.answer_row): its answer is known once the rules have decided, so
    the row needs neither a transaction nor a round trip of its own (docs/decisions.md).

    `render(result)` is the provider's wire answer for a gameplay result (None: not known there,
    the row is written the usual way at the end). The row is kept only if the money's transaction
    commits (`kept`); whenever the call's final answer differs from the row's (a failure after
    the commit), call_logged writes the final answer's row too. Off with
    settings.CALL_HISTORY_WITH_MONEY = False."""

    def __init__(self, record: CallRecord, render):
        self.record, self.render, self.body = record, render, None

    def row(self, result) -> tuple[type, dict] | None:
        record = self.record
        if not (record.stored and record.authenticated and settings.CALL_HISTORY_WITH_MONEY):
            return None
        body = self.render(result)
        created_at = timezone.now()
        if body is None or not day_ready(created_at):
            return None
        self.body = body
        record.status_code, record.response_body = str(body["status"]), body
        return CallLog, row_values(record, time.perf_counter() - record.started, created_at)

    def kept(self) -> None:
        self.record.kept_body = self.body


class _Guard:
    """What call_logged hands the block: `broken()` tells whether the shared transaction failed."""

    def __init__(self, shared: bool):
        self.shared = shared

    def broken(self) -> bool:
        """True when a statement failed inside the shared transaction (PostgreSQL refuses the rest
        and the COMMIT rolls back): the block must not answer success; nothing it did is kept."""
        if not self.shared:
            return False
        from psycopg.pq import TransactionStatus

        raw = connection.connection
        if raw is not None and raw.info.transaction_status == TransactionStatus.INERROR:
            transaction.set_rollback(True)
            return True
        return False


def _shareable() -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "CALL_HISTORY_IN_CALL_TRANSACTION", False)


@contextmanager
def call_logged(record: CallRecord, *, same_transaction: bool = False):
    """Time a call and write its history row when the block ends, whatever happens.

    `same_transaction` (a single seamless callback; PostgreSQL only): the block runs in one
    transaction and the row is inserted in it, in a savepoint, just before the COMMIT, so the
    call costs one commit. The money rules' own transactions become savepoints inside it. If the
    INSERT fails, or the transaction rolls back (an exception left the block), the row is written
    afterwards on its own, as without the option: a row is never lost.
    """
    if not (same_transaction and _shareable()):
        try:
            yield _Guard(False)
        finally:
            call_log_write(record)
        return
    written = False
    try:
        with transaction.atomic():
            try:
                yield _Guard(True)
            finally:
                seconds = _observe(record)
                if not transaction.get_rollback():  # else the COMMIT rolls back: written after it
                    try:
                        _insert(record, seconds)  # in its own savepoint
                        written = True
                    except Exception:
                        logger.exception("history row in the call's transaction failed; writing it on its own")
        if connection.connection is None:
            # The connection was lost inside the block (a database restart): Django rolled back
            # and closed it instead of committing, without raising. Nothing of the call was kept,
            # so the caller must not answer success.
            raise DatabaseError("the call's transaction was not committed: the connection was lost")
    except BaseException:
        written = False
        raise
    finally:
        if not written:
            try:
                _insert(record, time.perf_counter() - record.started)
            except Exception:
                logger.exception("could not write the call history for %s %s", record.provider, record.endpoint)
