"""The lobby reaches providers only through lobby.adapters: no provider import, a third provider plugs in."""

import ast
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import Integration, WalletMode
from lobby import adapters
from lobby.adapters import LaunchError, LaunchRequest, LaunchResult, ProviderAdapter
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


def test_the_setting_names_one_adapter_per_built_in_provider(settings):
    from django.utils.module_loading import import_string

    loaded = [import_string(path) for path in settings.LOBBY_PROVIDER_ADAPTERS]
    assert sorted(a.provider for a in loaded) == ["onegaming", "oppi"]
    assert all(issubclass(a, ProviderAdapter) for a in loaded)


class ThirdAdapter(ProviderAdapter):
    """A provider the lobby has never heard of: one class and one register() call."""

    provider = "thirdp"
    token_name = "ticket"

    def launch(self, request: LaunchRequest) -> LaunchResult:
        now = timezone.now()
        session = LaunchSession.objects.create(
            token=f"third-{request.player.external_id}", integration=request.integration, player=request.player,
            game=request.game, currency=request.wallet.currency, device=request.device, method=request.method,
            url="https://third.example.test/play", created_at=now, expires_at=now + timezone.timedelta(minutes=5))
        return LaunchResult(url=session.url, token=session.token, method=request.method, session=session)


@pytest.fixture
def third():
    adapters.register(ThirdAdapter)
    yield Integration.objects.create(provider="thirdp", code="third-1", secret="x", api_base_url="https://third.example.test")
    adapters.unregister("thirdp")


@pytest.mark.django_db
def test_a_registered_third_provider_launches_through_the_lobby(third, rich_player):
    game = GameFactory(integration=third, provider="thirdp", game_id="T1")
    result = launch_start(integration=third, player=rich_player, game=game, currency="USD", method="redirect")
    assert result.url == "https://third.example.test/play"
    session = LaunchSession.objects.get(token=result.token)
    assert (session.integration, session.game, session.currency_id, session.method) == (third, game, "USD", "redirect")


@pytest.mark.django_db
def test_the_launch_command_prints_the_third_providers_token_name(third, rich_player):
    out = StringIO()
    call_command("launch", "third-1", "CLi3000001", stdout=out)
    assert json.loads(out.getvalue()) == {"url": "https://third.example.test/play", "ticket": "third-CLi3000001"}


@pytest.mark.django_db
def test_a_provider_without_an_adapter_is_refused_politely(rich_player):
    orphan = Integration.objects.create(provider="nobody", code="orphan", secret="x")
    with pytest.raises(LaunchError, match="not available"):
        launch_start(integration=orphan, player=rich_player)


@pytest.mark.django_db
def test_a_seamless_only_adapter_refuses_a_transfer_mode_account(third, rich_player):
    third.mode = WalletMode.TRANSFER
    with pytest.raises(LaunchError, match="not available"):
        launch_start(integration=third, player=rich_player)
    assert not LaunchSession.objects.exists()
