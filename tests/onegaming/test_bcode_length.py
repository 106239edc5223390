"""Issue 22 point 5: the lobby `bcode` fits the seed's column.

Seed: "Key Provided | secret_key varchar(50)" ... "After Encrypted | bcode varchar(50)". A hex
HMAC-SHA256 is 64 characters, so in the default configuration the bcode is base64 (44); the
callback signature keeps its own setting (hex by default).
"""

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import pytest

from lobby.models import Device
from providers.onegaming import dialect
from providers.onegaming.launch import LobbyQuery, entry_url
from tests.factories import OneGamingIntegrationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("signature_encoding", ["hex", "base64"])
def test_default_bcode_fits_varchar_50_and_is_the_seed_formula(signature_encoding):
    secret = "x" * 50  # the longest secret_key the seed allows
    integration = OneGamingIntegrationFactory(code="bc", agent_code="IGBO", secret=secret,
                                              api_base_url="https://1g.example.test",
                                              signature_encoding=signature_encoding)
    query = LobbyQuery(agent_code="IGBO", player_id="CLi3000001", username="Mikha", l_token="t")
    url = entry_url(integration=integration, query=query, device=Device.DESKTOP)
    sent = parse_qs(urlsplit(url).query)["bcode"][0]
    digest = hmac.new(secret.encode(), b"IGBOCLi3000001Mikha", hashlib.sha256).digest()
    assert sent == base64.b64encode(digest).decode()
    assert len(sent) <= 50
    assert dialect.BCODE_MAX_LENGTH == 50


def test_the_callback_signature_keeps_its_own_setting():
    from providers.onegaming.client import _signature

    integration = OneGamingIntegrationFactory(code="sig", agent_code="SIG", secret="k")
    body = b'{"a":1}'
    assert _signature(integration, body) == hmac.new(b"k", body, hashlib.sha256).hexdigest()
