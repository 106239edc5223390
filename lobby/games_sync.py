"""Games sync: the provider's game list into one integration's catalogue (lobby.Game rows).

- A game the provider lists and we do not have is added (enabled, sorted after the existing ones).
- A game we have is updated only in what the provider owns: category, brand (the product) and type
  (lobby or list). Its name and sort order are the staff's: never overwritten.
- A game the provider no longer lists is disabled, never deleted (launch history points at it).
  If the provider lists it again, the sync enables it again, but only when the sync was what
  disabled it: a game staff disabled stays disabled.
- Guard (spec section 4, issue 22): an OK answer with an empty list, with any row that is not
  an object or has no `game_id`, or one that would disable more than GAMES_SYNC_MAX_DISABLE_SHARE
  of the integration's enabled games changes nothing and says why (GamesSyncRefused); `force`
  (`manage.py games_sync --force`) applies it all the same.
- A row may carry `product` *(ours; the spec's table does not list it)*: the game id of the
  "list" product the game belongs to. It is stored in `Game.product` where the catalogue has that
  field (added with a revised catalogue); a row without it is a product itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.models import Integration
from core.registry import registration_for

from .models import Game, SyncedGame


class GamesSyncError(Exception):
    """The provider's game list could not be read; the message is fit for ops staff."""


class GamesSyncRefused(GamesSyncError):
    """The provider's list was read but looks wrong enough that applying it could empty the catalogue;
    nothing changed. The message says why and that --force applies it anyway."""


@dataclass
class GamesSyncResult:
    integration: str
    added: int = 0
    updated: int = 0
    disabled: int = 0
    forced: bool = False

    def figures(self) -> dict:
        figures = {"integration": self.integration, "added": self.added, "updated": self.updated,
                   "disabled": self.disabled}
        if self.forced:
            figures["forced"] = True
        return figures


def _text(value: object, limit: int) -> str:
    if value is None or isinstance(value, (bool, dict, list)):
        return ""
    return str(value).strip()[:limit]


def _listed(games: list) -> dict[str, dict]:
    """The provider's games by game id, each with clean text fields; rows without an id are skipped."""
    listed: dict[str, dict] = {}
    for row in games:
        if not isinstance(row, dict):
            continue
        game_id = _text(row.get("game_id"), 64)
        if not game_id:
            continue
        category = _text(row.get("category"), 32).upper()
        brand = _text(row.get("brand"), 64)
        name = _text(row.get("name"), 100) or f"{brand} {category.title()}".strip() or game_id
        fields = {"category": category, "brand": brand, "game_type": _text(row.get("type"), 16).lower(),
                  "name": name}
        if _HAS_PRODUCT:
            fields["product"] = _text(row.get("product"), 64)
        listed.setdefault(game_id, fields)
    return listed


# Game.product arrives with a revised catalogue (another branch); until then there is none.
_HAS_PRODUCT = any(f.name == "product" for f in Game._meta.get_fields())
_OWNED_BY_PROVIDER = ("category", "brand", "game_type") + (("product",) if _HAS_PRODUCT else ())


def _client(integration: Integration):
    registration = registration_for(integration)
    client = registration.transfer_client_for(integration) if registration is not None else None
    if client is None:
        raise GamesSyncError(f"integration {integration.code} has no game list to sync")
    return client


def _malformed_rows(games: list) -> int:
    return sum(1 for row in games if not isinstance(row, dict) or not _text(row.get("game_id"), 64))


def games_sync(integration: Integration, *, force: bool = False) -> GamesSyncResult:
    answer = _client(integration).games()
    if not answer.ok:
        raise GamesSyncError(f"The provider's game list could not be read: {answer.error or answer.status}")
    games = (answer.body or {}).get("games") or []
    listed = _listed(games)
    if not force:
        _guard(integration, games, listed)
    result = GamesSyncResult(integration=integration.code)
    now = timezone.now()
    if force:
        result.forced = True
    with transaction.atomic():
        existing = {g.game_id: g for g in Game.objects.select_for_update().filter(integration=integration)}
        synced = {s.game_id: s for s in SyncedGame.objects.filter(game__integration=integration)}
        next_order = (Game.objects.filter(integration=integration).aggregate(m=Max("sort_order"))["m"] or 0) + 1
        for game_id, fields in listed.items():
            game = existing.get(game_id)
            if game is None:
                game = Game.objects.create(provider=integration.provider, integration=integration, game_id=game_id,
                                           enabled=True, sort_order=next_order, **fields)
                next_order += 1
                SyncedGame.objects.create(game=game, last_seen_at=now)
                result.added += 1
                continue
            sync = synced.get(game.pk) or SyncedGame.objects.create(game=game, last_seen_at=now)
            changed = [name for name in _OWNED_BY_PROVIDER if getattr(game, name) != fields[name]]
            for name in changed:
                setattr(game, name, fields[name])
            if not game.enabled and sync.removed_by_sync:
                game.enabled = True
                changed.append("enabled")
            if changed:
                game.save(update_fields=changed)
                result.updated += 1
            SyncedGame.objects.filter(pk=sync.pk).update(last_seen_at=now, removed_by_sync=False)
        for game_id, game in existing.items():
            if game_id in listed or not game.enabled:
                continue
            game.enabled = False
            game.save(update_fields=["enabled"])
            SyncedGame.objects.update_or_create(game=game, defaults={"removed_by_sync": True, "last_seen_at": None})
            result.disabled += 1
    return result


def _guard(integration: Integration, games: list, listed: dict[str, dict]) -> None:
    """Refuse (changing nothing) a list that would wreck the catalogue; see the module doc."""
    hint = " Nothing changed; `games_sync --force` applies it anyway."
    if not games:
        raise GamesSyncRefused(f"The provider answered OK with an empty game list.{hint}")
    malformed = _malformed_rows(games)
    if malformed:
        raise GamesSyncRefused(f"The provider's game list has {malformed} row(s) without a game_id.{hint}")
    enabled = list(Game.objects.filter(integration=integration, enabled=True).values_list("game_id", flat=True))
    gone = [game_id for game_id in enabled if game_id not in listed]
    share = settings.GAMES_SYNC_MAX_DISABLE_SHARE
    if enabled and len(gone) > share * len(enabled):
        raise GamesSyncRefused(f"The provider's game list would disable {len(gone)} of {len(enabled)} enabled games, more "
                               f"than GAMES_SYNC_MAX_DISABLE_SHARE ({share:.0%}).{hint}")
