"""The business rules of Oppi's wallet calls (spec section 2), on top of wallet.gameplay.

Each handler takes a verified integration and a parsed body and returns the Oppi answer. The
money moves inside one wallet.gameplay call (one transaction); everything before it only reads
(the replay pre-check, player, session, game) so a refusal leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from core.models import Integration
from lobby.models import LaunchSession
from lobby.sessions import session_read, session_touch
from providers import lookups
from wallet import gameplay, reads
from wallet.gameplay import GameCall, GameResult
from wallet.models import Account, AccountKind, Player

from . import dialect
from .codes import Status
from .parsing import Parsed
from .registration import registration

# The rule variants gameplay applies for this provider, as its registration declares them.
RULES = registration.rules


@dataclass
class Answer:
    """An Oppi answer body plus what the call history wants to know about it."""

    body: dict
    player_id: str = ""
    txn_id: str = ""
    extra: dict = field(default_factory=dict)
    # The call named a session we did not get from /game/url for this (known) player: the call
    # history flags it for ops, whether the call was accepted or not.
    session_unknown: bool = False

    @property
    def status(self) -> str:
        return self.body["status"]


def _body(status: Status, *, balance: int | None, **ids) -> dict:
    body: dict = {"status": status.value, **ids}
    if balance is not None:
        body["balance"] = dialect.amount_to_wire(balance)
    return body


# --- reads -----------------------------------------------------------------------------------


def _reads(integration: Integration, player_id: str, token: str, txn_id: str | None = None):
    """(player, their session of `token`, the earlier transaction `txn_id`), each or None: one
    statement before the lock (wallet.reads), the session being the lobby's part of it."""
    found = reads.call_read(integration_id=integration.pk, player_external_id=player_id, external_id=txn_id,
                            parts=(session_read(integration.pk, token),))
    return found.player, found.part("session"), found.previous


def _latest_session_currency(integration: Integration, player: Player) -> str | None:
    return (
        LaunchSession.objects.filter(integration=integration, player=player, currency__isnull=False)
        .order_by("-created_at", "-pk").values_list("currency_id", flat=True).first()
    )


def _oldest_wallet_currency(player: Player) -> str | None:
    return (
        Account.objects.filter(player=player, kind=AccountKind.WALLET).order_by("pk")
        .values_list("currency_id", flat=True).first()
    )


def _default_currency(integration: Integration, player: Player, session: LaunchSession | None) -> str | None:
    """The wallet of a call without a currency, in the order dialect.CURRENCY_FALLBACK says (ours)."""
    for source in dialect.CURRENCY_FALLBACK:
        if source == "session" and session is not None and session.currency_id:
            return session.currency_id
        if source == "latest_session" and session is None:
            currency = _latest_session_currency(integration, player)
            if currency:
                return currency
        if source == "oldest_wallet":
            return _oldest_wallet_currency(player)
    return None


def _unknown_session_accepted(integration: Integration, operation: str, token: str) -> bool:
    """May this call go on with a sessionId we did not get from /game/url for its player?"""
    if operation not in dialect.UNKNOWN_SESSION_ACCEPTABLE_FOR or not integration.accept_unknown_bet_sessions:
        return False
    if dialect.ANOTHER_PLAYERS_SESSION_ACCEPTABLE:
        return True
    # Unknown to us, not another player's session.
    return not LaunchSession.objects.filter(integration=integration, token=token).exists()


def _balance(player: Player | None, *currencies: str | None) -> int | None:
    """The balance of the first of these currencies the player has a wallet in."""
    if player is None:
        return None
    wanted = [c for c in currencies if c]
    rows = dict(
        Account.objects.filter(player=player, kind=AccountKind.WALLET, currency_id__in=wanted)
        .values_list("currency_id", "balance")
    )
    return next((rows[c] for c in wanted if c in rows), None)


def _fingerprint(operation: str, parsed: Parsed) -> str:
    return gameplay.fingerprint(operation=operation, **parsed.fields)


def _earlier(previous: reads.Earlier | None, player: Player | None, fingerprint: str,
             currency: str | None) -> GameResult | None:
    """The spec's first rule, before any other: a known transactionId is a replay or a duplicate.

    Read-only and without locks: a replay moves nothing and answers the first status with the
    current balance. gameplay repeats the check under the wallet lock for calls that race.
    """
    verdict = gameplay.replay_of(previous, player_pk=player.pk if player is not None else None,
                                 fingerprint=fingerprint, currency=currency)
    if verdict is None:
        return None
    balance = _balance(player, verdict.currency, currency)
    return GameResult(verdict.code, balance, verdict.currency, replayed=verdict.replayed)


def _session_idle(session: LaunchSession, now: dt.datetime) -> bool:
    last = session.last_seen_at or session.validated_at or session.created_at
    return now - last > dialect.SESSION_IDLE_LIMIT


def _session_touch(session: LaunchSession, now: dt.datetime) -> None:
    """Keep the session alive: at most one UPDATE a minute, whoever wins a race."""
    stale = now - dialect.SESSION_TOUCH_EVERY
    if session.last_seen_at is not None and session.last_seen_at >= stale:
        return  # touched within the minute, as the row read for this call says: no statement
    session_touch(session, now, seen_before=stale)


def _game_active(integration: Integration, game_id: str) -> bool:
    game = lookups.game_of(integration, game_id)
    return game is not None and game.enabled


def _call(integration: Integration, player: Player, parsed: Parsed, fingerprint: str,
          currency: str | None, history=None) -> GameCall:
    f = parsed.fields
    return GameCall(
        integration_id=integration.pk, player=player, external_id=f["transactionId"], fingerprint=fingerprint,
        currency=currency, game_code=f.get("gameId", ""), session_token=f.get("sessionId", ""),
        answer_row=history, rules=RULES,
    )


# --- the calls -------------------------------------------------------------------------------


def balance(integration: Integration, parsed: Parsed) -> Answer:
    f = parsed.fields
    player, session, _ = _reads(integration, f["playerId"], f["sessionId"])

    def answer(status, units=None):
        return Answer(_body(status, balance=units, sessionId=f["sessionId"]), player_id=f["playerId"],
                      session_unknown=player is not None and session is None)

    if player is None:
        return answer(Status.RECORD_NOT_FOUND)
    currency = _default_currency(integration, player, session)
    if (session is None and "balance" in dialect.SESSION_CHECKED_FOR
            and not _unknown_session_accepted(integration, "balance", f["sessionId"])):
        return answer(Status.SESSION_REQUIRED_OR_INVALID, _balance(player, currency))
    if dialect.BALANCE_CHECKS_IDLE_AND_BLOCKED:
        if session is not None and _session_idle(session, timezone.now()):
            return answer(Status.SESSION_REQUIRED_OR_INVALID, _balance(player, currency))
        if not player.is_enabled:
            return answer(Status.PLAYER_BLOCKED, _balance(player, currency))
    units = _balance(player, currency)
    if units is None:
        return answer(Status.FIELD_REQUIRED_OR_INVALID)
    return answer(Status.OK, units)


class _Stop(Exception):
    """A rule refused the call before any money was touched."""

    def __init__(self, status: Status, balance: int | None):
        super().__init__(status.value)
        self.status, self.balance = status, balance


def _money_call(operation: str, integration: Integration, parsed: Parsed, *, currency_field: str | None,
                checks, apply, history=None) -> Answer:
    """Shared skeleton: replay first, then player and (for bets) session, then `checks`, then `apply`.

    A sessionId we did not get from /game/url for this player refuses only the calls in
    dialect.SESSION_CHECKED_FOR (bet; balance has its own handler); payout, reward and rollback
    carry money the player is owed, so their session is recorded (GameTransaction.session_token,
    and the history's unknown-session flag) but never a reason to refuse them.

    `history(render, player_id=, txn_id=, session_unknown=)` (the view's, for a single call) makes
    the call's history row that is written with the money: `render` gives the wire body for a
    gameplay result, the rest is what the history notes of the call.
    """
    f = parsed.fields
    txn_id = f["transactionId"]
    player, session, previous = _reads(integration, f["playerId"], f["sessionId"], txn_id)
    session_unknown = player is not None and session is None
    currency = (f.get(currency_field) if currency_field else None) or (
        _default_currency(integration, player, session) if player else None
    )
    fingerprint = _fingerprint(operation, parsed)

    def answer(result_status: Status, units: int | None) -> Answer:
        if units is None and player is not None:
            # Every answer that knows the player carries a balance: when the call's currency has
            # no wallet (a refusal), the default wallet's (dialect.CURRENCY_FALLBACK).
            units = _balance(player, currency, _default_currency(integration, player, session),
                             _oldest_wallet_currency(player))
        return Answer(_body(result_status, transactionId=txn_id, balance=units), player_id=f["playerId"],
                      txn_id=txn_id, session_unknown=session_unknown)

    earlier = _earlier(previous, player, fingerprint, currency)
    if earlier is not None:
        return answer(dialect.status_for(earlier.code), earlier.balance)
    if player is None:
        return answer(Status.RECORD_NOT_FOUND, None)
    if (session is None and operation in dialect.SESSION_CHECKED_FOR
            and not _unknown_session_accepted(integration, operation, f["sessionId"])):
        return answer(Status.SESSION_REQUIRED_OR_INVALID, _balance(player, currency))
    try:
        checks(player, session, currency)
    except _Stop as stop:
        return answer(stop.status, stop.balance)
    row = None
    if history is not None:
        def render(result: GameResult) -> dict | None:
            return answer(dialect.status_for(result.code), result.balance).body if result.balance is not None else None

        row = history(render, player_id=f["playerId"], txn_id=txn_id, session_unknown=session_unknown)
    result: GameResult = apply(_call(integration, player, parsed, fingerprint, currency, row))
    units = result.balance if result.balance is not None else _balance(player, result.currency, currency)
    return answer(dialect.status_for(result.code), units)


def bet(integration: Integration, parsed: Parsed, history=None) -> Answer:
    f = parsed.fields

    def checks(player: Player, session: LaunchSession | None, currency: str) -> None:
        # session is None only for an unknown session the integration accepts: nothing to expire
        # or touch, and the wallet is the bet's currency (gameplay refuses one the player lacks).
        session_currency = session.currency_id if session is not None else None
        if session is not None:
            now = timezone.now()
            if _session_idle(session, now):
                raise _Stop(Status.SESSION_REQUIRED_OR_INVALID, _balance(player, currency, session_currency))
            _session_touch(session, now)
        if not player.is_enabled:
            raise _Stop(Status.PLAYER_BLOCKED, _balance(player, currency, session_currency))
        if not _game_active(integration, f["gameId"]):
            raise _Stop(Status.GAME_INACTIVE, _balance(player, currency, session_currency))
        # The wallet is the session's (launched in that currency); gameplay checks one exists.
        if session_currency and currency != session_currency:
            raise _Stop(Status.FIELD_REQUIRED_OR_INVALID, _balance(player, session_currency))

    def apply(call: GameCall) -> GameResult:
        # Oppi rolls back single transactions, so a bet's ticket is its own id; the
        # rolled-back-first check comes last in the spec's bet rules.
        return gameplay.bet_place(call, ticket=call.external_id, amount=parsed.units["amount"])

    return _money_call("bet", integration, parsed, currency_field="currency", checks=checks, apply=apply,
                       history=history)


def _no_checks(player: Player, session: LaunchSession | None, currency: str | None) -> None:
    """Payout, reward, rollback: never refused for an idle session or a blocked player."""


def payout(integration: Integration, parsed: Parsed, history=None) -> Answer:
    def apply(call: GameCall) -> GameResult:
        amount = dialect.payout_credit(parsed.units["amount"], parsed.fields["isWin"])
        return gameplay.win_settle(call, ticket=parsed.fields["refTransactionId"], amount=amount)

    return _money_call("payout", integration, parsed, currency_field="currency", checks=_no_checks, apply=apply,
                       history=history)


def reward(integration: Integration, parsed: Parsed, history=None) -> Answer:
    def apply(call: GameCall) -> GameResult:
        return gameplay.reward_credit(
            call, reward_ref=parsed.fields["refTransactionId"], amount=parsed.units["rewardedAmount"],
            once_per_reference=dialect.reward_once_per_reference(parsed.fields["rewardType"]))

    return _money_call("reward", integration, parsed, currency_field="currency", checks=_no_checks, apply=apply,
                       history=history)


def rollback_item(integration: Integration, parsed: Parsed) -> Answer:
    def apply(call: GameCall) -> GameResult:
        return gameplay.transaction_rollback(call, reference=parsed.fields["refTransactionId"])

    return _money_call("rollback", integration, parsed, currency_field=None, checks=_no_checks, apply=apply)
