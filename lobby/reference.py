"""Provider-wide game catalogues, as each installed provider's registration declares them."""

from core.registry import registrations


def catalogue_load(game_model) -> None:
    """Create or update every installed provider's provider-wide catalogue rows (migrations pass
    their historical model)."""
    for registration in registrations(accounts_only=True):
        for row in registration.reference_games:
            values = dict(row)
            game_model.objects.update_or_create(provider=registration.name, integration=None,
                                                game_id=values.pop("game_id"), defaults=values)
