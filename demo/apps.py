from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for the embedded default (`make run`): each installed provider's demo accounts
    (its registration's), players, staff logins and a few days of rounds. Top layer: it may use
    every app, and no app uses it."""

    name = "demo"
    verbose_name = "Demo data"
