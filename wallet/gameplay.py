"""Seamless-wallet money rules, in the domain's own terms.

Provider packages verify and parse a call, then call one of these functions; each runs in one
database transaction that first locks the player's wallets, checks for a replay (the same
provider transaction id again), applies the rules and writes the GameTransaction and its ledger
transfers. The result is a domain `Code`; each provider maps codes to its own status strings.

What differs between providers (one settles a ticket once and rolls back whole tickets, another
pays a bet several times and rolls back single transactions) is chosen by the caller through
the function it calls and its arguments, never by a provider name in here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Sum, When
from django.utils import timezone

from core.registry import GameRules

from . import sql
from .models import (
    Account,
    AccountKind,
    BetTicket,
    GameAction,
    GameOutcome,
    GameTransaction,
    LimitKind,
    LimitRefusal,
    Player,
    Transfer,
    TransferKind,
)
from .services import Posting, player_wallets_lock_then, system_account_id, transfer_prepare
from .sql import columns_of


class Code(StrEnum):
    APPLIED = "applied"
    DUPLICATE_ID = "duplicate_id"  # the transaction id was used before with other content
    NO_WALLET = "no_wallet"  # the player has no wallet in the call's currency
    INSUFFICIENT_FUNDS = "insufficient_funds"
    LIMIT_REACHED = "limit_reached"  # a responsible-gaming limit refused the bet
    TICKET_HAS_BET = "ticket_has_bet"
    TICKET_ROLLED_BACK = "ticket_rolled_back"  # the ticket (or this id) was rolled back first
    TICKET_NOT_FOUND = "ticket_not_found"  # no bet of this player on the ticket, or rolled back
    TICKET_SETTLED = "ticket_settled"  # single-settlement ticket already has its result
    CURRENCY_MISMATCH = "currency_mismatch"
    REWARD_EXISTS = "reward_exists"
    UNKNOWN_REFERENCE = "unknown_reference"  # rollback of something never seen (remembered)
    ALREADY_ROLLED_BACK = "already_rolled_back"
    NOT_UNDOABLE = "not_undoable"  # a rollback that names another rollback


@dataclass(frozen=True)
class GameCall:
    """What every seamless money call carries, already parsed and checked by the provider."""

    integration_id: int
    player: Player
    external_id: str
    fingerprint: str
    currency: str | None = None
    game_code: str = ""
    round_id: str = ""
    session_token: str = ""
    # A row the caller wants written in the same statement as the money (a provider's call
    # history: its answer is known once the rules have decided, before the write). None: none.
    answer_row: AnswerRow | None = None
    # The provider's declared rule variants (its registration's `rules`): the services below read
    # them from here. None (tests of one service): each service's own default, or its argument.
    rules: GameRules | None = None


def _rule(call: GameCall, name: str, given: bool | None, default: bool) -> bool:
    """A rule variant: the argument when given (tests of the variants), else the call's rules."""
    if given is not None:
        return given
    return getattr(call.rules, name) if call.rules is not None else default


class AnswerRow(Protocol):
    """A caller's row that travels with the money write (see GameCall.answer_row)."""

    def row(self, result: GameResult) -> tuple[type, dict] | None:
        """(model, column values) of the row for the answer `result`, or None to write none."""

    def kept(self) -> None:
        """The row's transaction committed: the caller must not write it again."""


# The rows answer_row gave during one attempt of _run, when _run's transaction is the outermost
# one (a row is kept only if that transaction commits; nested, the caller writes its own row).
# Not None also tells `_record` that its write may carry the transaction's COMMIT.
_answer_rows: ContextVar[list | None] = ContextVar("answer_rows", default=None)


@dataclass(frozen=True)
class GameResult:
    code: Code
    balance: int | None  # the wallet's balance after the call, ledger units
    currency: str | None = None
    replayed: bool = False
    limit: str | None = None  # which responsible-gaming limit refused, with LIMIT_REACHED

    @property
    def applied(self) -> bool:
        return self.code is Code.APPLIED


def fingerprint(**fields) -> str:
    """A stable hash of a call's content, to tell a replay from a reused id. The fields are JSON
    values (parsed from the provider's body); anything else is refused rather than hashed by its
    str(), which is not canonical (Decimal("1.0") and Decimal("1.00") would differ)."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _outcome_code(outcome: str) -> Code:
    return Code.UNKNOWN_REFERENCE if outcome == GameOutcome.UNKNOWN_REFERENCE else Code.APPLIED


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


class _Seen:
    """The earlier transactions a call's rules need, read in ONE query under the wallet lock:
    this call's own id, the rows of the tickets it touches, the rows it names by id, and this
    player's rollbacks of the references it cares about."""

    def __init__(self, call: GameCall, rows: list[GameTransaction]):
        self.call = call
        self.rows = rows

    @staticmethod
    def query(call: GameCall, *, tickets: tuple[str, ...], ids: tuple[str, ...],
              references: tuple[str, ...]) -> tuple[str, list]:
        """The SELECT of those rows and its parameters, sent with the lock (`_run`).

        Planned with its values on every call, never kept as a generic plan: without the values
        PostgreSQL cannot tell the three indexes it needs from the (integration, external_id)
        one, and a generic plan made on young tables read every row of the integration through
        that one (tests/test_generic_plans.py runs the prepared statements on grown tables)."""
        # Hand-written SQL (the same query the ORM would build): on every money call, and the
        # ORM's compilation of this OR of three conditions cost more CPU than the database's work.
        external_ids = [call.external_id, *ids]
        sql = [f"SELECT {columns_of(GameTransaction)} FROM {GameTransaction._meta.db_table} "
               f"WHERE integration_id = %s AND (external_id IN ({_marks(external_ids)})"]
        params: list = [call.integration_id, *external_ids]
        if tickets:
            sql.append(f" OR ticket IN ({_marks(tickets)})")
            params += tickets
        refs = [r for r in references if r]
        if refs:
            sql.append(f" OR (action = %s AND reference IN ({_marks(refs)}) AND player_id = %s)")
            params += [GameAction.ROLLBACK.value, *refs, call.player.pk]
        sql.append(") ORDER BY id")
        return "".join(sql), params

    def by_id(self, external_id: str) -> GameTransaction | None:
        return next((r for r in self.rows if r.external_id == external_id), None)

    def on_ticket(self, ticket: str, *actions: str) -> list[GameTransaction]:
        return [r for r in self.rows if r.ticket == ticket and (not actions or r.action in actions)]

    def rolled_back(self, reference: str) -> bool:
        """Did this player roll back `reference` (a ticket or a transaction id) already?"""
        return any(r.action == GameAction.ROLLBACK and r.reference == reference and r.player_id == self.call.player.pk
                   for r in self.rows)


@dataclass(frozen=True)
class Replay:
    """What the replay rule says of a call whose transaction id was seen before."""

    code: Code  # DUPLICATE_ID (same id, other content or another player), else the first answer's code
    currency: str | None  # the currency to answer in: the first answer's for a replay
    replayed: bool


def replay_of(previous, *, player_pk: int | None, fingerprint: str, currency: str | None) -> Replay | None:
    """The replay rule, the one place it is written (every provider's pre-check before the lock
    and `_run` under it apply it): a known id with the same content and player gets its first
    answer again, whatever changed since (token, player state, balance); a known id with other
    content, or another player's, is DUPLICATE_ID. A replay answers in the currency of the money
    it moved (a rollback's may differ from the call's), a duplicate in the call's own.

    `previous` is the earlier transaction with this id (anything with fingerprint, outcome,
    player_id and currency_id), or None."""
    if previous is None:
        return None
    same = previous.fingerprint == fingerprint and player_pk is not None and previous.player_id == player_pk
    if not same:
        return Replay(Code.DUPLICATE_ID, currency, replayed=False)
    return Replay(_outcome_code(previous.outcome), previous.currency_id or currency, replayed=True)


def _replay(call: GameCall, wallets: dict[str, Account], seen: _Seen) -> GameResult | None:
    """The first answer again for a known id, DUPLICATE_ID for a known id with other content."""
    verdict = replay_of(seen.by_id(call.external_id), player_pk=call.player.pk, fingerprint=call.fingerprint,
                        currency=call.currency)
    if verdict is None:
        return None
    wallet = wallets.get(verdict.currency or "")
    return GameResult(verdict.code, wallet.balance if wallet else None, verdict.currency, replayed=verdict.replayed)


def _record(call: GameCall, answer: GameResult, *, action: str, now: dt.datetime, amount: int = 0,
            ticket: str = "", reference: str = "", currency: str | None = None,
            outcome: str = GameOutcome.APPLIED, payouts_taken_back: int = 0,
            bet_ticket: bool = False, postings: tuple[Posting, ...] = ()) -> GameResult:
    """Write the call's GameTransaction, with `bet_ticket` the BetTicket that makes it the
    ticket's only bet, the transfers `postings` prepared for it (transfer_prepare) and the
    caller's answer row for `answer` (GameCall.answer_row): one statement on PostgreSQL, so the
    wallet's lock is held for one round trip fewer per write, and the call's history row needs
    no transaction of its own. Returns `answer`, the call's result."""
    values = {
        "integration_id": call.integration_id,
        "external_id": call.external_id,
        "action": action,
        "outcome": outcome,
        "player_id": call.player.pk,
        "currency_id": currency or call.currency,
        "amount": amount,
        "ticket": ticket,
        "reference": reference,
        "round_id": call.round_id,
        "game_code": call.game_code,
        "session_token": call.session_token,
        "fingerprint": call.fingerprint,
        "payouts_taken_back": payouts_taken_back,
        "created_at": now,
    }
    ticket_guard = {"integration_id": call.integration_id, "ticket": ticket} if bet_ticket else None
    # The write is the last statement of _run's transaction (every `apply` returns `_record`'s
    # result; tests/wallet/test_write_commits.py checks it): when that transaction is the
    # outermost one, its COMMIT travels with the write, one round trip fewer inside the lock.
    sql.insert_with_postings(GameTransaction, values, postings=postings, posting_model=Transfer, updated=Account,
                             child=BetTicket if bet_ticket else None, child_values=ticket_guard,
                             parent_column="bet_id", extra=_answer_row(call, answer),
                             commit=_answer_rows.get() is not None)
    return answer


def _answer_row(call: GameCall, answer: GameResult) -> tuple[type, dict] | None:
    rows = _answer_rows.get()
    if rows is None or call.answer_row is None:
        return None
    row = call.answer_row.row(answer)
    if row is not None:
        rows.append(call.answer_row)
    return row


def _game_account(call: GameCall, currency: str) -> Account:
    pk = system_account_id(kind=AccountKind.GAME, currency=currency, integration_id=call.integration_id)
    return Account(pk=pk, kind=AccountKind.GAME, currency_id=currency, integration_id=call.integration_id)


def _key(call: GameCall, suffix: str) -> str:
    """The ledger key of one transfer of a call, unambiguous whatever the provider's ids hold.

    A hash of the JSON array of the parts: ids may contain ":" (joined with ":", two different
    pairs could give one key and the second transfer was refused for good) and two 128-character
    ids joined would pass the key's 200 characters. Keys of the old joined form start with
    "game:<integration id>:", never with "game:v2:", so a new key never meets a stored one.
    """
    parts = json.dumps([call.integration_id, call.external_id, suffix], separators=(",", ":"))
    return "game:v2:" + hashlib.sha256(parts.encode()).hexdigest()


def _run(call: GameCall, apply, *, tickets: tuple[str, ...] = (), ids: tuple[str, ...] = (),
         references: tuple[str, ...] = ()) -> GameResult:
    """Run `apply(wallets, now, seen)` in one transaction after the lock and the replay check.

    Two different players can race on the same transaction id or the same ticket (they lock
    different rows); a unique key stops the second, which is then judged again as a replay, a
    duplicate or a ticket that has its bet. A transaction that found the connection's prepared
    statements gone (sql.PreparedStatementsLost) kept nothing and runs again the same way.
    """
    outermost = not transaction.get_connection().in_atomic_block
    for attempt in range(2):
        rows = [] if outermost else None
        token = _answer_rows.set(rows)
        try:
            with transaction.atomic():
                # The lock and the read of earlier transactions under it: one round trip.
                wallets, rows_seen = player_wallets_lock_then(
                    call.player.pk, GameTransaction, *_Seen.query(call, tickets=tickets, ids=ids, references=references))
                seen = _Seen(call, rows_seen)
                replayed = _replay(call, wallets, seen)
                if replayed is not None:
                    return replayed
                result = apply(wallets, timezone.now(), seen)
            for row in rows or ():  # committed
                row.kept()
            return result
        except (IntegrityError, sql.PreparedStatementsLost):
            if attempt:
                raise
        finally:
            _answer_rows.reset(token)
    raise AssertionError("unreachable")


# --- responsible gaming -------------------------------------------------------------------


def _day_start(now: dt.datetime) -> dt.datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _limit_refusal(wallet: Account, amount: int, now: dt.datetime) -> tuple[str, int, int] | None:
    """The limit this bet would pass, as (kind, limit, used today), or None.

    A movement counts on the UTC day of the bet or reward it belongs to, and only today's
    count: the wallet's game transfers since 00:00 UTC whose ticket holds a bet or a reward of
    this player made since 00:00 UTC. Bets used today: today's bets minus their refunds. Loss
    today: that, minus the wins paid on today's bets and today's rewards, plus what of them was
    taken back. A refund, win or reclaim today of an earlier day's bet changes neither figure.
    """
    if wallet.daily_bet_limit is None and wallet.daily_loss_limit is None:
        return None
    day_start = _day_start(now)

    def total(kind: str, side: str) -> Sum:
        return Sum(Case(When(Q(kind=kind) & Q(**{side: wallet.pk}), then="amount"), default=0,
                        output_field=IntegerField()))

    # A transfer's game transaction names the ticket: a bet's or reward's own, the ticket a win
    # settles, the ticket of what a rollback undid (a ticket rollback: the ticket; a transaction rollback: its target's ticket).
    started_today = GameTransaction.objects.filter(
        integration=OuterRef("game_transaction__integration"), ticket=OuterRef("game_transaction__ticket"),
        player_id=wallet.player_id, action__in=(GameAction.BET, GameAction.REWARD), created_at__gte=day_start,
    )
    sums = Transfer.objects.filter(
        Q(debit_account=wallet) | Q(credit_account=wallet), created_at__gte=day_start,
    ).filter(Exists(started_today)).aggregate(
        bets=total(TransferKind.BET, "debit_account"),
        refunds=total(TransferKind.REFUND, "credit_account"),
        wins=total(TransferKind.WIN, "credit_account"),
        rewards=total(TransferKind.REWARD, "credit_account"),
        reclaims=total(TransferKind.RECLAIM, "debit_account"),
    )
    sums = {k: v or 0 for k, v in sums.items()}
    bets_today = sums["bets"] - sums["refunds"]
    if wallet.daily_bet_limit is not None and bets_today + amount > wallet.daily_bet_limit:
        return LimitKind.DAILY_BET, wallet.daily_bet_limit, bets_today
    loss_today = bets_today - sums["wins"] - sums["rewards"] + sums["reclaims"]
    # The bet can be lost whole, so it counts in full against the loss limit.
    if wallet.daily_loss_limit is not None and loss_today + amount > wallet.daily_loss_limit:
        return LimitKind.DAILY_LOSS, wallet.daily_loss_limit, loss_today
    return None


# --- the operations -----------------------------------------------------------------------


def bet_place(call: GameCall, *, ticket: str, amount: int, rollback_check_first: bool | None = None) -> GameResult:
    """Debit a bet on a ticket.

    Order of refusals: replay/duplicate, no wallet, [ticket rolled back,] ticket already has a
    bet, responsible-gaming limit, funds[, ticket rolled back]. The rule `rollback_check_first`
    (call.rules; True without rules) chooses where the rolled-back check stands (first or last).
    """
    rollback_check_first = _rule(call, "rollback_check_first", rollback_check_first, True)

    def apply(wallets: dict[str, Account], now: dt.datetime, seen: _Seen) -> GameResult:
        wallet = wallets.get(call.currency or "")
        if wallet is None:
            return GameResult(Code.NO_WALLET, None, call.currency)
        result = lambda code, **kw: GameResult(code, wallet.balance, wallet.currency_id, **kw)  # noqa: E731
        if rollback_check_first and seen.rolled_back(ticket):
            return result(Code.TICKET_ROLLED_BACK)
        if seen.on_ticket(ticket, GameAction.BET):
            return result(Code.TICKET_HAS_BET)
        refusal = _limit_refusal(wallet, amount, now)
        if refusal is not None:
            kind, limit, used = refusal
            LimitRefusal.objects.create(wallet=wallet, integration_id=call.integration_id, limit_kind=kind,
                                        limit=limit, used_today=used, amount=amount,
                                        external_id=call.external_id, created_at=now)
            return result(Code.LIMIT_REACHED, limit=kind)
        if wallet.balance < amount:
            return result(Code.INSUFFICIENT_FUNDS)
        if not rollback_check_first and seen.rolled_back(ticket):
            return result(Code.TICKET_ROLLED_BACK)
        postings = (transfer_prepare(key=_key(call, "bet"), kind=TransferKind.BET, debit=wallet,
                                     credit=_game_account(call, wallet.currency_id), amount=amount, now=now),
                    ) if amount else ()
        return _record(call, result(Code.APPLIED), action=GameAction.BET, now=now, amount=amount, ticket=ticket,
                       bet_ticket=True, postings=postings)

    return _run(call, apply, tickets=(ticket,), references=(ticket,))


def win_settle(call: GameCall, *, ticket: str, amount: int, single_settlement: bool | None = None,
               refuse_rolled_back_id: bool | None = None) -> GameResult:
    """Credit what a bet won (0 records a loss). Never refused for token or player state.

    Refusals: replay/duplicate, [this id rolled back before it came,] no bet of this player on
    the ticket or the ticket rolled back, [ticket already settled,] currency not the bet's.
    The rules (call.rules; without rules: single_settlement False, refuse_rolled_back_id True):
    `refuse_rolled_back_id` is for providers whose rollbacks name transaction ids (where rollbacks
    name tickets, a result's own id is never a rollback target); `single_settlement`, a ticket
    settled once.
    """
    single_settlement = _rule(call, "single_settlement", single_settlement, False)
    refuse_rolled_back_id = _rule(call, "refuse_rolled_back_id", refuse_rolled_back_id, True)

    def apply(wallets: dict[str, Account], now: dt.datetime, seen: _Seen) -> GameResult:
        currency = call.currency
        call_wallet = wallets.get(currency or "")
        # A refusal answers the balance of the call's currency's wallet (none without one).
        refused = lambda code: GameResult(code, call_wallet.balance if call_wallet else None, currency)  # noqa: E731
        if refuse_rolled_back_id and seen.rolled_back(call.external_id):
            return refused(Code.TICKET_ROLLED_BACK)
        on_ticket = seen.on_ticket(ticket, GameAction.BET, GameAction.WIN)
        bet = next((t for t in on_ticket if t.action == GameAction.BET and t.player_id == call.player.pk), None)
        if bet is None or seen.rolled_back(ticket):
            return refused(Code.TICKET_NOT_FOUND)
        if single_settlement and any(t.action == GameAction.WIN for t in on_ticket):
            return refused(Code.TICKET_SETTLED)
        if currency != bet.currency_id:
            return refused(Code.CURRENCY_MISMATCH)
        wallet = wallets[bet.currency_id]  # the bet was placed from it, and wallets are never deleted
        postings = (transfer_prepare(key=_key(call, "win"), kind=TransferKind.WIN,
                                     debit=_game_account(call, wallet.currency_id), credit=wallet, amount=amount,
                                     now=now),) if amount else ()
        return _record(call, GameResult(Code.APPLIED, wallet.balance, wallet.currency_id),  # the bet's currency
                       action=GameAction.WIN, now=now, amount=amount, ticket=ticket, postings=postings)

    return _run(call, apply, tickets=(ticket,), references=(ticket, call.external_id))


def reward_credit(call: GameCall, *, reward_ref: str, amount: int, once_per_reference: bool = True) -> GameResult:
    """Credit a reward (free-spin win, bonus, jackpot).

    `once_per_reference` (a bonus): one reward per reference and player, another is
    REWARD_EXISTS (also after the first was rolled back). Without it (a jackpot can be won
    again) only the transaction id deduplicates. The two kinds group under different tickets
    (`reward:` and `prize:`), so a repeatable prize never blocks a bonus of the same reference.
    """
    ticket = f"{'reward' if once_per_reference else 'prize'}:{reward_ref}"

    def apply(wallets: dict[str, Account], now: dt.datetime, seen: _Seen) -> GameResult:
        wallet = wallets.get(call.currency or "")
        if wallet is None:
            return GameResult(Code.NO_WALLET, None, call.currency)
        result = lambda code: GameResult(code, wallet.balance, wallet.currency_id)  # noqa: E731
        if seen.rolled_back(call.external_id):
            return result(Code.TICKET_ROLLED_BACK)
        if once_per_reference and any(r.player_id == call.player.pk for r in seen.on_ticket(ticket)):
            return result(Code.REWARD_EXISTS)
        postings = (transfer_prepare(key=_key(call, "reward"), kind=TransferKind.REWARD,
                                     debit=_game_account(call, wallet.currency_id), credit=wallet, amount=amount,
                                     now=now),) if amount else ()
        return _record(call, result(Code.APPLIED), action=GameAction.REWARD, now=now, amount=amount, ticket=ticket,
                       reference=reward_ref, postings=postings)

    return _run(call, apply, tickets=(ticket,) if once_per_reference else (), references=(call.external_id,))


def _undo(call: GameCall, wallet: Account, targets: list[GameTransaction], now: dt.datetime) -> tuple[Posting, ...]:
    """The transfers that reverse applied transactions, in order: refund a bet, take back a win
    or reward (written with the rollback's own record)."""
    game = _game_account(call, wallet.currency_id)
    postings = []
    for target in targets:
        if not target.amount:
            continue
        key = _key(call, f"undo:{target.external_id}")
        if target.action == GameAction.BET:
            postings.append(transfer_prepare(key=key, kind=TransferKind.REFUND, debit=game, credit=wallet,
                                             amount=target.amount, now=now))
        else:
            postings.append(transfer_prepare(key=key, kind=TransferKind.RECLAIM, debit=wallet, credit=game,
                                             amount=target.amount, now=now, allow_overdraft=True))
    return tuple(postings)


def _tombstone(call: GameCall, reference: str, wallets: dict[str, Account], now: dt.datetime) -> GameResult:
    """Remember a rollback of something never seen, so the late original moves nothing."""
    wallet = wallets.get(call.currency or "")
    return _record(call, GameResult(Code.UNKNOWN_REFERENCE, wallet.balance if wallet else None, call.currency),
                   action=GameAction.ROLLBACK, now=now, reference=reference, outcome=GameOutcome.UNKNOWN_REFERENCE)


def _unmoved(code: Code, call: GameCall, wallets: dict[str, Account], currency: str | None) -> GameResult:
    """A rollback's answer that moves nothing: the balance and currency of the wallet the named
    transaction moved (`currency`), else of the call's currency's wallet, else no balance."""
    wallet = wallets.get(currency or call.currency or "")
    return GameResult(code, wallet.balance if wallet else None, wallet.currency_id if wallet else call.currency)


def ticket_rollback(call: GameCall, *, ticket: str) -> GameResult:
    """Undo a whole ticket: refund its bet and take back every result paid on it.

    A ticket this player never bet on is remembered as rolled back for this player
    (UNKNOWN_REFERENCE); one already rolled back by another id answers ALREADY_ROLLED_BACK.
    Taking back a paid result may leave the wallet below zero.
    """

    def apply(wallets: dict[str, Account], now: dt.datetime, seen: _Seen) -> GameResult:
        # A bet rolled back by its id voided the whole round with it (transaction_rollback).
        if seen.rolled_back(ticket) or _bet_rolled_back(seen.on_ticket(ticket)):
            return _unmoved(Code.ALREADY_ROLLED_BACK, call, wallets, None)  # in the call's currency
        mine = [t for t in seen.on_ticket(ticket, GameAction.BET, GameAction.WIN) if t.player_id == call.player.pk]
        if not any(t.action == GameAction.BET for t in mine):
            return _tombstone(call, ticket, wallets, now)
        currency = mine[0].currency_id
        wallet = wallets[currency]
        # What a rollback naming it by id undid already is not undone twice.
        todo = [t for t in mine if not seen.rolled_back(t.external_id)]
        paid = sum(1 for t in todo if t.action == GameAction.WIN and t.amount)
        postings = _undo(call, wallet, todo, now)  # moves wallet.balance
        return _record(call, GameResult(Code.APPLIED, wallet.balance, currency), action=GameAction.ROLLBACK, now=now,
                       ticket=ticket, reference=ticket, currency=currency, payouts_taken_back=paid, postings=postings)

    return _run(call, apply, tickets=(ticket,), references=(ticket,))


def _round_of(call: GameCall, ticket: str) -> list[GameTransaction]:
    """This player's bets, payouts and rollbacks on a ticket (one round), read under the wallet lock."""
    return list(GameTransaction.objects.filter(
        integration_id=call.integration_id, ticket=ticket, player_id=call.player.pk,
        action__in=[GameAction.BET, GameAction.WIN, GameAction.ROLLBACK],
    ).order_by("pk"))


def _payouts_not_rolled_back(round_rows: list[GameTransaction]) -> list[GameTransaction]:
    undone = {r.reference for r in round_rows if r.action == GameAction.ROLLBACK}
    return [r for r in round_rows if r.action == GameAction.WIN and r.external_id not in undone]


def _bet_rolled_back(round_rows: list[GameTransaction]) -> bool:
    """Was the round's bet rolled back (which voided every payout on it)?"""
    bets = {r.external_id for r in round_rows if r.action == GameAction.BET}
    return any(r.action == GameAction.ROLLBACK and r.reference in bets for r in round_rows)


def transaction_rollback(call: GameCall, *, reference: str) -> GameResult:
    """Undo one earlier transaction of the player: a payout or reward is taken back; a bet's
    rollback voids its round (stake refunded, every payout on it not already rolled back taken
    back), all in this one transaction. Taking back may leave the wallet below zero.

    A reference never seen is remembered (UNKNOWN_REFERENCE); one already rolled back (a payout
    also when its bet was) answers ALREADY_ROLLED_BACK and moves nothing.
    """

    def apply(wallets: dict[str, Account], now: dt.datetime, seen: _Seen) -> GameResult:
        target = seen.by_id(reference)
        if target is not None and target.player_id != call.player.pk:
            target = None  # another player's transaction is, for this player, one never seen
        if target is not None and target.action == GameAction.ROLLBACK:
            return _unmoved(Code.NOT_UNDOABLE, call, wallets, target.currency_id)
        round_rows = _round_of(call, target.ticket) if target is not None and target.action in (
            GameAction.BET, GameAction.WIN) else []
        voided = target is not None and target.action == GameAction.WIN and _bet_rolled_back(round_rows)
        if seen.rolled_back(reference) or voided:
            return _unmoved(Code.ALREADY_ROLLED_BACK, call, wallets, target.currency_id if target else None)
        if target is None:
            return _tombstone(call, reference, wallets, now)
        wallet = wallets[target.currency_id]
        payouts = _payouts_not_rolled_back(round_rows) if target.action == GameAction.BET else []
        # The stake first, then the payouts: the wallet dips below zero only by what is taken back.
        postings = _undo(call, wallet, [target, *payouts], now)  # moves wallet.balance
        return _record(call, GameResult(Code.APPLIED, wallet.balance, wallet.currency_id), action=GameAction.ROLLBACK,
                       now=now, ticket=target.ticket, reference=reference, currency=target.currency_id,
                       payouts_taken_back=sum(1 for p in payouts if p.amount), postings=postings)

    return _run(call, apply, ids=(reference,), references=(reference,))


def wallet_balance(*, player: Player, currency: str) -> int | None:
    """A wallet's balance without locking (balance calls), or None with no such wallet."""
    return (
        Account.objects.filter(player=player, currency_id=currency, kind=AccountKind.WALLET)
        .values_list("balance", flat=True)
        .first()
    )
