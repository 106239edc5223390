"""The read before the wallet lock (wallet.reads.call_read), shared by every provider: the player a
call names with one wallet's balance, the earlier transaction with the call's id, and what the
caller adds (parts the wallet runs without knowing what they read), in one round trip on
PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import funded_wallet, is_postgres
from tests.factories import OppiIntegrationFactory, PlayerFactory
from wallet import gameplay
from wallet.gameplay import GameCall
from wallet.models import Account, AccountKind
from wallet.money import to_units
from wallet.reads import Earlier, ReadPart, call_read

pytestmark = pytest.mark.django_db


def _wallet_part(currency: str, *, fields=("id", "currency_id", "balance"), name="wallet") -> ReadPart:
    """A caller's part: the call's player's wallet in `currency` (the wallet itself never asks for it)."""
    columns = ", ".join(fields)
    return ReadPart(name=name, model=Account, fields=fields, params=(currency, AccountKind.WALLET.value),
                    sql=f"SELECT {columns} FROM {Account._meta.db_table} "
                        "WHERE player_id = {player_id} AND currency_id = %s AND kind = %s ORDER BY id LIMIT 1")


def _bet(integration, player, external_id: str, amount: str = "1.00"):
    call = GameCall(integration_id=integration.pk, player=player, external_id=external_id, currency="IDR",
                    fingerprint=gameplay.fingerprint(txn=external_id, amount=amount))
    result = gameplay.bet_place(call, ticket=external_id, amount=to_units(amount))
    assert result.applied
    return call


def test_the_player_is_found_by_the_id_providers_know_with_the_balance_asked_for(onegaming, rich_player):
    found = call_read(integration_id=onegaming.pk, player_external_id="CLi3000001", balance_currency="IDR")
    assert found.player.pk == rich_player.pk
    assert (found.player.external_id, found.player.is_enabled) == ("CLi3000001", True)
    assert found.player.balance_units == to_units("1500.00")
    usd = call_read(integration_id=onegaming.pk, player_external_id="CLi3000001", balance_currency="USD")
    assert usd.player.balance_units == to_units("100.00")


def test_no_balance_without_a_wallet_in_that_currency_or_when_none_is_asked(onegaming, rich_player):
    assert call_read(integration_id=onegaming.pk, player_external_id="CLi3000001",
                     balance_currency="EUR").player.balance_units is None
    assert call_read(integration_id=onegaming.pk, player_external_id="CLi3000001",
                     balance_currency="").player.balance_units is None
    assert call_read(integration_id=onegaming.pk, player_external_id="CLi3000001").player.balance_units is None


def test_a_disabled_player_is_found_and_shown_disabled(onegaming, disabled_player):
    found = call_read(integration_id=onegaming.pk, player_external_id="BLOCKED1", balance_currency="IDR")
    assert found.player.is_enabled is False and found.player.balance_units == to_units("50.00")


def test_an_unknown_player_nothing_earlier_and_a_players_part_find_nothing(onegaming, rich_player):
    found = call_read(integration_id=onegaming.pk, player_external_id="nobody", external_id="t-1",
                      balance_currency="IDR", parts=(_wallet_part("IDR"),))
    assert (found.player, found.previous, found.part("wallet")) == (None, None, None)


def test_the_earlier_transaction_is_the_one_with_this_id_at_this_integration(onegaming, rich_player):
    _bet(onegaming, rich_player, "t-1")
    first = call_read(integration_id=onegaming.pk, player_external_id="CLi3000001", external_id="t-1")
    bet = gameplay.fingerprint(txn="t-1", amount="1.00")
    assert first.previous == Earlier(fingerprint=bet, outcome="applied", player_id=rich_player.pk, currency_id="IDR")
    assert call_read(integration_id=onegaming.pk, player_external_id="CLi3000001", external_id="t-2").previous is None
    elsewhere = OppiIntegrationFactory(code="elsewhere")
    assert call_read(integration_id=elsewhere.pk, player_external_id="CLi3000001", external_id="t-1").previous is None


def test_the_earlier_transaction_is_found_whoever_sent_it(onegaming, rich_player):
    """The replay rule needs another player's use of the id too (a duplicate): the read does not filter it out."""
    other = PlayerFactory(external_id="P-2")
    funded_wallet(other, "IDR", "10.00")
    _bet(onegaming, other, "t-1")
    found = call_read(integration_id=onegaming.pk, player_external_id="CLi3000001", external_id="t-1")
    assert found.previous.player_id == other.pk and found.player.pk == rich_player.pk


def test_a_part_naming_the_player_reads_the_calls_player_only(onegaming, rich_player):
    other = PlayerFactory(external_id="P-2")
    funded_wallet(other, "USD", "7.00")
    mine = call_read(integration_id=onegaming.pk, player_external_id="CLi3000001", parts=(_wallet_part("USD"),))
    wallet = mine.part("wallet")
    assert isinstance(wallet, Account)
    assert (wallet.currency_id, wallet.balance) == ("USD", to_units("100.00"))
    theirs = call_read(integration_id=onegaming.pk, player_external_id="P-2", parts=(_wallet_part("USD"),))
    assert theirs.part("wallet").balance == to_units("7.00")
    assert call_read(integration_id=onegaming.pk, player_external_id="P-2",
                     parts=(_wallet_part("IDR"),)).part("wallet") is None


def test_a_parts_columns_may_come_in_any_order(onegaming, rich_player):
    part = _wallet_part("IDR", fields=("balance", "currency_id", "id"))
    wallet = call_read(integration_id=onegaming.pk, player_external_id="CLi3000001", parts=(part,)).part("wallet")
    expected = Account.objects.get(player=rich_player, currency_id="IDR", kind=AccountKind.WALLET)
    assert (wallet.pk, wallet.currency_id, wallet.balance) == (expected.pk, "IDR", expected.balance)


def test_a_part_that_does_not_name_the_player_is_read_without_one(onegaming, rich_player):
    idr = Account.objects.get(player=rich_player, currency_id="IDR", kind=AccountKind.WALLET)
    part = ReadPart(name="account", model=Account, fields=("id", "balance"), params=(idr.pk,),
                    sql=f"SELECT id, balance FROM {Account._meta.db_table} WHERE id = %s LIMIT 1")
    found = call_read(integration_id=onegaming.pk, player_external_id="nobody", parts=(part,))
    assert found.player is None and found.part("account").balance == idr.balance


def test_everything_is_read_in_one_round_trip_on_postgresql(onegaming, rich_player):
    _bet(onegaming, rich_player, "t-1")
    parts = (_wallet_part("USD", name="usd"), _wallet_part("IDR", name="idr"))
    with CaptureQueriesContext(connection) as queries:
        found = call_read(integration_id=onegaming.pk, player_external_id="CLi3000001", external_id="t-1",
                          balance_currency="IDR", parts=parts)
    # Elsewhere: the earlier transaction, the player, each part.
    assert len(queries) == (1 if is_postgres() else 4)
    assert found.previous.player_id == rich_player.pk
    assert found.player.balance_units == to_units("1499.00")
    assert (found.part("usd").balance, found.part("idr").balance) == (to_units("100.00"), to_units("1499.00"))
