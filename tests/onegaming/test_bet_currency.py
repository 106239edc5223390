"""Issue 25: a 1G bet in a currency other than its launch session's is refused.

The seed's status table (shared/seeds, 1G):
    "INVALID_CURRENCY | Transaction currency differs from User's wallet currency. |"
The wallet the player plays with is the one they launched with (the launch session's currency),
so a bet naming another currency is INVALID_CURRENCY, unless the integration's (ours) setting
`accept_bets_in_other_currency` allows it.
"""

from decimal import Decimal

import pytest

from lobby.models import LaunchSession
from wallet.models import Account

pytestmark = pytest.mark.django_db


@pytest.fixture
def idr_launch(onegaming, rich_player, token):
    LaunchSession.objects.filter(token=token).update(currency_id="IDR")
    return token


def _usd(player) -> int:
    return Account.objects.get(player=player, currency_id="USD", kind="wallet").balance


def test_a_bet_in_another_currency_than_the_launchs_is_invalid_currency(wire, bet_fields, idr_launch, rich_player):
    before = _usd(rich_player)
    answer = wire.bet(**bet_fields(currency="USD", amount="1.00"))
    assert answer["status"] == "INVALID_CURRENCY"
    assert _usd(rich_player) == before


def test_the_same_in_a_batch_item(wire, bet_fields, idr_launch, rich_player):
    before = _usd(rich_player)
    answer = wire.transactions([{"type": "bet", **bet_fields(currency="USD", amount="1.00")}])
    assert [item["status"] for item in answer["results"]] == ["INVALID_CURRENCY"]
    assert _usd(rich_player) == before


def test_a_bet_in_the_launchs_currency_is_taken(wire, bet_fields, idr_launch):
    assert wire.bet(**bet_fields(currency="IDR", amount="100.00"))["status"] == "OK"


def test_the_integration_setting_lets_a_bet_in_another_currency_through(wire, bet_fields, idr_launch, onegaming,
                                                                        rich_player):
    onegaming.accept_bets_in_other_currency = True
    onegaming.save()
    before = _usd(rich_player)
    answer = wire.bet(**bet_fields(currency="USD", amount="1.00"))
    assert answer["status"] == "OK" and answer["currency"] == "USD"
    assert _usd(rich_player) == before - 1_00000 and Decimal(str(answer["balance"])) == Decimal(before - 1_00000) / 100000
