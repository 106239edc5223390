from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ProvidersConfig(AppConfig):
    name = "providers"

    def ready(self):
        from core.models import Integration
        from lobby.models import Game

        from . import lookups

        for model in (Integration, Game):
            post_save.connect(lookups.clear, sender=model, dispatch_uid=f"lookups-clear-save-{model.__name__}")
            post_delete.connect(lookups.clear, sender=model, dispatch_uid=f"lookups-clear-delete-{model.__name__}")
