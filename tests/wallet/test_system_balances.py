"""System accounts' balances for the admin: the wallet's own ledger sums, or the reader another app
registers (reports' running totals); both give credits minus debits."""

import pytest

from reports.selectors import system_account_balances as from_reports
from wallet import gameplay, selectors, services
from wallet.gameplay import GameCall
from wallet.models import AccountKind

pytestmark = pytest.mark.django_db


def test_the_ledger_sums_and_the_registered_reader_agree(rich_player, onegaming, monkeypatch):
    call = GameCall(integration_id=onegaming.pk, player=rich_player, external_id="sb-1", currency="USD", fingerprint="f")
    gameplay.bet_place(call, ticket="sb-t", amount=250_000)
    game = services.system_account_id(kind=AccountKind.GAME, currency="USD", integration_id=onegaming.pk)
    cash = services.system_account_id(kind=AccountKind.CASH, currency="USD")
    assert selectors._system_balances is from_reports  # reports registered its reader
    registered = selectors.system_account_balances([game, cash])
    monkeypatch.setattr(selectors, "_system_balances", None)
    plain = selectors.system_account_balances([game, cash])
    assert plain == registered
    assert plain[game] >= 250_000  # the bet was credited to the game account
