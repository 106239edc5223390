"""The lobby reaches providers only through lobby.adapters: no provider import, a third provider plugs in."""

import ast
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from core.models import Integration, WalletMode
from lobby.adapters import LaunchError, ProviderAdapter
from lobby.models import LaunchSession
from lobby.services import launch_start
from tests.factories import GameFactory

LOBBY = Path(__file__).resolve().parents[2] / "lobby"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_module_of_the_lobby_imports_a_provider_package():
    files = sorted(LOBBY.rglob("*.py"))
    assert len(files) > 10  # the scan really sees the lobby (views, services, commands, ...)
    offenders = {str(f.relative_to(LOBBY)): sorted(m for m in _imported_modules(f) if m.split(".")[0] == "providers")
                 for f in files}
    assert {f: m for f, m in offenders.items() if m} == {}


def test_each_built_in_provider_registration_names_its_adapter():
    from core.registry import registrations

    loaded = {r.name: r.lobby_adapter_class() for r in registrations(accounts_only=True)}
    assert sorted(loaded) == ["onegaming", "oppi"]
    assert all(issubclass(a, ProviderAdapter) and a.provider == name for name, a in loaded.items())


@pytest.fixture
def third(settings):
    """The made-up provider of tests/thirdprovider, installed by its settings line alone."""
    settings.INSTALLED_PROVIDERS = [*settings.INSTALLED_PROVIDERS, "tests.thirdprovider"]
    yield Integration.objects.create(provider="thirdwave", code="third-1", secret="x",
                                     api_base_url="https://third.example.test")


@pytest.mark.django_db
def test_a_registered_third_provider_launches_through_the_lobby(third, rich_player):
    game = GameFactory(integration=third, provider="thirdwave", game_id="T1")
    result = launch_start(integration=third, player=rich_player, game=game, currency="USD", method="redirect")
    assert result.url == f"https://third.example.test/play?game=T1&tw_ticket={result.token}"
    session = LaunchSession.objects.get(token=result.token)
    assert (session.integration, session.game, session.currency_id, session.method) == (third, game, "USD", "redirect")


@pytest.mark.django_db
def test_the_launch_command_prints_the_third_providers_token_name(third, rich_player):
    GameFactory(integration=third, provider="thirdwave", game_id="T1")
    out = StringIO()
    call_command("launch", "third-1", rich_player.external_id, "--game", "T1", stdout=out)
    line = json.loads(out.getvalue())
    assert sorted(line) == ["tw_ticket", "url"]
    assert line["url"].endswith(f"tw_ticket={line['tw_ticket']}")


@pytest.mark.django_db
def test_a_provider_without_an_adapter_is_refused_politely(rich_player):
    orphan = Integration.objects.create(provider="nobody", code="orphan", secret="x")
    with pytest.raises(LaunchError, match="not available"):
        launch_start(integration=orphan, player=rich_player)


@pytest.mark.django_db
def test_a_seamless_only_adapter_refuses_a_transfer_mode_account(third, rich_player):
    third.mode = WalletMode.TRANSFER
    game = GameFactory(integration=third, provider="thirdwave", game_id="T1")
    with pytest.raises(LaunchError, match="not available"):
        launch_start(integration=third, player=rich_player, game=game)
    assert not LaunchSession.objects.exists()
