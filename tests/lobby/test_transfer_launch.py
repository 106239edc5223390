"""Transfer-mode launches (spec 4, last rule; issue 9 "Players"): the lobby opens only after the
amount the player chose has reached 1G; a refused deposit opens nothing and says why; an unknown
outcome says so; "Back to my wallet" withdraws 1G's whole balance. 1G is a fake server over real
HTTP on loopback (tests/transfers/fake_onegaming.py), with faults."""

import hashlib
import hmac
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from lobby.models import LaunchSession
from lobby.services import DepositPending, DepositRequired, LaunchError, launch_start, money_back
from tests.factories import OneGamingIntegrationFactory, UserFactory
from tests.transfers.fake_onegaming import FakeOneGaming
from transfers.models import OrderState, TransferOrder
from wallet.checks import ledger_violations
from wallet.models import Account

pytestmark = pytest.mark.django_db(transaction=True)
AGENT, SECRET = "TRLOBBY", "tr-lobby-secret"
UNITS = 100000


@pytest.fixture
def fake_1g(settings):
    settings.ONEGAMING_READ_TIMEOUT = 2.0
    settings.ONEGAMING_CONNECT_TIMEOUT = 2.0
    server = FakeOneGaming(agent_code=AGENT, secret=SECRET, delay=6.0).start()
    yield server
    server.stop()


@pytest.fixture
def transfer_1g(fake_1g):
    return OneGamingIntegrationFactory(code="og-transfer", name="1Gaming transfer", agent_code=AGENT, secret=SECRET,
                                       mode="transfer", api_base_url=fake_1g.url)


def _idr(player) -> int:
    return Account.objects.get(player=player, currency_id="IDR", kind="wallet").balance


def test_a_transfer_mode_launch_needs_an_amount_and_opens_nothing_without_one(transfer_1g, rich_player, fake_1g):
    with pytest.raises(DepositRequired):
        launch_start(integration=transfer_1g, player=rich_player, currency="IDR")
    assert not LaunchSession.objects.exists() and not TransferOrder.objects.exists() and fake_1g.requests == []


def test_the_lobby_opens_after_the_deposit_is_confirmed(transfer_1g, rich_player, fake_1g):
    result = launch_start(integration=transfer_1g, player=rich_player, currency="IDR", deposit=100 * UNITS)
    assert result.deposit.state == OrderState.CONFIRMED and result.deposit.amount == 100 * UNITS
    assert fake_1g.balance_of("CLi3000001") == Decimal("100")
    assert _idr(rich_player) == 1400 * UNITS
    session = LaunchSession.objects.get(token=result.token)
    assert session.integration == transfer_1g and "/lobby?" in result.url
    # the deposit happened before the launch session was created
    assert result.deposit.finished_at <= session.created_at
    assert ledger_violations() == []


@pytest.mark.parametrize("fault, why", [("http_400_status:USER_DISABLED", "USER_DISABLED"),
                                        ("http_400_status:INVALID_CURRENCY", "INVALID_CURRENCY")])
def test_a_refused_deposit_opens_nothing_and_says_why(transfer_1g, rich_player, fake_1g, fault, why):
    fake_1g.fault("deposit", fault)
    with pytest.raises(LaunchError, match=why) as raised:
        launch_start(integration=transfer_1g, player=rich_player, currency="IDR", deposit=50 * UNITS)
    assert "back in your wallet" in str(raised.value)
    assert not LaunchSession.objects.exists()
    assert _idr(rich_player) == 1500 * UNITS
    assert ledger_violations() == []


def test_a_deposit_stuck_unknown_opens_nothing_and_says_so(transfer_1g, rich_player, fake_1g):
    fake_1g.fault("deposit", "unknown_error")
    fake_1g.fault("records", "http_500")  # and 1G's records cannot tell us either
    with pytest.raises(DepositPending, match="could not confirm") as raised:
        launch_start(integration=transfer_1g, player=rich_player, currency="IDR", deposit=50 * UNITS)
    order = TransferOrder.objects.get()
    assert order.state == OrderState.UNKNOWN and order.transfer_id in str(raised.value)
    assert "not lost" in str(raised.value)
    assert not LaunchSession.objects.exists()
    assert _idr(rich_player) == 1450 * UNITS  # set aside in flight until 1G's records settle it
    assert ledger_violations() == []


def test_refusals_before_any_money_moves(transfer_1g, rich_player, fake_1g, onegaming):
    with pytest.raises(LaunchError, match="only 1500.00 IDR"):
        launch_start(integration=transfer_1g, player=rich_player, currency="IDR", deposit=1501 * UNITS)
    with pytest.raises(LaunchError, match="holds nothing"):
        launch_start(integration=transfer_1g, player=rich_player, currency="IDR", deposit=0)
    with pytest.raises(LaunchError, match="nothing to deposit"):
        launch_start(integration=onegaming, player=rich_player, deposit=5 * UNITS)
    assert not TransferOrder.objects.exists() and not LaunchSession.objects.exists()


def test_zero_plays_with_what_1g_already_holds(transfer_1g, rich_player, fake_1g):
    launch_start(integration=transfer_1g, player=rich_player, currency="IDR", deposit=20 * UNITS)
    again = launch_start(integration=transfer_1g, player=rich_player, currency="IDR", deposit=0)
    assert again.deposit is None and TransferOrder.objects.count() == 1
    assert LaunchSession.objects.count() == 2


def test_back_to_my_wallet_withdraws_1gs_whole_balance(transfer_1g, rich_player, fake_1g):
    launch_start(integration=transfer_1g, player=rich_player, currency="IDR", deposit=100 * UNITS)
    fake_1g.wallets["CLi3000001"]["balance"] -= Decimal("30.50")  # the player lost a round at 1G
    [back] = money_back(integration=transfer_1g, player=rich_player)
    assert back.ok and back.message == "69.50 IDR is back in your wallet."
    assert back.order.amount == int(Decimal("69.50") * UNITS) and back.order.state == OrderState.CONFIRMED
    assert fake_1g.balance_of("CLi3000001") == 0
    assert _idr(rich_player) == int(Decimal("1469.50") * UNITS)
    [nothing] = money_back(integration=transfer_1g, player=rich_player)
    assert nothing.ok and "holds nothing" in nothing.message
    assert ledger_violations() == []


def test_back_to_my_wallet_when_1g_does_not_answer_says_nothing_moved(transfer_1g, rich_player, fake_1g):
    launch_start(integration=transfer_1g, player=rich_player, currency="IDR", deposit=10 * UNITS)
    fake_1g.fault("balance", "http_500")
    [back] = money_back(integration=transfer_1g, player=rich_player)
    assert not back.ok and "nothing moved" in back.message
    assert _idr(rich_player) == 1490 * UNITS


# --- the pages ------------------------------------------------------------------------------


@pytest.fixture
def player_client(client, rich_player):
    rich_player.user = UserFactory(username="mikha")
    rich_player.save()
    client.force_login(rich_player.user)
    return client


def test_the_catalogue_shows_the_transfer_section_with_its_forms(player_client, transfer_1g):
    page = player_client.get(reverse("lobby:catalogue")).content.decode()
    assert 'id="transfer-og-transfer"' in page and "Back to my wallet" in page
    # Issue 25: one way in, the deposit page (its amount field is there, not on the catalogue).
    assert 'id="take-in-og-transfer"' in page and 'name="amount"' not in page


def test_play_without_an_amount_shows_the_deposit_page(player_client, transfer_1g, fake_1g):
    response = player_client.post(reverse("lobby:launch", args=["og-transfer"]), {"game": "601"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="deposit-form"' in page and 'value="601"' in page
    assert "1500.00" in page and not LaunchSession.objects.exists() and fake_1g.requests == []


def test_a_wrong_amount_is_refused_on_the_deposit_page(player_client, transfer_1g, fake_1g):
    response = player_client.post(reverse("lobby:launch", args=["og-transfer"]), {"game": "601", "amount": "1e3"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="amount-errors"' in page and "plain number" in page
    assert not TransferOrder.objects.exists() and fake_1g.requests == []


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("typed, error", [
    ("1e3", "plain number"), ("-5", "plain number"), ("1,000", "plain number"), ("12.345", "at most 2 decimals"),
    ("NaN", "plain number"), ("Infinity", "plain number"), (" ", "required"), ("0", "above zero"),
    ("1500.01", "only 1500.00 IDR"), ("１２", "plain number"), ("+5", "plain number"), ("5.", "plain number"),
    (".5", "plain number"), ("1" * 13, "plain number"),
])
def test_the_deposit_form_reads_amounts_strictly(rich_player, typed, error):
    from lobby.forms import DepositForm

    wallet = Account.objects.select_related("currency").get(player=rich_player, currency_id="IDR", kind="wallet")
    form = DepositForm({"amount": typed}, wallet=wallet)
    assert not form.is_valid() and error in " ".join(form.errors["amount"])


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("typed, units", [("12.50", 1250000), ("12.5", 1250000), ("1500", 150000000),
                                          (" 7 ", 700000), ("0.01", 1000)])
def test_the_deposit_form_reads_plain_amounts_exactly(rich_player, typed, units):
    from lobby.forms import DepositForm

    wallet = Account.objects.select_related("currency").get(player=rich_player, currency_id="IDR", kind="wallet")
    form = DepositForm({"amount": typed}, wallet=wallet)
    assert form.is_valid() and form.cleaned_data["amount"] == units


def test_deposit_and_play_then_back_to_my_wallet(player_client, transfer_1g, fake_1g, rich_player):
    response = player_client.post(reverse("lobby:launch", args=["og-transfer"]), {"game": "601", "amount": "250.50"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="game-frame"' in page and 'id="back-to-wallet"' in page
    assert "250.50 IDR taken into 1Gaming transfer." in page
    assert _idr(rich_player) == int(Decimal("1249.50") * UNITS)
    back = player_client.post(reverse("lobby:money-back", args=["og-transfer"]), follow=True).content.decode()
    assert "250.50 IDR is back in your wallet." in back
    assert _idr(rich_player) == 1500 * UNITS


def test_a_refused_deposit_on_the_page_says_why(player_client, transfer_1g, fake_1g):
    fake_1g.fault("deposit", "http_400_status:USER_DISABLED")
    page = player_client.post(reverse("lobby:launch", args=["og-transfer"]), {"amount": "10"},
                              follow=True).content.decode()
    assert "USER_DISABLED" in page and 'id="game-frame"' not in page and not LaunchSession.objects.exists()


def test_back_to_my_wallet_on_a_seamless_integration_is_refused(player_client, onegaming):
    page = player_client.post(reverse("lobby:money-back", args=["og-test"]), follow=True).content.decode()
    assert "nothing to take back" in page


# --- manage.py launch ----------------------------------------------------------------------


def test_the_launch_command_refuses_transfer_mode_without_deposit(transfer_1g, rich_player):
    with pytest.raises(CommandError, match="transfer mode") as raised:
        call_command("launch", "og-transfer", "CLi3000001")
    assert "--deposit AMOUNT" in str(raised.value) and "manage.py transfer og-transfer CLi3000001 deposit" in str(
        raised.value)
    assert not TransferOrder.objects.exists()


def test_the_launch_command_deposits_then_launches(transfer_1g, rich_player, fake_1g):
    out = StringIO()
    call_command("launch", "og-transfer", "CLi3000001", "--deposit", "12.50", "--currency", "IDR", stdout=out)
    line = json.loads(out.getvalue())
    order = TransferOrder.objects.get()
    assert line["deposit"] == {"id": order.pk, "transfer_id": order.transfer_id, "state": "confirmed"}
    assert LaunchSession.objects.get(token=line["l_token"]).url == line["url"]
    with pytest.raises(CommandError, match="at most 2 decimals"):
        call_command("launch", "og-transfer", "CLi3000001", "--deposit", "1.001")
    with pytest.raises(CommandError, match="seamless"):
        OneGamingIntegrationFactory(code="og-seam", agent_code="SEAM")
        call_command("launch", "og-seam", "CLi3000001", "--deposit", "1")


# --- igPokerValidation of a transfer-mode l_token (spec 2.3) --------------------------------


def _validate(client, session, player):
    code = hmac.new(SECRET.encode(), f"{AGENT}{player.external_id}{player.username}".encode(),
                    hashlib.sha256).hexdigest()
    response = client.get("/api/onegaming/igPokerValidation", {"agent_code": AGENT, "player_id": player.external_id,
                                                               "l_token": session.token, "bcode": code})
    return response.content


def test_validation_of_a_transfer_l_token_answers_1gs_balance_as_last_known(client, transfer_1g, rich_player):
    result = launch_start(integration=transfer_1g, player=rich_player, currency="IDR", deposit=100 * UNITS)
    assert _validate(client, result.session, rich_player) == (
        b'{"status":"OK","player_id":"CLi3000001","username":"Mikha","currency":"IDR","balance":100.00}')


def test_validation_of_a_transfer_l_token_before_any_transfer_answers_zero(client, transfer_1g, rich_player):
    from django.utils import timezone

    now = timezone.now()
    session = LaunchSession.objects.create(token="t-0", integration=transfer_1g, player=rich_player, currency_id="USD",
                                           created_at=now, expires_at=now + timezone.timedelta(minutes=15))
    assert _validate(client, session, rich_player) == (
        b'{"status":"OK","player_id":"CLi3000001","username":"Mikha","currency":"USD","balance":0.00}')


# --- with a real broker: a worker sends the deposit while the launch waits ------------------


def test_the_launch_waits_for_a_worker_to_confirm_the_deposit(transfer_1g, rich_player, fake_1g, monkeypatch, settings):
    from lobby import services as lobby_services
    from transfers import services as transfer_services
    from transfers import start as transfers_start

    queued = []
    monkeypatch.setattr(transfers_start, "_enqueue_send", queued.append)  # the broker holds the task

    def worker_runs_during_the_wait():
        while queued:
            transfer_services.order_send(queued.pop())

    monkeypatch.setattr(lobby_services, "_pause", worker_runs_during_the_wait)
    settings.LOBBY_DEPOSIT_WAIT_SECONDS = 60
    result = launch_start(integration=transfer_1g, player=rich_player, currency="IDR", deposit=10 * UNITS)
    assert result.deposit.state == OrderState.CONFIRMED and LaunchSession.objects.count() == 1


def test_a_deposit_no_worker_picks_up_in_time_opens_nothing(transfer_1g, rich_player, fake_1g, monkeypatch, settings):
    from transfers import start as transfers_start

    monkeypatch.setattr(transfers_start, "_enqueue_send", lambda order_id: None)  # the broker is slow
    settings.LOBBY_DEPOSIT_WAIT_SECONDS = 0.3
    with pytest.raises(DepositPending, match="could not confirm"):
        launch_start(integration=transfer_1g, player=rich_player, currency="IDR", deposit=10 * UNITS)
    assert TransferOrder.objects.get().state == OrderState.RESERVED
    assert not LaunchSession.objects.exists() and _idr(rich_player) == 1490 * UNITS
