"""1G answer bodies (spec section 3) and a JSON renderer that writes Decimals as exact numbers."""

from __future__ import annotations

import json
from decimal import Decimal

from rest_framework.renderers import JSONRenderer

from . import dialect
from .codes import Status
from .seamless import Outcome

# What each answer echoes: dialect.ANSWER_ECHOED and dialect.ITEM_ECHOED.
ECHOED = dialect.ANSWER_ECHOED
ITEM_ECHOED = dialect.ITEM_ECHOED


def _echo(source: dict, name: str):
    """A body value worth repeating: strings and integers as sent, nothing else."""
    value = source.get(name)
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def _with_balance(answer: dict, outcome: Outcome, *, names_currency: bool = False) -> dict:
    """`answer` with the balance in its own currency; `names_currency`: the call's answer carries
    `currency` even when the call did not send one (a rollback takes it from the bet)."""
    if outcome.balance is not None and outcome.currency:
        if "currency" in answer or names_currency:
            answer["currency"] = outcome.currency  # the balance's own currency (a rollback answers in the bet's)
        answer["balance"] = dialect.balance_wire(outcome.balance, outcome.currency)
    return answer


def call_answer(call: str, body: dict | None, outcome: Outcome) -> dict:
    """The answer to one call, or to an envelope refused before the call's rules ran."""
    answer: dict = {"status": str(outcome.status)}
    body = body or {}
    if _echo(body, "request_id") is not None:
        answer["request_id"] = _echo(body, "request_id")
    for name in ECHOED[call]:
        if _echo(body, name) is not None:
            answer[name] = _echo(body, name)
    return _with_balance(answer, outcome, names_currency="currency" in ECHOED[call])


def batch_top_status(outcomes: list[Outcome]) -> Status:
    """The batch envelope's status (ours, dialect.BATCH_TOP_STATUS): always OK with per-item
    statuses, or the first refused item's status on top (OK when every item is OK)."""
    if dialect.BATCH_TOP_STATUS == dialect.BATCH_TOP_FIRST_REFUSED:
        return next((o.status for o in outcomes if o.status != Status.OK), Status.OK)
    return Status.OK


def batch_answer(body: dict, items: list[tuple[dict, Outcome]]) -> dict:
    """3.5: envelope status (see batch_top_status), one result per item in order."""
    results = []
    for item, outcome in items:
        result = {name: _echo(item, name) for name in ITEM_ECHOED if _echo(item, name) is not None}
        result["status"] = str(outcome.status)
        results.append(_with_balance(result, outcome))
    top = batch_top_status([outcome for _item, outcome in items])
    answer = call_answer(dialect.TRANSACTIONS, body, Outcome(status=top))
    answer["results"] = results
    return answer


def exact_json(value, *, ascii_only: bool = False) -> str:
    """JSON text in which a Decimal is a number with exactly its own digits (no float on the way)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("non-finite Decimal")
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{exact_json(v, ascii_only=ascii_only)}"
                              for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(exact_json(v, ascii_only=ascii_only) for v in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)


class ExactJSONRenderer(JSONRenderer):
    """DRF's JSON renderer would turn a Decimal into a float; this one keeps it exact."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        try:
            return exact_json(data).encode()
        except UnicodeEncodeError:  # a lone surrogate to echo: \u-escape it instead of failing
            return exact_json(data, ascii_only=True).encode()
