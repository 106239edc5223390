"""What a provider's transfer-wallet client gives the transfers app (the provider declares the
client class in its registration's `transfer_client`; transfers never imports a provider).

A client is made with the Integration it serves and answers every call with an `Answer`:

    create_wallet(player_id, username, currency) -> Answer
    balance(player_id, currency=None) -> Answer              (Answer.balance in ledger units)
    deposit(player_id, transfer_id, currency, amount) -> Answer
    withdraw(player_id, transfer_id, currency, amount) -> Answer
    records(start_time, end_time, page=1, player_id=None, transfer_id=None) -> RecordsPage
    records_scan(start_time, end_time) -> RecordsScan         (every page of a period)
    games() -> Answer                                         (Answer.body["games"]: the catalogue)
    amount_digits(currency) -> int                            (fractional digits the wire carries)
    player_missing(answer) -> bool                            (the provider does not know the player)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"
    REFUSED = "refused"  # a final refusal: nothing moved at the provider
    UNKNOWN = "unknown"  # anything else (timeout, transport error, unexpected answer)


@dataclass
class Answer:
    """What one call came to: its outcome, the provider's status (or our label for a transport
    failure), the parsed body when there was one, and the parsed amounts of interest."""

    outcome: Outcome
    status: str
    http_status: int = 0
    body: dict | None = None
    request: dict = field(default_factory=dict)
    error: str = ""
    balance: int | None = None  # ledger units, when the answer carried a readable balance
    # A transfer answered "already have it" (a duplicate transfer id): the provider holds that
    # transfer_id (outcome UNKNOWN; only its records decide the transfer).
    held: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.OK


@dataclass(frozen=True)
class Record:
    """One row of the provider's transfer records, amounts in ledger units (None when unreadable)."""

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
    """Every page of the provider's transfer records for a period: `complete` only when each page
    from 1 to the last `total_pages` was read OK (never trust the filters: callers match
    transfer_id locally)."""

    answer: Answer  # the last page's answer (the failing one when incomplete)
    records: list[Record] = field(default_factory=list)
    pages: int = 0
    complete: bool = False

    def find(self, transfer_id: str) -> Record | None:
        for record in self.records:
            if record.transfer_id == transfer_id:
                return record
        return None
