"""A transfer-mode 1G integration pointed at a fake 1G server on loopback."""

from __future__ import annotations

import pytest

from tests.factories import OneGamingIntegrationFactory
from tests.transfers.fake_onegaming import FakeOneGaming

AGENT, SECRET = "TRAGENT", "tr-s3cr3t"
# The client's read timeout in these tests, and how long a "delay" fault waits: far apart, so a
# loaded machine neither times out a normal call nor answers a delayed one in time.
READ_TIMEOUT = 2.0
FAULT_DELAY = 6.0


@pytest.fixture
def fake_1g():
    server = FakeOneGaming(agent_code=AGENT, secret=SECRET, delay=FAULT_DELAY).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _transfer_settings(settings):
    settings.ONEGAMING_READ_TIMEOUT = READ_TIMEOUT
    settings.ONEGAMING_CONNECT_TIMEOUT = 2.0
    settings.TRANSFER_RECORDS_SETTLE = 120.0
    settings.TRANSFER_MAX_SENDS = 3


@pytest.fixture
def transfer_1g(db, fake_1g):
    return OneGamingIntegrationFactory(code="og-transfer", agent_code=AGENT, secret=SECRET, mode="transfer",
                                       api_base_url=fake_1g.url)
