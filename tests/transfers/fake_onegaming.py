"""A fake 1G transfer API over real HTTP on loopback, written from the spec (section 4), with
fault injection.

It keeps its own wallets and records in memory, verifies every request's signature with
hmac/hashlib from the spec's formula (hex of HMAC-SHA256(secret, exact body bytes)) and the
`UG-Agent` header, and answers a repeated transfer_id with its first answer.

Faults are queued per call name ("deposit", "withdraw", "records", "balance", "create",
"games") and each is used by the next such request:

- "delay_after_apply": apply, then wait `delay` seconds before answering (past the timeout);
- "drop_after_apply": apply, then close the connection without an answer;
- "unknown_error": answer UNKNOWN_ERROR, apply nothing;
- "unknown_error_after_apply": apply, then answer UNKNOWN_ERROR;
- "http_500": HTTP 500 with an HTML body, apply nothing; "http_500_after_apply" applies first;
- "http_400_status:<STATUS>": HTTP 400 with {"status": STATUS}, apply nothing;
- "http_400_bare": HTTP 400 without a status, apply nothing; "http_400_bare_after_apply";
- "garbage": HTTP 200 with a body that is not JSON, apply nothing.

`sticky` faults (call name -> fault) apply to every such request, e.g. a deposit always refused
with UNKNOWN_ERROR.

Readings of the seed it can be switched to:

- `duplicate_on_repeat`: a repeated transfer_id is answered `DUPLICATE_REF_TXN_ID` (seed: "A
  transaction with same transaction_uuid was sent") instead of its first answer;
- `records_delay` (seconds): a record shows in `/wallet/records` only that long after the
  transfer was applied, by `clock` (a callable giving an aware datetime; tests pass a controlled
  clock, so nothing really sleeps);
- `ignore_filters`: `/wallet/records` ignores `player_id` and `transfer_id` (period and pages only);
- `time_zone`: 1G's local zone. `datetime`, `start_time` and `end_time` are read as the wall-clock
  time of that zone (digits only, any zone suffix ignored: a server that reads local time), a
  `datetime` more than 10 s from the clock is answered REQUEST_TIMEOUT (seed: "The system only
  proceed request within 10 sec of datetime from requested content"), and records carry
  `created_at` in that local time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import zoneinfo
from collections import defaultdict, deque
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIGITS = {"IDR": 2, "USD": 2, "VND": 0, "VND2": 3}
WINDOW = dt.timedelta(seconds=10)


def local_wall_time(text: str) -> dt.datetime:
    """The wall-clock digits of an ISO 8601 text (`YYYY-MM-DDTHH:MM:SS[.fff]`), zone ignored."""
    return dt.datetime.fromisoformat(str(text)[:23].replace(" ", "T"))


def real_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class FakeOneGaming:
    def __init__(self, *, agent_code: str, secret: str, delay: float = 6.0, page_size: int = 50,
                 time_zone: str = "UTC", clock=real_clock):
        self.agent_code = agent_code
        self.secret = secret
        self.delay = delay
        self.page_size = page_size
        self.time_zone = time_zone
        self.clock = clock
        self.duplicate_on_repeat = False
        self.records_delay = 0.0
        self.ignore_filters = False
        self.sticky: dict[str, str] = {}
        self.applied_at: dict[str, dt.datetime] = {}  # transfer_id -> when the record was made
        self.lock = threading.Lock()
        self.wallets: dict[str, dict] = {}  # player_id -> {"currency", "balance": Decimal}
        self.answers: dict[str, dict] = {}  # transfer_id -> first answer
        self.records: list[dict] = []
        self.games = [
            {"game_id": "301", "category": "SLOT", "brand": "GamePlay", "type": "list", "name": "GamePlay Slots"},
            {"game_id": "401", "category": "LIVECASINO", "brand": "AsiaGaming", "type": "lobby", "name": "AG Live"},
        ]
        self.faults: dict[str, deque] = defaultdict(deque)
        self.requests: list[tuple[str, dict]] = []
        self.headers: list[dict] = []
        self.bad_signatures = 0
        self.applied: dict[str, int] = defaultdict(int)  # transfer_id -> times money moved
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- control -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeOneGaming:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fault(self, call: str, *faults: str) -> None:
        self.faults[call].extend(faults)

    def balance_of(self, player_id: str) -> Decimal:
        return self.wallets[player_id]["balance"]

    def calls(self, name: str) -> list[dict]:
        return [body for call, body in self.requests if call == name]

    # --- the API -----------------------------------------------------------------------------

    def local_now(self) -> dt.datetime:
        return self.clock().astimezone(zoneinfo.ZoneInfo(self.time_zone)).replace(tzinfo=None)

    def _visible(self, transfer_id: str, visible_until: dt.datetime) -> bool:
        applied = self.applied_at.get(transfer_id)  # a record planted by a test shows at once
        return applied is None or applied <= visible_until

    def _apply_transfer(self, call: str, body: dict) -> dict:
        transfer_id = str(body["transfer_id"])
        if transfer_id in self.answers:
            if self.duplicate_on_repeat:
                return {"status": "DUPLICATE_REF_TXN_ID"}
            return self.answers[transfer_id]
        player_id = str(body["player_id"])
        wallet = self.wallets.get(player_id)
        amount = Decimal(str(body["amount"]))
        status = "OK"
        if wallet is None:
            status = "USER_NOT_EXIST"
        elif wallet["currency"] != body["currency"]:
            status = "INVALID_CURRENCY"
        elif amount <= 0 or -amount.as_tuple().exponent > DIGITS.get(body["currency"], 2):
            status = "INVALID_TYPES"
        elif call == "withdraw" and amount > wallet["balance"]:
            status = "INSUFFICIENT_CREDIT"
        if status == "OK":
            wallet["balance"] += amount if call == "deposit" else -amount
            self.applied[transfer_id] += 1
            answer = {"status": "OK", "transfer_id": transfer_id, "balance": float(wallet["balance"])}
        else:
            answer = {"status": status}
        if wallet is not None:
            now = self.local_now()
            self.applied_at[transfer_id] = now
            self.records.append({"transfer_id": transfer_id, "player_id": player_id, "type": call,
                                 "currency": body["currency"], "amount": str(amount),
                                 "status": "OK" if status == "OK" else "FAILED",
                                 "created_at": now.isoformat(sep=" ", timespec="milliseconds")})
        self.answers[transfer_id] = answer
        return answer

    def _answer(self, call: str, body: dict) -> dict:
        if call == "create":
            if str(body["player_id"]) in self.wallets:
                return {"status": "USER_EXIST"}
            self.wallets[str(body["player_id"])] = {"currency": body["currency"], "balance": Decimal(0)}
            return {"status": "OK"}
        if call == "balance":
            wallet = self.wallets.get(str(body["player_id"]))
            if wallet is None:
                return {"status": "USER_NOT_EXIST"}
            return {"status": "OK", "player_id": body["player_id"], "currency": wallet["currency"],
                    "balance": float(wallet["balance"])}
        if call in ("deposit", "withdraw"):
            return self._apply_transfer(call, body)
        if call == "records":
            start, end = local_wall_time(body["start_time"]), local_wall_time(body["end_time"])
            visible_until = self.local_now() - dt.timedelta(seconds=self.records_delay)
            rows = [r for r in self.records
                    if start <= local_wall_time(r["created_at"]) <= end
                    and self._visible(r["transfer_id"], visible_until)
                    and (self.ignore_filters or not body.get("transfer_id") or r["transfer_id"] == body["transfer_id"])
                    and (self.ignore_filters or not body.get("player_id") or r["player_id"] == body["player_id"])]
            total = max(1, -(-len(rows) // self.page_size))
            page = int(body["page"])
            chunk = rows[(page - 1) * self.page_size: page * self.page_size]
            return {"status": "OK", "page": page, "total_pages": total, "records": chunk}
        if call == "games":
            return {"status": "OK", "games": list(self.games)}
        return {"status": "INVALID_METHOD"}

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, code: int, payload: bytes, content_type: str = "application/json") -> None:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self):  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                call = {"/wallet/create": "create", "/wallet/balance": "balance", "/wallet/deposit": "deposit",
                        "/wallet/withdraw": "withdraw", "/wallet/records": "records",
                        "/games": "games"}.get(self.path, "")
                expected = hmac.new(fake.secret.encode(), raw, hashlib.sha256).hexdigest()
                signature = self.headers.get("UG-Data-Signature", "")
                if not hmac.compare_digest(expected, signature.lower()) or \
                        self.headers.get("UG-Agent") != fake.agent_code:
                    fake.bad_signatures += 1
                    return self._send(200, b'{"status":"INVALID_SIGNATURE"}')
                body = json.loads(raw, parse_float=Decimal)
                if "datetime" not in body:
                    return self._send(200, b'{"status":"INVALID_SYNTAX"}')
                try:
                    sent_at = local_wall_time(body["datetime"])
                except ValueError:
                    return self._send(200, b'{"status":"INVALID_SYNTAX"}')
                with fake.lock:
                    fake.requests.append((call, body))
                    fake.headers.append(dict(self.headers))
                    if abs(fake.local_now() - sent_at) > WINDOW:
                        return self._send(200, b'{"status":"REQUEST_TIMEOUT"}')
                    fault = fake.faults[call].popleft() if fake.faults[call] else fake.sticky.get(call, "")
                    apply_first = fault.endswith("_after_apply")
                    answer = fake._answer(call, body) if (not fault or apply_first) else None
                if fault.startswith("delay"):
                    time.sleep(fake.delay)
                    return self._send(200, json.dumps(answer).encode())
                if fault.startswith("drop"):
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                if fault.startswith("unknown_error"):
                    return self._send(200, b'{"status":"UNKNOWN_ERROR"}')
                if fault.startswith("http_500"):
                    return self._send(500, b"<html>Internal Server Error</html>", "text/html")
                if fault.startswith("http_400_status:"):
                    status = fault.split(":", 1)[1]
                    return self._send(400, json.dumps({"status": status}).encode())
                if fault.startswith("http_400_bare"):
                    return self._send(400, b'{"error":"bad request"}')
                if fault == "garbage":
                    return self._send(200, b"<html>oops</html>", "text/html")
                return self._send(200, json.dumps(answer).encode())

        return Handler
