"""factory_boy factories for the rest; personas live in conftest.py."""

import factory
from django.contrib.auth import get_user_model

from core.models import Integration, WalletMode
from lobby.models import Game
from wallet.models import Player


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-1234")


class PlayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Player

    external_id = factory.Sequence(lambda n: f"P{n:06d}")
    username = factory.Sequence(lambda n: f"player{n}")


class OneGamingIntegrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Integration

    provider = "onegaming"
    code = factory.Sequence(lambda n: f"og-{n}")
    mode = WalletMode.SEAMLESS
    agent_code = factory.Sequence(lambda n: f"AGENT{n}")
    secret = "test-1g-secret"
    api_base_url = "https://1g.example.test"


class OppiIntegrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Integration

    provider = "oppi"
    code = factory.Sequence(lambda n: f"oppi-{n}")
    mode = WalletMode.SEAMLESS
    api_key = factory.Sequence(lambda n: f"oppi-key-{n}")
    secret = "test-oppi-secret"
    api_base_url = "https://oppi.example.test"


class GameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Game

    provider = factory.LazyAttribute(lambda o: o.integration.provider if o.integration else "oppi")
    integration = None
    game_id = factory.Sequence(lambda n: f"G{n}")
    name = factory.Sequence(lambda n: f"Game {n}")
    category = "SLOT"
