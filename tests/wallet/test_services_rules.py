"""wallet.services: idempotency keys and the rules of transfer_post.

A key names one movement. Reused for the same movement it returns the first result and moves
nothing; reused for another amount or another wallet it raises IdempotencyConflict (never
silently answers with the old movement).
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from wallet import services
from wallet.checks import ledger_violations
from wallet.models import Account, AccountKind, Transfer, TransferKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def wallet():
    return funded_wallet(PlayerFactory(external_id="IDEM1"), "IDR", "10.00")


def _balance(wallet) -> int:
    return Account.objects.get(pk=wallet.pk).balance


def test_same_key_same_deposit_returns_the_first_movement_and_moves_nothing(wallet):
    first = services.wallet_deposit(wallet=wallet, amount=500, key="dep-1")
    again = services.wallet_deposit(wallet=wallet, amount=500, key="dep-1")
    # `created` is a bool (CashResult.created: bool), as callers and the admin's messages read it.
    assert first.created is True and again.created is False
    assert again.transfer.pk == first.transfer.pk and again.balance == first.balance == 10_00000 + 500
    assert _balance(wallet) == 10_00000 + 500


def test_same_key_same_withdrawal_returns_the_first_movement(wallet):
    first = services.wallet_withdraw(wallet=wallet, amount=300, key="wd-1")
    again = services.wallet_withdraw(wallet=wallet, amount=300, key="wd-1")
    assert again.created is False and again.transfer.pk == first.transfer.pk
    assert _balance(wallet) == 10_00000 - 300


@pytest.mark.parametrize("operation", ["wallet_deposit", "wallet_withdraw"])
def test_idempotency_conflict_when_a_key_is_reused_with_another_amount(wallet, operation):
    move = getattr(services, operation)
    move(wallet=wallet, amount=300, key="k-1")
    balance = _balance(wallet)
    with pytest.raises(services.IdempotencyConflict):
        move(wallet=wallet, amount=301, key="k-1")
    assert _balance(wallet) == balance
    assert Transfer.objects.filter(key="k-1").count() == 1


def test_idempotency_conflict_when_a_key_is_reused_for_another_wallet(wallet):
    other = funded_wallet(PlayerFactory(external_id="IDEM2"), "IDR", "10.00")
    services.wallet_deposit(wallet=wallet, amount=300, key="k-2")
    with pytest.raises(services.IdempotencyConflict):
        services.wallet_deposit(wallet=other, amount=300, key="k-2")
    assert _balance(other) == 10_00000


def test_idempotency_conflict_when_a_key_is_reused_for_another_currency_of_the_player(wallet):
    usd = funded_wallet(wallet.player, "USD", "1.00")
    services.wallet_deposit(wallet=wallet, amount=300, key="k-3")
    with pytest.raises(services.IdempotencyConflict):
        services.wallet_deposit(wallet=usd, amount=300, key="k-3")


def test_a_negative_adjustment_reusing_its_key_is_one_movement_and_other_content_conflicts(wallet):
    """One form, one movement (issue 8): the same key and movement again is the first movement;
    the same key with another amount is refused."""
    services.wallet_adjust(wallet=wallet, amount=-100, key="adj-1", actor=None, memo="correction")
    again = services.wallet_adjust(wallet=wallet, amount=-100, key="adj-1", actor=None, memo="correction")
    assert again.created is False
    with pytest.raises(services.IdempotencyConflict):
        services.wallet_adjust(wallet=wallet, amount=-200, key="adj-1", actor=None, memo="correction")
    assert _balance(wallet) == 10_00000 - 100


def test_adjustments_credit_and_debit_the_adjustment_account_not_cash(wallet):
    services.wallet_adjust(wallet=wallet, amount=700, key="adj-up", actor=None, memo="goodwill")
    services.wallet_adjust(wallet=wallet, amount=-200, key="adj-down", actor=None, memo="correction")
    up, down = Transfer.objects.get(key="adj-up"), Transfer.objects.get(key="adj-down")
    assert (up.kind, up.credit_account_id, up.debit_account.kind, up.amount) == (
        TransferKind.ADJUSTMENT, wallet.pk, AccountKind.ADJUSTMENT, 700)
    assert (down.kind, down.debit_account_id, down.credit_account.kind, down.amount) == (
        TransferKind.ADJUSTMENT, wallet.pk, AccountKind.ADJUSTMENT, 200)
    assert (up.memo, down.memo) == ("goodwill", "correction")
    assert _balance(wallet) == 10_00000 + 500
    assert ledger_violations() == []


@pytest.mark.parametrize("amount, memo", [(0, "x"), (5, " "), (-5, "")])
def test_adjustment_needs_a_non_zero_amount_and_a_reason(wallet, amount, memo):
    with pytest.raises(services.LedgerError):
        services.wallet_adjust(wallet=wallet, amount=amount, key="adj-bad", actor=None, memo=memo)
    assert not Transfer.objects.filter(key="adj-bad").exists()


@pytest.mark.parametrize("operation", ["wallet_deposit", "wallet_withdraw"])
@pytest.mark.parametrize("amount", [0, -1])
def test_cash_movements_need_a_positive_amount(wallet, operation, amount):
    with pytest.raises(services.LedgerError) as refused:
        getattr(services, operation)(wallet=wallet, amount=amount, key="bad")
    assert str(refused.value) == "amount must be positive"
    assert not Transfer.objects.filter(key="bad").exists()


def test_deposit_credits_the_wallet_from_cash_and_withdrawal_debits_it_to_cash(wallet):
    services.wallet_deposit(wallet=wallet, amount=5, key="in", memo="cash in")
    services.wallet_withdraw(wallet=wallet, amount=3, key="out")
    deposit, withdrawal = Transfer.objects.get(key="in"), Transfer.objects.get(key="out")
    assert (deposit.kind, deposit.credit_account_id, deposit.debit_account.kind, deposit.memo) == (
        TransferKind.DEPOSIT, wallet.pk, AccountKind.CASH, "cash in")
    assert (withdrawal.kind, withdrawal.debit_account_id, withdrawal.credit_account.kind) == (
        TransferKind.WITHDRAWAL, wallet.pk, AccountKind.CASH)
    assert deposit.currency_id == withdrawal.currency_id == "IDR"


def test_withdrawal_beyond_the_balance_is_refused_and_moves_nothing(wallet):
    with pytest.raises(services.InsufficientFunds):
        services.wallet_withdraw(wallet=wallet, amount=10_00001, key="too-much")
    services.wallet_withdraw(wallet=wallet, amount=10_00000, key="all")  # exactly the balance is fine
    assert _balance(wallet) == 0


def test_transfer_post_refuses_non_positive_amounts_and_mixed_currencies(wallet):
    """Refused with a sentence ops can read (the admin and the commands show it as it is)."""
    cash = Account.objects.get(kind=AccountKind.CASH, currency_id="IDR")
    usd = funded_wallet(wallet.player, "USD")
    now = timezone.now()
    for amount in (0, -1):
        with pytest.raises(services.LedgerError) as refused:
            services.transfer_post(key=f"z{amount}", kind=TransferKind.DEPOSIT, debit=cash, credit=wallet,
                                   amount=amount, now=now)
        assert str(refused.value) == "a transfer moves a positive amount"
    with pytest.raises(services.LedgerError) as refused:
        services.transfer_post(key="mix", kind=TransferKind.DEPOSIT, debit=cash, credit=usd, amount=1, now=now)
    assert str(refused.value) == "a transfer stays in one currency"
    assert not Transfer.objects.filter(key__in=["z0", "z-1", "mix"]).exists()


def test_transfer_post_overdraft_lowers_the_floor_and_a_credit_restores_it(wallet):
    game = Account.objects.get(kind=AccountKind.CASH, currency_id="IDR")
    now = timezone.now()
    locked = Account.objects.get(pk=wallet.pk)
    with pytest.raises(services.InsufficientFunds):
        services.transfer_post(key="od-refused", kind=TransferKind.RECLAIM, debit=locked, credit=game,
                               amount=10_00001, now=now)
    locked = Account.objects.get(pk=wallet.pk)
    services.transfer_post(key="od", kind=TransferKind.RECLAIM, debit=locked, credit=game, amount=10_00010, now=now,
                           allow_overdraft=True)
    assert (locked.balance, locked.floor) == (-10, -10)
    stored = Account.objects.get(pk=wallet.pk)
    assert (stored.balance, stored.floor) == (-10, -10)
    services.transfer_post(key="od-2", kind=TransferKind.RECLAIM, debit=stored, credit=game, amount=5, now=now,
                           allow_overdraft=True)
    assert Account.objects.get(pk=wallet.pk).floor == -15
    services.transfer_post(key="back", kind=TransferKind.DEPOSIT, debit=game, credit=stored, amount=15, now=now)
    assert (Account.objects.get(pk=wallet.pk).balance, Account.objects.get(pk=wallet.pk).floor) == (0, 0)


def test_player_upsert_creates_updates_and_refuses_bad_input():
    player, wallets, created = services.player_upsert(external_id=" UP1 ", username="Ann", currencies=["idr", "USD"])
    assert created and player.external_id == "UP1" and [w.currency_id for w in wallets] == ["IDR", "USD"]
    same, wallets, created = services.player_upsert(external_id="UP1", username="Anne", currencies=["IDR"],
                                                    enabled=False, reason="fraud check")
    assert not created and same.pk == player.pk and same.username == "Anne" and not same.is_enabled
    assert same.status_changes.get().reason == "fraud check"
    for bad in ({"external_id": ""}, {"external_id": "x" * 65}, {"external_id": "NEW", "username": None},
                {"external_id": "UP1", "currencies": ["XXX"]}):
        with pytest.raises(services.LedgerError):
            services.player_upsert(**{"username": "u", **bad})


def test_a_deposit_of_one_unit_credits_the_wallet_and_updates_the_callers_object(wallet):
    result = services.wallet_deposit(wallet=wallet, amount=1, key="one-unit")
    assert result.transfer.credit_account_id == wallet.pk and result.balance == 10_00001
    assert wallet.balance == 10_00001  # the object the caller holds follows the ledger


def test_transfers_without_a_memo_have_an_empty_memo(wallet):
    game = Account.objects.get(kind=AccountKind.CASH, currency_id="IDR")
    locked = Account.objects.get(pk=wallet.pk)
    transfer = services.transfer_post(key="no-memo", kind=TransferKind.BET, debit=locked, credit=game, amount=1,
                                      now=timezone.now())
    assert Transfer.objects.get(pk=transfer.pk).memo == ""


def test_player_wallets_lock_returns_the_wallets_not_other_accounts_of_the_player(wallet):
    from tests.factories import OneGamingIntegrationFactory

    Account.objects.create(kind=AccountKind.HELD_AT_PROVIDER, currency_id="IDR", player=wallet.player,
                           integration=OneGamingIntegrationFactory())
    usd = funded_wallet(wallet.player, "USD")
    funded_wallet(PlayerFactory(external_id="IDEM-OTHER"), "IDR")
    locked = services.player_wallets_lock(wallet.player_id)
    assert {c: a.pk for c, a in locked.items()} == {"IDR": wallet.pk, "USD": usd.pk}


def test_system_account_id_falls_back_to_the_row_a_concurrent_first_use_created(wallet):
    """Two first uses at once: the loser's insert hits the unique constraint, then reads the winner's row."""
    from unittest import mock

    from django.db import IntegrityError

    existing = Account.objects.get(kind=AccountKind.CASH, currency_id="IDR", player=None, integration=None)
    services.system_accounts_forget()
    with mock.patch.object(Account.objects, "get_or_create", side_effect=IntegrityError("raced")):
        assert services.system_account_id(kind=AccountKind.CASH, currency="IDR") == existing.pk


def test_wallet_open_falls_back_to_the_wallet_a_concurrent_call_created(wallet):
    from unittest import mock

    from django.db import IntegrityError

    with mock.patch.object(Account.objects, "get_or_create", side_effect=IntegrityError("raced")):
        opened = services.wallet_open(player=wallet.player, currency="IDR")
    assert opened.pk == wallet.pk


def test_wallet_open_refuses_an_unknown_or_disabled_currency(wallet):
    from wallet.models import Currency

    Currency.objects.filter(code="USD").update(enabled=False)
    for code in ("USD", "XXX"):
        with pytest.raises(services.LedgerError) as refused:
            services.wallet_open(player=wallet.player, currency=code)
        assert str(refused.value) == f"unknown or disabled currency {code!r}"
    assert services.wallet_open(player=wallet.player, currency=Currency.objects.get(code="IDR")).pk == wallet.pk


def test_player_set_enabled_records_who_and_why(wallet, admin_user):
    player = wallet.player
    services.player_set_enabled(player=player, enabled=False, actor=admin_user, reason="  chargeback  ")
    player.refresh_from_db()
    change = player.status_changes.get()
    assert player.is_enabled is False
    assert (change.enabled, change.reason, change.actor_id) == (False, "chargeback", admin_user.pk)
    with pytest.raises(services.LedgerError, match="a reason is required"):
        services.player_set_enabled(player=player, enabled=True, reason=" ")


def _refusal(call) -> str:
    with pytest.raises(services.LedgerError) as refused:
        call()
    return str(refused.value)


def test_player_upsert_creates_with_the_given_name_and_state_and_accepts_a_64_character_id(admin_user):
    player, _, created = services.player_upsert(external_id="x" * 64, username="Max", enabled=False)
    stored = type(player).objects.get(pk=player.pk)
    assert created and (stored.external_id, stored.username, stored.is_enabled) == ("x" * 64, "Max", False)
    services.player_upsert(external_id="x" * 64, enabled=True, actor=admin_user)  # no reason given
    change = stored.status_changes.get()
    assert (change.enabled, change.reason, change.actor_id) == (True, "changed by command", admin_user.pk)


def test_player_upsert_says_why_it_refuses(wallet):
    from wallet.models import Currency

    Currency.objects.filter(code="USD").update(enabled=False)
    assert _refusal(lambda: services.player_upsert(external_id=" ", username="u")) == (
        "a player id of 1 to 64 characters is required")
    assert _refusal(lambda: services.player_upsert(external_id="N1", username="u", currencies=["zzz", "AAA", "IDR"])) == (
        "unknown or disabled currency: AAA, ZZZ")
    assert _refusal(lambda: services.player_upsert(external_id="N1", username="u", currencies=["USD"])) == (
        "unknown or disabled currency: USD")
    assert _refusal(lambda: services.player_upsert(external_id="N1")) == "a new player needs a username"
    assert not type(wallet.player).objects.filter(external_id="N1").exists()


def test_player_set_enabled_updates_the_callers_object_and_says_why_it_refuses(wallet):
    player = wallet.player
    assert services.player_set_enabled(player=player, enabled=False, reason="r").is_enabled is False
    assert player.is_enabled is False
    assert _refusal(lambda: services.player_set_enabled(player=player, enabled=True, reason="")) == (
        "a reason is required to change a player's state")


def test_withdrawals_and_adjustments_record_actor_and_memo(wallet, admin_user):
    out = services.wallet_withdraw(wallet=wallet, amount=5, key="wd-actor", actor=admin_user)
    assert (out.transfer.actor_id, Transfer.objects.get(key="wd-actor").memo) == (admin_user.pk, "")
    up = services.wallet_adjust(wallet=wallet, amount=1, key="adj-one", actor=admin_user, memo="goodwill")
    assert (up.transfer.actor_id, up.transfer.credit_account_id, up.transfer.amount) == (admin_user.pk, wallet.pk, 1)
    down = services.wallet_adjust(wallet=wallet, amount=-1, key="adj-minus", actor=admin_user, memo="fix")
    assert down.created is True and down.transfer == Transfer.objects.get(key="adj-minus")
    assert down.balance == _balance(wallet) == 10_00000 - 5
    assert down.transfer.actor_id == admin_user.pk


def test_adjustments_say_why_they_refuse(wallet):
    assert _refusal(lambda: services.wallet_adjust(wallet=wallet, amount=5, key="a", actor=None, memo=" ")) == (
        "an adjustment needs a reason")
    assert _refusal(lambda: services.wallet_adjust(wallet=wallet, amount=0, key="a", actor=None, memo="m")) == (
        "amount must not be zero")
    services.wallet_adjust(wallet=wallet, amount=-1, key="used", actor=None, memo="m")
    assert _refusal(lambda: services.wallet_adjust(wallet=wallet, amount=-2, key="used", actor=None, memo="m")) == (
        "key 'used' was used for another movement")


def test_a_refused_debit_says_balance_and_amount_in_the_currencys_digits(wallet):
    # Staff read the message (operations.md): currency units with the currency's digits and
    # thousands separators, never ledger units. IDR has two digits (reference data).
    with pytest.raises(services.InsufficientFunds) as refused:
        services.wallet_withdraw(wallet=wallet, amount=1_000_00000, key="too-much-2")
    assert str(refused.value) == "balance 10.00 IDR is below 1,000.00 IDR"
    vnd = funded_wallet(wallet.player, "VND", "1234")  # VND has no fractional digits
    with pytest.raises(services.InsufficientFunds) as refused:
        services.wallet_withdraw(wallet=vnd, amount=1_234_567_00000, key="too-much-vnd")
    assert str(refused.value) == "balance 1,234 VND is below 1,234,567 VND"


def test_system_account_id_is_read_once_per_process_after_its_row_is_committed(
        wallet, django_capture_on_commit_callbacks, django_assert_num_queries):
    services.system_accounts_forget()
    cash = Account.objects.get(kind=AccountKind.CASH, currency_id="IDR", player=None, integration=None)
    with django_capture_on_commit_callbacks(execute=True):  # as a commit would
        assert services.system_account_id(kind=AccountKind.CASH, currency="IDR") == cash.pk
    with django_assert_num_queries(0):  # cached: no query on the money path
        assert services.system_account_id(kind=AccountKind.CASH, currency="IDR") == cash.pk
    # Another kind or currency is another account, created on first use.
    with django_capture_on_commit_callbacks(execute=True):
        adjustment = services.system_account_id(kind=AccountKind.ADJUSTMENT, currency="IDR")
        usd_cash = services.system_account_id(kind=AccountKind.CASH, currency="USD")
    assert len({cash.pk, adjustment, usd_cash}) == 3
    assert Account.objects.filter(pk=adjustment, kind=AccountKind.ADJUSTMENT, currency_id="IDR", player=None,
                                  integration=None).exists()
    assert Account.objects.filter(pk=usd_cash, kind=AccountKind.CASH, currency_id="USD").exists()
    with django_assert_num_queries(0):
        assert services.system_account_id(kind=AccountKind.CASH, currency="USD") == usd_cash
        assert services.system_account_id(kind=AccountKind.CASH, currency="IDR") == cash.pk


def test_system_account_id_created_in_a_rolled_back_transaction_is_not_remembered(wallet):
    from django.db import transaction

    services.system_accounts_forget()
    with pytest.raises(RuntimeError), transaction.atomic():
        first = services.system_account_id(kind=AccountKind.ADJUSTMENT, currency="USD")
        raise RuntimeError("rolled back")
    assert not Account.objects.filter(pk=first).exists()
    again = services.system_account_id(kind=AccountKind.ADJUSTMENT, currency="USD")
    assert Account.objects.filter(pk=again, kind=AccountKind.ADJUSTMENT, currency_id="USD").exists()


def test_a_reused_key_says_which_key_was_used_for_another_movement(wallet):
    services.wallet_deposit(wallet=wallet, amount=300, key="k-msg")
    with pytest.raises(services.IdempotencyConflict) as refused:
        services.wallet_deposit(wallet=wallet, amount=301, key="k-msg")
    assert str(refused.value) == "key 'k-msg' was used for another movement"


def test_movements_nobody_wrote_a_memo_for_carry_an_empty_memo(wallet):
    # A memo is a person's words (a staff reason); the game and transfer paths write none.
    from tests.factories import OneGamingIntegrationFactory
    from wallet import gameplay

    integration = OneGamingIntegrationFactory()
    call = gameplay.GameCall(integration_id=integration.pk, player=wallet.player, external_id="memo-bet",
                             currency="IDR", fingerprint=gameplay.fingerprint(ext="memo-bet"))
    assert gameplay.bet_place(call, ticket="memo-t", amount=100).code is gameplay.Code.APPLIED
    cash = Account.objects.get(kind=AccountKind.CASH, currency_id="IDR", player=None, integration=None)
    services.transfer_post(key="memo-direct", kind=TransferKind.DEPOSIT, debit=cash, credit=wallet, amount=5,
                           now=timezone.now())
    assert list(Transfer.objects.filter(key="memo-direct").values_list("memo", flat=True)) == [""]
    assert list(Transfer.objects.filter(kind=TransferKind.BET).values_list("memo", flat=True)) == [""]


def test_renaming_a_player_writes_only_the_name_never_a_state_changed_meanwhile(wallet):
    # Another session disables the player between player_upsert's read and its save: the rename
    # must not write back the enabled state it read (only the username column is saved).
    from unittest import mock

    from wallet.models import Player

    player = wallet.player
    real_filter = Player.objects.filter

    def read_then_disabled_elsewhere(*args, **kwargs):
        found = real_filter(*args, **kwargs).first()
        real_filter(pk=player.pk).update(is_enabled=False)
        return mock.Mock(first=lambda: found)

    with mock.patch.object(Player.objects, "filter", side_effect=read_then_disabled_elsewhere):
        services.player_upsert(external_id=player.external_id, username="renamed-meanwhile")
    stored = Player.objects.get(pk=player.pk)
    assert (stored.username, stored.is_enabled) == ("renamed-meanwhile", False)


def test_changing_a_players_state_writes_only_the_state_never_a_name_changed_meanwhile(wallet):
    from wallet.models import Player

    stale = Player.objects.get(pk=wallet.player_id)  # read before another session renames the player
    Player.objects.filter(pk=stale.pk).update(username="renamed-elsewhere")
    services.player_set_enabled(player=stale, enabled=False, reason="fraud check")
    stored = Player.objects.get(pk=stale.pk)
    assert (stored.username, stored.is_enabled) == ("renamed-elsewhere", False)


def test_a_long_state_change_reason_is_kept_whole_and_the_history_keeps_its_first_hundred_characters(wallet):
    from wallet.models import PlayerStatusChange

    reason = "r" * 99 + "s" + "t" * 50
    services.player_set_enabled(player=wallet.player, enabled=False, reason=reason)
    assert PlayerStatusChange.objects.get(player=wallet.player).reason == reason
    last = wallet.player.history.order_by("-history_id").first()
    assert (last.history_change_reason, last.history_user) == ("r" * 99 + "s", None)
