"""Calls we make to 1G's transfer API (spec section 4): wallets, transfers, records, games.

Every request is signed over the exact bytes sent, carries `datetime`, has explicit connect and
read timeouts (settings ONEGAMING_CONNECT_TIMEOUT / ONEGAMING_READ_TIMEOUT, seconds) and lands
in the status-code history as an outbound call. Never call this inside a database transaction:
it waits on the network.

Each answer is classified once, here, into one of three outcomes (spec section 4):

- OK: status `OK` with HTTP 200;
- REFUSED: a final refusal, any spec status other than `OK` and `UNKNOWN_ERROR`, with HTTP 200
  or HTTP 400 (the money did not move);
- UNKNOWN: anything else: timeout, connection error, lost answer, HTTP 5xx, `UNKNOWN_ERROR`,
  HTTP 400 without a status, an unparseable body or a status 1G does not list. The caller must
  ask `/wallet/records` before anything else.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

import httpx
from django.conf import settings
from django.utils import timezone

from lobby.models import Integration, Provider
from providers.calllog import CallRecord, call_logged
from providers.models import Direction
from wallet.money import AmountError, to_units

from . import dialect
from .codes import Status
from .signing import sign


class Outcome(StrEnum):
    OK = "ok"
    REFUSED = "refused"
    UNKNOWN = "unknown"


@dataclass
class Answer:
    """What one call came to: its outcome, 1G's status (or our label for a transport failure),
    the parsed body when there was one, and the parsed amounts of interest."""

    outcome: Outcome
    status: str
    http_status: int = 0
    body: dict | None = None
    request: dict = field(default_factory=dict)
    error: str = ""
    balance: int | None = None  # ledger units, when the answer carried a readable balance
    # A transfer answered DUPLICATE_REF_TXN_ID: 1G holds that transfer_id (outcome UNKNOWN; only
    # its records decide the transfer, spec section 4).
    held: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.OK


@dataclass(frozen=True)
class Record:
    """One row of `/wallet/records`, amounts in ledger units (None when unreadable)."""

    transfer_id: str
    player_id: str
    type: str
    currency: str
    amount: int | None
    status: str
    created_at: str
    raw: dict


@dataclass
class RecordsPage:
    answer: Answer
    page: int = 1
    total_pages: int = 1
    records: list[Record] = field(default_factory=list)


@dataclass
class RecordsScan:
    """Every page of `/wallet/records` for a period: `complete` only when each page from 1 to the
    last `total_pages` was read OK (never trust the filters: callers match transfer_id locally)."""

    answer: Answer  # the last page's answer (the failing one when incomplete)
    records: list[Record] = field(default_factory=list)
    pages: int = 0
    complete: bool = False

    def find(self, transfer_id: str) -> Record | None:
        for record in self.records:
            if record.transfer_id == transfer_id:
                return record
        return None


# Statuses that are a final refusal: every spec status but OK and UNKNOWN_ERROR.
FINAL_REFUSALS = frozenset(s.value for s in Status) - {Status.OK.value, Status.UNKNOWN_ERROR.value}


def classify(*, http_status: int, body: object) -> tuple[Outcome, str]:
    """(outcome, status label) of an HTTP answer; the single place answers are judged."""
    status = body.get("status") if isinstance(body, dict) else None
    if not isinstance(status, str) or not status:
        return Outcome.UNKNOWN, ("NO_STATUS" if http_status in (200, 400) else f"HTTP_{http_status}")
    if http_status == 200 and status == Status.OK:
        return Outcome.OK, status
    if http_status in (200, 400) and status in FINAL_REFUSALS:
        return Outcome.REFUSED, status
    if http_status not in (200, 400):
        return Outcome.UNKNOWN, f"HTTP_{http_status}"
    return Outcome.UNKNOWN, status  # UNKNOWN_ERROR, or a status 1G does not list


def _body_bytes(payload: dict) -> bytes:
    """Compact JSON; Decimal amounts rendered as exact JSON numbers (never through a float)."""
    numbers: dict[str, str] = {}

    def mark(value):
        if isinstance(value, Decimal):
            token = f"\x00dec{len(numbers)}\x00"
            numbers[token] = format(value, "f")
            return token
        return value

    text = json.dumps({k: mark(v) for k, v in payload.items()}, separators=(",", ":"), ensure_ascii=False)
    for token, number in numbers.items():
        text = text.replace(json.dumps(token), number)
    return text.encode()


def _signature(integration: Integration, body: bytes) -> str:
    # The per-integration signature encoding (hex default, or base64) arrives with another
    # branch; until it is merged the integration has no such field and sign() takes no keyword.
    encoding = getattr(integration, "signature_encoding", None)
    if encoding is None:
        return sign(integration.secret, body)
    return sign(integration.secret, body, encoding=encoding)


def _parse_json(raw: bytes) -> object:
    return json.loads(raw, parse_float=Decimal)


def _amount(value: object, currency: str) -> int | None:
    """A wire amount in ledger units, or None when it is not an exact amount in the currency."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    try:
        return to_units(value if isinstance(value, (Decimal, str)) else Decimal(value),
                        digits=dialect.wire_digits(currency))
    except (AmountError, ValueError, TypeError, ArithmeticError):
        return None


class OneGamingClient:
    def __init__(self, integration: Integration, *, http: httpx.Client | None = None, now=None):
        self.integration = integration
        self.base_url = (integration.api_base_url or "").rstrip("/")
        self._http = http
        self._now_fn = now
        self.time_zone = getattr(integration, "time_zone", "") or dialect.DEFAULT_TIME_ZONE

    def _now(self) -> dt.datetime:
        # Looked up at call time (not bound at import), so a test's controlled clock applies.
        return self._now_fn() if self._now_fn is not None else timezone.now()

    # --- the calls ---------------------------------------------------------------------------

    def create_wallet(self, player_id: str, username: str, currency: str) -> Answer:
        """Create the player's 1G wallet; `USER_EXIST` counts as OK (it is there)."""
        answer = self._call(dialect.TRANSFER_PATHS["create"], {"player_id": str(player_id), "username": username,
                                                               "currency": currency}, player_id=str(player_id))
        if answer.outcome == Outcome.REFUSED and answer.status == Status.USER_EXIST:
            answer.outcome = Outcome.OK
        return answer

    def balance(self, player_id: str, currency: str | None = None) -> Answer:
        """1G's balance of the player; `answer.balance` in ledger units when readable.

        `currency` is how to read the amount when the answer does not name one.
        """
        answer = self._call(dialect.TRANSFER_PATHS["balance"], {"player_id": str(player_id)}, player_id=str(player_id))
        if answer.ok and answer.body is not None:
            answer_currency = answer.body.get("currency") or currency or ""
            answer.balance = _amount(answer.body.get("balance"), str(answer_currency))
            if answer.balance is None:
                answer.outcome, answer.error = Outcome.UNKNOWN, "balance answer without a readable balance"
        return answer

    def deposit(self, player_id: str, transfer_id: str, currency: str, amount: int) -> Answer:
        return self._transfer("deposit", player_id, transfer_id, currency, amount)

    def withdraw(self, player_id: str, transfer_id: str, currency: str, amount: int) -> Answer:
        return self._transfer("withdraw", player_id, transfer_id, currency, amount)

    def records(self, start_time: dt.datetime, end_time: dt.datetime, page: int = 1, player_id: str | None = None,
                transfer_id: str | None = None) -> RecordsPage:
        """One page of 1G's transfer records for a period (pages count from 1)."""
        payload: dict = {"start_time": dialect.datetime_wire(start_time, self.time_zone),
                         "end_time": dialect.datetime_wire(end_time, self.time_zone), "page": int(page)}
        if player_id:
            payload["player_id"] = str(player_id)
        if transfer_id:
            payload["transfer_id"] = str(transfer_id)
        answer = self._call(dialect.TRANSFER_PATHS["records"], payload, player_id=str(player_id or ""),
                            txn_id=str(transfer_id or ""))
        result = RecordsPage(answer=answer, page=int(page))
        if not answer.ok:
            return result
        body = answer.body or {}
        rows = body.get("records")
        total = body.get("total_pages", 1)
        if not isinstance(rows, list) or isinstance(total, bool) or not isinstance(total, int) or total < 0:
            answer.outcome, answer.error = Outcome.UNKNOWN, "records answer without a records list or total_pages"
            return result
        result.total_pages = total
        for row in rows:
            if not isinstance(row, dict) or not row.get("transfer_id"):
                answer.outcome, answer.error = Outcome.UNKNOWN, "a record without a transfer_id"
                return result
            currency = str(row.get("currency") or "")
            result.records.append(Record(
                transfer_id=str(row["transfer_id"]), player_id=str(row.get("player_id") or ""),
                type=str(row.get("type") or ""), currency=currency, amount=_amount(row.get("amount"), currency),
                status=str(row.get("status") or ""), created_at=str(row.get("created_at") or ""), raw=row,
            ))
        return result

    def records_all(self, start_time: dt.datetime, end_time: dt.datetime, *, player_id: str | None = None,
                    transfer_id: str | None = None, max_pages: int = 10_000) -> RecordsScan:
        """Every page of the records for a period, page 1 to the last `total_pages` announced.

        The filters are sent as hints only: 1G may ignore them, so callers match each record's
        `transfer_id` themselves. Incomplete (`complete` False) when a page fails, or when there
        are more than `max_pages` pages.
        """
        scan = RecordsScan(answer=Answer(Outcome.UNKNOWN, "NOT_READ"))
        page = 1
        while True:
            result = self.records(start_time, end_time, page, player_id=player_id, transfer_id=transfer_id)
            scan.answer = result.answer
            if not result.answer.ok:
                return scan
            scan.pages = page
            scan.records.extend(result.records)
            if page >= result.total_pages:
                scan.complete = True
                return scan
            if page >= max_pages:
                scan.answer.error = f"more than {max_pages} pages of records"
                return scan
            page += 1

    def games(self) -> Answer:
        """1G's game list; `answer.body["games"]` is a list of objects when OK."""
        answer = self._call(dialect.TRANSFER_PATHS["games"], {})
        if answer.ok and not isinstance((answer.body or {}).get("games"), list):
            answer.outcome, answer.error = Outcome.UNKNOWN, "games answer without a games list"
        return answer

    # --- plumbing ----------------------------------------------------------------------------

    def _transfer(self, kind: str, player_id: str, transfer_id: str, currency: str, amount: int) -> Answer:
        wire_amount = dialect.amount_wire(amount, currency)
        if amount <= 0 or to_units(wire_amount, digits=dialect.wire_digits(currency)) != amount:
            # Never round money on the wire: refuse before sending (nothing moved).
            return Answer(Outcome.REFUSED, "INEXACT_AMOUNT",
                          error=f"{amount} ledger units is not an exact positive {currency} amount")
        payload = {"player_id": str(player_id), "transfer_id": str(transfer_id), "currency": currency,
                   "amount": wire_amount}
        answer = self._call(dialect.TRANSFER_PATHS[kind], payload, player_id=str(player_id), txn_id=str(transfer_id))
        if answer.status in dialect.TRANSFER_HELD_STATUSES:
            # 1G already has this transfer_id: not a refusal (spec section 4). Unknown until its
            # records say what became of it; never money back on this answer.
            answer.outcome, answer.held = Outcome.UNKNOWN, True
            answer.error = f"1G answered {answer.status}: it holds this transfer_id; its records decide"
            return answer
        if answer.ok and answer.body is not None:
            echoed = answer.body.get("transfer_id")
            if echoed is not None and str(echoed) != str(transfer_id):
                # An OK for another transfer says nothing about ours.
                answer.outcome, answer.error = Outcome.UNKNOWN, f"answer for another transfer_id {echoed!r}"
                return answer
            answer.balance = _amount(answer.body.get("balance"), currency)
        return answer

    def _headers(self, body: bytes) -> dict[str, str]:
        headers = {
            "UG-Agent": self.integration.agent_code,
            dialect.SIGNATURE_HEADER: _signature(self.integration, body),
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        if self.integration.sub_agent:
            headers["UG-Sub-Agent"] = self.integration.sub_agent
        return headers

    def _call(self, path: str, fields: dict, *, player_id: str = "", txn_id: str = "") -> Answer:
        payload = {**fields, "datetime": dialect.datetime_wire(self._now(), self.time_zone)}
        body = _body_bytes(payload)
        logged = {k: (format(v, "f") if isinstance(v, Decimal) else v) for k, v in payload.items()}
        record = CallRecord(provider=Provider.ONEGAMING, endpoint=path.lstrip("/"), direction=Direction.OUTBOUND,
                            integration_id=self.integration.pk, player_external_id=player_id, txn_id=txn_id,
                            request_body=logged, http_status=0)
        with call_logged(record):
            answer = self._send(path, body, record)
            answer.request = logged
            record.status_code = record.status_code or answer.status
            return answer

    def _send(self, path: str, body: bytes, record: CallRecord) -> Answer:
        if not self.base_url:
            record.status_code = "NOT_CONFIGURED"
            return Answer(Outcome.REFUSED, "NOT_CONFIGURED", error=f"integration {self.integration.code} has no 1G URL")
        timeout = httpx.Timeout(settings.ONEGAMING_READ_TIMEOUT, connect=settings.ONEGAMING_CONNECT_TIMEOUT)
        http = self._http or httpx.Client(timeout=timeout)
        try:
            response = http.post(f"{self.base_url}{path}", content=body, headers=self._headers(body), timeout=timeout)
        except httpx.TimeoutException as exc:
            record.status_code = "TIMEOUT"
            return Answer(Outcome.UNKNOWN, "TIMEOUT", error=f"1G {path} did not answer in time ({type(exc).__name__})")
        except httpx.HTTPError as exc:
            # A connection refused before sending is also "unknown" here on purpose: one rule,
            # and asking the records first is always safe.
            record.status_code = "NETWORK_ERROR"
            return Answer(Outcome.UNKNOWN, "NETWORK_ERROR", error=f"1G {path} could not be reached: {exc}")
        finally:
            if self._http is None:
                http.close()
        record.http_status = response.status_code
        record.response_body = response.content
        try:
            parsed = _parse_json(response.content)
        except (ValueError, RecursionError):
            parsed = None
        outcome, status = classify(http_status=response.status_code, body=parsed)
        if parsed is None and response.status_code == 200:
            status = "BAD_ANSWER"
        record.status_code = status
        error = "" if outcome == Outcome.OK else f"1G {path} answered HTTP {response.status_code} {status}"
        return Answer(outcome, status, http_status=response.status_code,
                      body=parsed if isinstance(parsed, dict) else None, error=error)
