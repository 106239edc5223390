from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class ProvidersConfig(AppConfig):
    name = "providers"

    def ready(self):
        from core.models import Integration
        from lobby.models import Game

        from . import lookups

        for model in (Integration, Game):
            post_save.connect(lookups.clear, sender=model, dispatch_uid=f"lookups-clear-save-{model.__name__}")
            post_delete.connect(lookups.clear, sender=model, dispatch_uid=f"lookups-clear-delete-{model.__name__}")
        from django.utils import timezone

        from wallet.selectors import CALLS_WINDOW, RECENT, player_overview_section_register

        from .models import CallLog

        # Bounded in time: on PostgreSQL only the partitions of the last CALLS_WINDOW are read.
        player_overview_section_register("callbacks", lambda player: list(
            CallLog.objects.filter(player_external_id=player.external_id,
                                   created_at__gte=timezone.now() - CALLS_WINDOW)
            .select_related("integration").order_by("-created_at", "-id")[:RECENT]))
        # Installing a provider (its INSTALLED_PROVIDERS line) and migrating loads its status codes.
        post_migrate.connect(status_codes_sync, sender=self, dispatch_uid="providers-status-codes-sync")


def status_codes_sync(sender, apps=None, **kwargs):
    from .reference import status_codes_load

    try:
        status_code = apps.get_model("providers", "StatusCode") if apps is not None else None
    except LookupError:
        return
    if status_code is not None:
        status_codes_load(status_code)
