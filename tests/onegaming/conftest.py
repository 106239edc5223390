import pytest
from django.utils import timezone

from tests.onegaming.wire import FrozenClock, OneGamingWire, launch


@pytest.fixture
def clock(monkeypatch):
    """A controlled clock: the app and the test's `datetime` stamps read the same frozen instant,
    so window tests hold to the millisecond on a loaded machine."""
    frozen = FrozenClock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def wire(client, onegaming):
    return OneGamingWire(client)


@pytest.fixture
def token(onegaming, rich_player):
    return launch(onegaming, rich_player).token


@pytest.fixture
def bet_fields(token):
    """A valid IDR bet of 100.00 by Mikha on game 301; override what a test needs."""

    def fields(**overrides) -> dict:
        base = {"player_id": "CLi3000001", "l_token": token, "currency": "IDR", "game_id": 301,
                "round_id": "R1", "txn_id": "B1", "txn_ticket": "T1", "amount": "100.00"}
        return {**base, **overrides}

    return fields


@pytest.fixture(autouse=True)
def _ledger_stays_consistent(db):
    """Whatever a test did through the callbacks, the ledger's invariants hold afterwards."""
    yield
    from wallet.checks import ledger_violations

    assert ledger_violations() == []
