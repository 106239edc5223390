"""One 1G callback from raw request to answer body: envelope, call, rules (spec section 3).

Every failure ends in a 1G status; nothing raised here reaches the HTTP layer.
"""

from __future__ import annotations

import datetime as dt
import logging

from providers.calllog import CallRecord, HistoryWithMoney, caller_refusal_limited

from . import answers, dialect, handlers, parsing
from .codes import Status
from .handlers import Outcome
from .parsing import Refused

logger = logging.getLogger(__name__)


def _text(value) -> str:
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def _note(record: CallRecord, body: dict | None) -> None:
    """What the status-code history shows about the call: player, transaction, request ids."""
    if not body:
        return
    record.request_id = _text(body.get("request_id"))
    record.player_external_id = _text(body.get("player_id"))
    record.txn_id = _text(body.get("txn_id"))
    items = body.get("transactions")
    if isinstance(items, list):
        dicts = [item for item in items if isinstance(item, dict)]
        record.player_external_id = record.player_external_id or (_text(dicts[0].get("player_id")) if dicts else "")
        record.txn_id = ",".join(filter(None, (_text(item.get("txn_id")) for item in dicts)))


def _item_outcome(integration, item: dict, now: dt.datetime, *, stale: bool) -> Outcome:
    """One batch item on its own: its refusal or failure never touches the others. A stale
    envelope refuses bet items (the window's calls) and lets results and rollbacks through."""
    try:
        if stale and item.get("type") in dialect.WINDOWED_CALLS:
            return Outcome(Status.REQUEST_TIMEOUT)
        return handlers.call_handle(integration, parsing.item_parse(item), now)
    except Refused as refused:
        return Outcome(refused.status)
    except Exception:
        logger.exception("1G batch item failed")
        return Outcome(Status.UNKNOWN_ERROR)


def _history_with_money(record: CallRecord, envelope, wallet_call) -> HistoryWithMoney:
    """The call's history row, written with its money: the record holds what the end of
    callback_answer would note, and the row's answer is the one call_answer gives."""
    record.authenticated = True  # envelope_open checked the signature
    record.integration_id = envelope.integration.pk
    _note(record, envelope.body)

    def render(result) -> dict | None:
        outcome = handlers.outcome_of(wallet_call, result)
        if outcome is None:
            return None
        return dialect.names_to_wire(answers.call_answer(wallet_call.call, envelope.body, outcome))

    return HistoryWithMoney(record, render)


def callback_answer(*, call: str, raw: bytes, signature: str | None, ip: str | None, now: dt.datetime,
                    record: CallRecord, sub_agent: str | None = None) -> dict:
    """The answer body of a 1G wallet callback (1G's field names); fills `record` for the history."""
    seen: dict = {}
    try:
        envelope = handlers.envelope_open(call=call, raw=raw, signature=signature, ip=ip, now=now, seen=seen,
                                          sub_agent=sub_agent)
        if call == dialect.TRANSACTIONS:
            items = parsing.batch_items(envelope.body)
            answer = answers.batch_answer(envelope.body, [
                (item, _item_outcome(envelope.integration, item, now, stale=envelope.stale)) for item in items
            ])
        else:
            wallet_call = parsing.call_parse(call, envelope.body)
            outcome = handlers.call_handle(envelope.integration, wallet_call, now,
                                           history=_history_with_money(record, envelope, wallet_call))
            answer = answers.call_answer(call, envelope.body, outcome)
    except Refused as refused:
        answer = answers.call_answer(call, seen.get("body"), Outcome(refused.status))
    except Exception:
        logger.exception("1G %s callback failed", call)
        answer = answers.call_answer(call, seen.get("body"), Outcome(Status.UNKNOWN_ERROR))
    record.authenticated = bool(seen.get("authenticated"))
    if not record.authenticated and caller_refusal_limited(record):
        # (ours) Too many calls refused before authentication from this address: answered
        # dialect.CALLER_LIMITED_STATUS and not stored (providers.calllog).
        answer = answers.call_answer(call, seen.get("body"), Outcome(dialect.CALLER_LIMITED_STATUS))
    integration = seen.get("integration")
    record.integration_id = integration.pk if integration is not None else None
    if "body" not in seen:  # unreadable: keep it as text the history can store (no NUL, no surrogate)
        record.request_body = raw.decode("utf-8", "replace").replace("\x00", "\ufffd")
    _note(record, seen.get("body"))
    answer = dialect.names_to_wire(answer)
    record.status_code = answer["status"]
    record.response_body = answer
    return answer
