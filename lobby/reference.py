"""Provider-wide game catalogues, as each installed provider's registration declares them."""

from core.registry import registrations


def reference_game_upsert(provider: str, game_id: str, values: dict, *, keep_existing: bool = False,
                          game_model=None):
    """Create or update one provider-wide catalogue row (no integration) with `values` (Game
    fields); the row. `keep_existing`: a row already there is left as it is. Migrations pass
    their historical model as `game_model`."""
    if game_model is None:
        from .models import Game as game_model
    write = game_model.objects.get_or_create if keep_existing else game_model.objects.update_or_create
    return write(provider=provider, integration=None, game_id=game_id, defaults=values)[0]


def catalogue_load(game_model) -> None:
    """Create or update every installed provider's provider-wide catalogue rows (migrations pass
    their historical model)."""
    for registration in registrations(accounts_only=True):
        for row in registration.reference_games:
            values = dict(row)
            reference_game_upsert(registration.name, values.pop("game_id"), values, game_model=game_model)
