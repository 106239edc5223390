"""1G seamless-wallet calls (spec section 3): envelope checks, then the business rules of each
call through wallet.gameplay, answered in 1G's statuses.

Views hand over the raw request; this module answers with an `Outcome` per call, which the
views render. Nothing here knows about HTTP.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings

from core.models import Integration, WalletMode
from lobby.integrations import game_discovered
from lobby.models import LaunchSession
from lobby.sessions import session_read, session_touch
from providers import lookups
from wallet import gameplay, reads
from wallet.gameplay import GameCall
from wallet.models import Player

from . import dialect, parsing
from .codes import Status
from .parsing import Refused, WalletCall
from .registration import PROVIDER, registration
from .signing import signature_valid

# The rule variants gameplay applies for this provider, as its registration declares them.
RULES = registration.rules


@dataclass(frozen=True)
class Outcome:
    """A call's answer in 1G terms: status and, when the player is known, the balance."""

    status: Status
    balance: int | None = None  # ledger units
    currency: str | None = None


@dataclass
class Envelope:
    integration: Integration
    body: dict
    stale: bool = False  # `datetime` outside the clock window (a batch refuses its bet items)


# --- envelope ---------------------------------------------------------------------------------


_NO_SUB_AGENT_OF_OURS = object()  # a `sub_agent` that is neither text nor an integer: matches none


def _named_sub_agent(value: object) -> object:
    """A sub-agent as a call names it (text, or a JSON integer meaning the same); None: not named."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else _NO_SUB_AGENT_OF_OURS


def sub_agent_matches(integration: Integration, *named: object) -> bool:
    """Spec: a wrong sub-partner is an invalid partner. Checked only when the integration has a
    sub-agent and the call names one (header or field); each one named must be ours."""
    if not integration.sub_agent:
        return True
    return all(name == integration.sub_agent for name in map(_named_sub_agent, named) if name is not None)


def partner_find(agent_code: object, ip: str | None, *sub_agents: object) -> Integration:
    """The enabled seamless 1G integration of this agent, if the caller's IP is allowed and any
    sub-agent the call names is the integration's."""
    if not isinstance(agent_code, str) or not agent_code:
        raise Refused(Status.INVALID_PARTNER)
    integration = lookups.integration_by(PROVIDER, lambda: Integration.objects.filter(
        provider=PROVIDER, agent_code=agent_code, enabled=True, mode=WalletMode.SEAMLESS
    ).first(), agent_code=agent_code)
    if integration is None or not integration.ip_allowed(ip) or not sub_agent_matches(integration, *sub_agents):
        raise Refused(Status.INVALID_PARTNER)
    return integration


def envelope_open(*, call: str, raw: bytes, signature: str | None, ip: str | None, now: dt.datetime,
                  seen: dict, sub_agent: str | None = None) -> Envelope:
    """Checks in the spec's order up to the call's own fields; `seen` collects what was read so
    far (the body, the integration) so that a refusal can still be answered and logged.

    `datetime` must be readable for every call; only WINDOWED_CALLS are refused when it is stale.
    A stale batch is let through with `stale` set: its bet items are refused one by one."""
    body = seen["body"] = dialect.names_from_wire(parsing.body_parse(raw))
    integration = seen["integration"] = partner_find(body.get("agent_code"), ip, sub_agent, body.get("sub_agent"))
    if not signature_valid(integration.secret, raw, signature, encoding=integration.signature_encoding):
        raise Refused(Status.INVALID_SIGNATURE)
    seen["authenticated"] = True  # from here on the caller is the integration (its signature holds)
    sent = parsing.datetime_parse(body.get("datetime"), time_zone=integration.time_zone)
    stale = parsing.datetime_stale(sent, now=now)
    if stale and call in dialect.WINDOWED_CALLS:
        raise Refused(Status.REQUEST_TIMEOUT)
    parsing.required_check(body, dialect.COMMON_FIELDS + dialect.REQUIRED_FIELDS[call])
    parsing.common_check(body)
    return Envelope(integration=integration, body=body, stale=stale)


# --- helpers ------------------------------------------------------------------------------------


def _player(integration: Integration, external_id: str, currency: str | None) -> Player | None:
    """The player, with `balance_units` (their wallet's balance in `currency`, or None) in the same query."""
    return reads.call_read(integration_id=integration.pk, player_external_id=external_id,
                           balance_currency=currency or "").player


def _balance(player_id: int, currency: str) -> int | None:
    return gameplay.wallet_balance(player=Player(pk=player_id), currency=currency)


def _fingerprint(call: WalletCall) -> str:
    return gameplay.fingerprint(call=call.call, **call.fingerprint_fields())


def _replay_answer(call: WalletCall, fingerprint: str, previous: reads.Earlier | None,
                   player: Player | None) -> Outcome | None:
    """Rules 1-2 of every money call, before any check of the player, token or game: a known
    txn_id gets its first answer (with today's balance), or DUPLICATE_REF_TXN_ID.

    Only applied calls (and rollback tombstones) are stored, so a hit is always a first answer
    worth repeating. gameplay checks again under the wallet lock, which settles races.
    """
    verdict = gameplay.replay_of(previous, player_pk=player.pk if player is not None else None,
                                 fingerprint=fingerprint, currency=call.currency)
    if verdict is None:
        return None
    if not verdict.replayed:  # the player's balance in the call's own currency
        return Outcome(Status.DUPLICATE_REF_TXN_ID, _balance(player.pk, call.currency) if player else None,
                       call.currency)
    # The first answer's currency: a rollback's fingerprint leaves `currency` out, and it answered
    # in the bet's currency.
    return Outcome(dialect.status_for(call.call, verdict.code), _balance(previous.player_id, verdict.currency),
                   verdict.currency)


def _game_call(integration: Integration, player: Player, call: WalletCall, fingerprint: str,
               history=None) -> GameCall:
    """`history`: the call's history row to write with the money (providers.calllog.HistoryWithMoney)."""
    return GameCall(integration_id=integration.pk, player=player, external_id=call.txn_id, fingerprint=fingerprint,
                    currency=call.currency, game_code=call.game_id, round_id=call.round_id,
                    session_token=call.l_token, answer_row=history, rules=RULES)


def game_playable(integration: Integration, game_id: str) -> bool:
    """3.2 rule 3: an enabled game of the integration's catalogue (its own rows, else the
    provider-wide seed rows). A game inside a "list" product (`Game.product`, stored by the
    catalogue sync) also needs that product in the catalogue, of type list and enabled: turning a
    product off turns its games off."""
    game = lookups.game_of(integration, game_id)
    if game is None or not game.enabled:
        return False
    if not game.product:
        return True
    product = lookups.game_of(integration, game.product)
    return (product is not None and product.enabled and not product.product
            and product.game_type == dialect.LIST_PRODUCT_TYPE)


def lobby_game_accept(integration: Integration, game_id: str, session: LaunchSession | None,
                      now: dt.datetime) -> bool:
    """Seed (INVALID_GAME_ID): "user can switch games within one game session ... We track such
    changes and send game_id of the game which the user is actually playing". A bet on a game
    our catalogue does not know, inside a session launched into a "lobby" product, is accepted
    and the game recorded as discovered (disabled: not launchable until staff enable it); so is
    a later bet on a game discovered that way. A game the catalogue knows and that is disabled
    otherwise is still refused, and so is everything for an integration listed in
    settings.ONEGAMING_LOBBY_UNKNOWN_GAMES_REFUSED (integration codes)."""
    if session is None or integration.code in getattr(settings, "ONEGAMING_LOBBY_UNKNOWN_GAMES_REFUSED", ()):
        return False
    launched_into = (LaunchSession.objects.filter(pk=session.pk).values_list("game__game_type", "game__category",
                                                                              "game__brand").first())
    if not launched_into or launched_into[0] != dialect.LOBBY_PRODUCT_TYPE:
        return False
    game = lookups.game_of(integration, game_id)
    if game is not None:
        return game.discovered_at is not None and not game.enabled
    _game_type, category, brand = launched_into
    game_discovered(integration=integration, game_id=game_id, name=f"{brand or 'Lobby'} game {game_id}",
                    category=category or "", brand=brand or "", now=now)
    return True


def outcome_of(call: WalletCall, result: gameplay.GameResult) -> Outcome | None:
    """The answer of a money call for a gameplay result that carries its balance (what the
    call's history row written with the money shows); None when the answer needs more."""
    return _answer(call, result) if result.balance is not None else None


def _answer(call: WalletCall, result: gameplay.GameResult, fallback_balance: int | None = None) -> Outcome:
    balance = result.balance if result.balance is not None else fallback_balance
    currency = result.currency or call.currency
    return Outcome(dialect.status_for(call.call, result.code), balance, currency)


# --- the calls --------------------------------------------------------------------------------


def balance_get(integration: Integration, call: WalletCall) -> Outcome:
    """3.1: the player's balance in one currency."""
    player = _player(integration, call.player_id, call.currency)
    if player is None:
        return Outcome(Status.USER_NOT_EXIST)
    balance = player.balance_units
    if balance is None:
        return Outcome(Status.INVALID_CURRENCY)
    return Outcome(Status.OK, balance, call.currency)


def _token_refusal(player: Player, session: LaunchSession | None, now: dt.datetime) -> Status | None:
    """INVALID_TOKEN for an l_token we never issued to this player, TOKEN_EXPIRED for a stale one."""
    if session is None or session.player_id != player.pk:
        return Status.INVALID_TOKEN
    if not dialect.token_fresh(created_at=session.created_at, expires_at=session.expires_at,
                               last_seen_at=session.last_seen_at, validated_at=session.validated_at, now=now):
        return Status.TOKEN_EXPIRED
    return None


def _token_touch(session: LaunchSession, now: dt.datetime) -> None:
    """Slide the l_token's validity forward (at most once per TOUCH_EVERY; the session's own row)."""
    if dialect.token_needs_touch(last_seen_at=session.last_seen_at, now=now):
        session_touch(session, now, seen_before=now)


def _known_player(integration: Integration, call: WalletCall, currency: str | None,
                  token: str | None = None) -> Outcome | tuple[str, Player, LaunchSession | None]:
    """Rules shared by every money call: a replay answers first (rules 1-2), then an unknown player
    answers USER_NOT_EXIST. Otherwise (fingerprint, player with `balance_units` in `currency`,
    the launch session of `token` when one is asked for: None unless we issued it to this player)."""
    fingerprint = _fingerprint(call)
    # One statement before the lock (wallet.reads): the earlier transaction with this txn_id, the
    # player with their balance, and the launch session of the l_token (the lobby's part), if asked.
    found = reads.call_read(integration_id=integration.pk, player_external_id=call.player_id,
                            external_id=call.txn_id, balance_currency=currency or "",
                            parts=(session_read(integration.pk, token),) if token is not None else ())
    replay = _replay_answer(call, fingerprint, found.previous, found.player)
    if replay is not None:
        return replay
    if found.player is None:
        return Outcome(Status.USER_NOT_EXIST)
    return fingerprint, found.player, found.parts.get("session")


def _currency_not_the_launchs(integration: Integration, session: LaunchSession | None, currency: str | None) -> bool:
    """(ours) A bet in another currency than its launch session's: the seed's INVALID_CURRENCY,
    "Transaction currency differs from User's wallet currency", the wallet being the one the player
    launched with. The integration's accept_bets_in_other_currency lets it through; a session from
    before launches recorded their currency is not checked."""
    if integration.accept_bets_in_other_currency or session is None or not session.currency_id:
        return False
    return session.currency_id != currency


def bet_place(integration: Integration, call: WalletCall, now: dt.datetime, history=None) -> Outcome:
    """3.2: charge a ticket."""
    found = _known_player(integration, call, call.currency, call.l_token)
    if isinstance(found, Outcome):
        return found
    fingerprint, player, session = found
    balance = player.balance_units

    def known(status):
        return Outcome(status, balance, call.currency)

    refusal = _token_refusal(player, session, now)
    if refusal is not None:
        return known(refusal)
    if not player.is_enabled:
        return known(Status.USER_DISABLED)
    if balance is None:
        return Outcome(Status.INVALID_CURRENCY)
    if _currency_not_the_launchs(integration, session, call.currency):
        return known(Status.INVALID_CURRENCY)
    if not game_playable(integration, call.game_id) and not lobby_game_accept(integration, call.game_id, session, now):
        return known(Status.INVALID_GAME_ID)
    result = gameplay.bet_place(_game_call(integration, player, call, fingerprint, history), ticket=call.txn_ticket,
                                amount=call.amount)
    if result.applied and not result.replayed and session is not None:
        _token_touch(session, now)
    return _answer(call, result, balance)


def result_settle(integration: Integration, call: WalletCall, now: dt.datetime, history=None) -> Outcome:
    """3.3: settle a ticket; never refused for the token or the player's state."""
    found = _known_player(integration, call, None)
    if isinstance(found, Outcome):
        return found
    fingerprint, player, _ = found
    result = gameplay.win_settle(_game_call(integration, player, call, fingerprint, history), ticket=call.txn_ticket,
                                 amount=call.amount)
    return _answer(call, result)


def rollback_apply(integration: Integration, call: WalletCall, now: dt.datetime, history=None) -> Outcome:
    """3.4: undo a ticket (or remember the rollback of a ticket never seen)."""
    found = _known_player(integration, call, call.currency)
    if isinstance(found, Outcome):
        return found
    fingerprint, player, _ = found
    game_call = _game_call(integration, player, call, fingerprint, history)
    if player.balance_units is None:
        # No wallet in the rollback's currency (perhaps not a currency at all): the rollback of an
        # unknown ticket is still remembered, without a currency (the ledger row's currency must
        # exist). A ticket that has a bet is undone in the bet's own currency either way.
        game_call = replace(game_call, currency=None)
    result = gameplay.ticket_rollback(game_call, ticket=call.txn_ticket)
    return _answer(call, result)


HANDLERS = {dialect.BET: bet_place, dialect.RESULT: result_settle, dialect.ROLLBACK: rollback_apply}


def call_handle(integration: Integration, call: WalletCall, now: dt.datetime, history=None) -> Outcome:
    """`history`: for a single call, its history row to write with the money (None in a batch)."""
    if call.call == dialect.BALANCE:
        return balance_get(integration, call)
    return HANDLERS[call.call](integration, call, now, history)
