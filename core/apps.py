from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer: what every other app needs (provider accounts, the provider registry,
    request ids, client addresses, health and metrics). It imports no other app of ours."""

    name = "core"
    verbose_name = "Provider accounts"

    def ready(self):
        from . import registry  # noqa: F401  (connects its setting_changed receiver)
