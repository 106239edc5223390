from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LobbyConfig(AppConfig):
    name = "lobby"

    def ready(self):
        from wallet.selectors import RECENT, player_overview_section_register

        from .models import LaunchSession

        player_overview_section_register("launches", lambda player: list(
            LaunchSession.objects.filter(player=player).select_related("integration", "game")
            .order_by("-created_at")[:RECENT]))
        # Installing a provider (its INSTALLED_PROVIDERS line) and migrating loads its catalogue.
        post_migrate.connect(catalogue_sync, sender=self, dispatch_uid="lobby-catalogue-sync")


def catalogue_sync(sender, apps=None, **kwargs):
    from .reference import catalogue_load

    try:
        game = apps.get_model("lobby", "Game") if apps is not None else None
    except LookupError:
        return
    if game is not None:
        catalogue_load(game)
