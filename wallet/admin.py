"""Admin for ops staff: currencies, players, wallets and the (read-only) ledger."""

from __future__ import annotations

import uuid
from decimal import ROUND_FLOOR, Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import render
from django.utils.html import format_html

from core.admin import AuditedAdmin

from . import selectors, services
from .admin_history import MoneyAwareContextHelper
from .admin_paging import ExactIdSearchMixin, IdsFirstPaginator, QuickListMixin
from .models import (
    Account,
    AccountKind,
    AdjustmentRequest,
    AdjustmentStatus,
    Currency,
    GameAction,
    GameOutcome,
    GameTransaction,
    LimitRefusal,
    Player,
    PlayerStatusChange,
    SystemAccount,
    Transfer,
    Wallet,
)
from .money import AmountError, quantize_for, to_units, typed_to_units


def money(units: int | None, currency: Currency | None) -> str:
    """Ledger units as staff read them: currency units with the currency's digits and its code."""
    if units is None:
        return "—"
    digits = currency.digits if currency else 2
    return f"{quantize_for(units, digits):,} {currency.code if currency else ''}".strip()


def money_html(units: int | None, currency: Currency | None):
    """An amount in a list column: right-aligned figures that never break across lines."""
    return format_html('<span style="white-space:nowrap;font-variant-numeric:tabular-nums">{}</span>',
                       money(units, currency))


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "digits", "enabled"]
    list_editable = ["enabled"]
    search_fields = ["code", "name"]


class StatusReasonForm(forms.Form):
    reason = forms.CharField(max_length=255, widget=forms.TextInput(attrs={"size": 60}))


class WalletInline(admin.TabularInline):
    model = Account
    fk_name = "player"
    fields = ["currency", "balance_display", "daily_bet_limit_display", "daily_loss_limit_display"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="balance")
    def balance_display(self, obj):
        return money(obj.balance, obj.currency)

    @admin.display(description="daily bet limit")
    def daily_bet_limit_display(self, obj):
        return money(obj.daily_bet_limit, obj.currency)

    @admin.display(description="daily loss limit")
    def daily_loss_limit_display(self, obj):
        return money(obj.daily_loss_limit, obj.currency)


class StatusChangeInline(admin.TabularInline):
    model = PlayerStatusChange
    fields = ["created_at", "enabled", "reason", "actor"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PlayerAddForm(forms.ModelForm):
    """Adding a player can open wallets in the chosen currencies at once."""

    currencies = forms.ModelMultipleChoiceField(
        queryset=Currency.objects.filter(enabled=True), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Open a wallet in each chosen currency (more can be opened later).")

    class Meta:
        model = Player
        fields = ["external_id", "username", "user"]


@admin.register(Player)
class PlayerAdmin(AuditedAdmin):
    history_context_helper = MoneyAwareContextHelper  # limits in currency units
    list_display = ["external_id", "username", "is_enabled", "balances", "created_at"]
    list_filter = ["is_enabled"]
    # Prefix match on the player id (support types the start of an id read over the phone).
    search_fields = ["^external_id", "username"]
    readonly_fields = ["is_enabled", "created_at"]
    fields = ["external_id", "username", "user", "is_enabled", "created_at"]
    raw_id_fields = ["user"]
    inlines = [WalletInline, StatusChangeInline]
    actions = ["disable_players", "enable_players"]
    change_form_template = "admin/wallet/player/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("accounts__currency")

    def get_readonly_fields(self, request, obj=None):
        # A player id is what providers know the player by: fixed once created.
        return [*self.readonly_fields, "external_id"] if obj is not None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PlayerAddForm
            kwargs["fields"] = ["external_id", "username", "user", "currencies"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["external_id", "username", "user", "currencies", "change_reason"]})]
        return super().get_fieldsets(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for currency in form.cleaned_data.get("currencies") or ():
            services.wallet_open(player=form.instance, currency=currency)

    def has_delete_permission(self, request, obj=None):
        return False  # players are disabled, never deleted (their ledger history stays)

    def has_state_permission(self, request, obj=None):
        return request.user.has_perm("wallet.change_player_state") or request.user.has_perm("wallet.change_player")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from .selectors import player_overview

        player = self.get_object(request, object_id)
        extra = {"overview": player_overview(player)} if player is not None else {}
        extra["can_change_state"] = self.has_state_permission(request, player)
        extra["can_adjust"] = request.user.has_perm("wallet.change_wallet")
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # A player's sign-in is never a staff account (issue 8): staff users cannot be linked.
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=False, is_superuser=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="wallets")
    def balances(self, obj):
        wallets = [a for a in obj.accounts.all() if a.kind == AccountKind.WALLET]
        return ", ".join(money(a.balance, a.currency) for a in wallets) or "—"

    def _change_state(self, request, queryset, *, enabled: bool):
        verb = "Enable" if enabled else "Disable"
        if "apply" in request.POST:
            form = StatusReasonForm(request.POST)
            if form.is_valid():
                reason = form.cleaned_data["reason"]
                for player in queryset:
                    services.player_set_enabled(player=player, enabled=enabled, actor=request.user, reason=reason)
                    # Django's "Recent actions" on the admin index and the object's log.
                    self.log_change(request, player, f"{verb}d: {reason}")
                self.message_user(request, f"{verb}d {queryset.count()} player(s).", messages.SUCCESS)
                return None
        else:
            form = StatusReasonForm()
        return render(request, "admin/wallet/player_state.html", {
            **self.admin_site.each_context(request), "title": f"{verb} players", "players": queryset, "form": form,
            "action": request.POST.get("action"), "verb": verb, "opts": self.model._meta,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        })

    @admin.action(description="Disable selected players (asks for a reason)", permissions=["state"])
    def disable_players(self, request, queryset):
        return self._change_state(request, queryset, enabled=False)

    @admin.action(description="Enable selected players (asks for a reason)", permissions=["state"])
    def enable_players(self, request, queryset):
        return self._change_state(request, queryset, enabled=True)


class BelowZeroFilter(admin.SimpleListFilter):
    title = "balance"
    parameter_name = "balance"

    def lookups(self, request, model_admin):
        return [("negative", "Below zero"), ("zero", "Zero"), ("positive", "Above zero")]

    def queryset(self, request, queryset):
        condition = {"negative": Q(balance__lt=0), "zero": Q(balance=0), "positive": Q(balance__gt=0)}.get(self.value())
        return queryset.filter(condition) if condition is not None else queryset


class AdjustmentForm(forms.Form):
    """One adjustment form is one movement: its key, made when the form is shown, travels with it,
    so sending the same form twice finds the first request instead of moving money again."""

    amount = forms.CharField(required=False, help_text="In currency units: positive credits the wallet, a "
                                                       "leading - debits it, e.g. 10.50 or -3")
    reason = forms.CharField(max_length=255)
    key = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        "required": "This form has no key: open the adjustment form again.",
        "invalid": "This form's key is damaged: open the adjustment form again."})

    def __init__(self, *args, wallet: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.wallet = wallet
        if not self.is_bound:
            self.initial["key"] = uuid.uuid4()

    def clean_amount(self) -> int:
        try:
            units = typed_to_units(self.cleaned_data.get("amount"), digits=self.wallet.currency.digits)
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if units == 0:
            raise forms.ValidationError("amount must not be zero")
        return units


class DecisionForm(forms.Form):
    reason = forms.CharField(max_length=255, widget=forms.TextInput(attrs={"size": 60}))


class WalletLimitForm(forms.ModelForm):
    """Limits are entered in currency units, with no more decimals than the wallet's currency has
    (an IDR limit of 10.12345 is refused, not rounded), and stored in ledger units."""

    # decimal_places is checked against the wallet's currency in _clean_units, with a clear message.
    daily_bet_limit = forms.DecimalField(required=False, min_value=0, max_digits=20,
                                         help_text="Most a player may bet per UTC day. Empty: no limit.")
    daily_loss_limit = forms.DecimalField(required=False, min_value=0, max_digits=20,
                                          help_text="Most a player may lose per UTC day. Empty: no limit.")

    class Meta:
        model = Wallet
        fields = ["daily_bet_limit", "daily_loss_limit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        currency = self.instance.currency if self.instance.currency_id else None
        self.digits = currency.digits if currency else 5
        code = currency.code if currency else ""
        for name in ("daily_bet_limit", "daily_loss_limit"):
            field = self.fields[name]
            field.widget.attrs["step"] = str(Decimal(1).scaleb(-self.digits)) if self.digits else "1"
            field.help_text = f"In {code}, up to {self.digits} decimals. {field.help_text}".replace("  ", " ")
            units = getattr(self.instance, name)
            if units is not None:
                self.initial[name] = quantize_for(units, self.digits)

    def _clean_units(self, name):
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        code = self.instance.currency_id or ""
        if value != value.quantize(Decimal(1).scaleb(-self.digits), rounding=ROUND_FLOOR):
            raise forms.ValidationError(
                f"{code} amounts have at most {self.digits} decimal{'s' if self.digits != 1 else ''}: "
                f"{value} has more. Enter e.g. {value.quantize(Decimal(1).scaleb(-self.digits), rounding=ROUND_FLOOR)}.")
        try:
            return to_units(value, digits=self.digits)
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_daily_bet_limit(self):
        return self._clean_units("daily_bet_limit")

    def clean_daily_loss_limit(self):
        return self._clean_units("daily_loss_limit")


@admin.register(Wallet)
class WalletAdmin(AuditedAdmin):
    """Player wallets. Balances change only through the ledger (adjustment action)."""

    history_context_helper = MoneyAwareContextHelper  # limits in currency units

    form = WalletLimitForm
    list_display = ["__str__", "player_link", "balance_display", "daily_bet_limit_display",
                    "daily_loss_limit_display"]
    list_filter = [BelowZeroFilter, "currency"]
    search_fields = ["=player__external_id", "player__username"]
    list_select_related = ["player", "currency"]
    readonly_fields = ["kind", "player", "currency", "balance_display", "created_at"]
    fields = ["kind", "player", "currency", "balance_display", "daily_bet_limit", "daily_loss_limit", "created_at"]
    actions = ["adjust_balance"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="player", ordering="player__external_id")
    def player_link(self, obj):
        return format_html('<a href="../player/{}/change/">{}</a>', obj.player_id, obj.player.external_id)

    @admin.display(description="balance", ordering="balance")
    def balance_display(self, obj):
        if obj.balance < 0:
            return format_html('<b style="color:#b00;white-space:nowrap">{}</b>', money(obj.balance, obj.currency))
        return money_html(obj.balance, obj.currency)

    @admin.display(description="daily bet limit")
    def daily_bet_limit_display(self, obj):
        return money(obj.daily_bet_limit, obj.currency) if obj.daily_bet_limit is not None else "—"

    @admin.display(description="daily loss limit")
    def daily_loss_limit_display(self, obj):
        return money(obj.daily_loss_limit, obj.currency) if obj.daily_loss_limit is not None else "—"

    @admin.action(description="Adjust balance through the ledger (asks for amount and reason)", permissions=["change"])
    def adjust_balance(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one wallet to adjust.", messages.ERROR)
            return None
        wallet = queryset.select_related("currency").get()
        form = AdjustmentForm(request.POST if "apply" in request.POST else None, wallet=wallet)
        if "apply" in request.POST and form.is_valid():
            data = form.cleaned_data
            try:
                submitted = services.adjustment_submit(wallet=wallet, amount=data["amount"], reason=data["reason"],
                                                       key=data["key"], actor=request.user)
            except services.LedgerError as exc:
                self.message_user(request, f"Not adjusted: {exc}", messages.ERROR)
                return None
            if submitted.created:  # Django's "Recent actions" and the wallet's own log
                verb = "Adjusted" if submitted.applied else "Requested an adjustment of"
                self.log_change(request, wallet, f"{verb} {money(data['amount'], wallet.currency)}: "
                                                f"{data['reason']}")
            self._adjustment_told(request, wallet, submitted)
            return None
        return render(request, "admin/wallet/adjust.html", {
            **self.admin_site.each_context(request), "title": "Adjust balance", "wallet": wallet, "form": form,
            "opts": self.model._meta, "action": request.POST.get("action"),
            "balance": money(wallet.balance, wallet.currency),
            "threshold": money(services.adjustment_threshold(wallet.currency_id), wallet.currency),
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        })

    def _adjustment_told(self, request, wallet, submitted) -> None:
        adjustment = submitted.request
        if not submitted.created:
            self.message_user(request, f"This form was already sent (adjustment #{adjustment.pk}, "
                                       f"{adjustment.get_status_display().lower()}): nothing was done again.",
                              messages.WARNING)
        elif submitted.applied:
            self.message_user(request, f"Adjusted {wallet}: new balance {money(wallet.balance, wallet.currency)}.",
                              messages.SUCCESS)
        else:
            self.message_user(request, f"Adjustment #{adjustment.pk} is above the approval threshold: it waits for "
                                       "another user's approval under Adjustment requests; nothing moved yet.",
                              messages.WARNING)


def player_pks(term: str) -> list[int]:
    """The player with this exact id (unique index on Player.external_id)."""
    return list(Player.objects.filter(external_id=term).values_list("pk", flat=True))


def player_account_ids(term: str) -> list[int]:
    """The accounts of the player with this exact id (a handful of rows)."""
    return list(Account.objects.filter(player__external_id=term).values_list("pk", flat=True))


def integration_ids() -> list[int]:
    """Every integration: leading an (integration, …) index with all of them lets a search by a
    provider id use that index without one more index written per callback."""
    return list(GameTransaction._meta.get_field("integration").related_model.objects.values_list("pk", flat=True))


def game_transaction_q(column: str, term: str) -> Q:
    """An id of one of GameTransaction's (integration, column) indexes, in any integration."""
    return Q(integration_id__in=integration_ids(), **{column: term})


def game_transaction_ids(term: str) -> list[int]:
    return list(GameTransaction.objects.filter(game_transaction_q("external_id", term)).values_list("pk", flat=True))


def _account_either_side(ids: list[int]) -> Q:
    # Two index scans (transfer_debit_time, transfer_credit_time) combined by a BitmapOr.
    return Q(debit_account_id__in=ids) | Q(credit_account_id__in=ids)


@admin.register(Transfer)
class TransferAdmin(ExactIdSearchMixin, QuickListMixin, admin.ModelAdmin):
    # At 1280 px: when, what, how much, between which accounts, and the memo; the rest on the detail page.
    list_display = ["id", "created_at", "kind", "amount_display", "accounts", "memo_short"]
    fields = ["id", "key", "created_at", "kind", "amount_display", "debit_account", "credit_account",
              "game_transaction", "actor", "memo"]
    readonly_fields = fields
    list_filter = ["kind", "currency", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=key", "=debit_account__player__external_id", "=credit_account__player__external_id",
                     "=game_transaction__external_id"]
    exact_search = {
        "ledger key": lambda term: Q(key=term),  # unique index
        "player id": lambda term: _account_either_side(player_account_ids(term)),
        "provider transaction id": lambda term: Q(game_transaction_id__in=game_transaction_ids(term)),
    }
    list_select_related = ["currency", "debit_account__player", "debit_account__integration",
                           "credit_account__player", "credit_account__integration", "actor"]
    ordering = ["-id"]
    # The page's ids first, through the narrowest index (a rare kind: transfer_non_game_kind).
    paginator = IdsFirstPaginator

    @admin.display(description="amount", ordering="amount")
    def amount_display(self, obj):
        return money_html(obj.amount, obj.currency)

    @admin.display(description="from → to")
    def accounts(self, obj):
        return format_html('<span style="white-space:nowrap">{}</span> → <span style="white-space:nowrap">{}</span>',
                           _account_label(obj.debit_account), _account_label(obj.credit_account))

    @admin.display(description="memo / by")
    def memo_short(self, obj):
        memo = obj.memo if len(obj.memo) <= 40 else obj.memo[:39] + "…"
        by = f" ({obj.actor})" if obj.actor_id else ""
        return f"{memo}{by}" or "—"


def _account_label(account: Account) -> str:
    """A short name for a ledger account in a list: the player id or the integration, and the kind."""
    owner = account.player.external_id if account.player_id else (account.integration.code if account.integration_id else "")
    return f"{owner} {account.get_kind_display().lower()}".strip()


class VoidedRoundFilter(admin.SimpleListFilter):
    """Rollbacks that took back paid results with their bet (a voided round; the wallet may be below zero)."""

    title = "voided round"
    parameter_name = "voided_round"

    def lookups(self, request, model_admin):
        return [("yes", "Took back payouts"), ("no", "Took back none")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(action=GameAction.ROLLBACK, payouts_taken_back__gt=0)
        if self.value() == "no":
            return queryset.filter(payouts_taken_back=0)
        return queryset


@admin.register(GameTransaction)
class GameTransactionAdmin(ExactIdSearchMixin, QuickListMixin, admin.ModelAdmin):
    list_display = ["id", "created_at", "integration_code", "what", "player_id_display", "amount_display",
                    "external_id"]
    fields = ["id", "created_at", "integration", "action", "outcome", "external_id", "player", "amount_display",
              "ticket", "reference", "round_id", "game_code", "session_token", "fingerprint", "voided_round"]
    readonly_fields = fields
    list_filter = ["action", "outcome", VoidedRoundFilter, "integration", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=external_id", "=ticket", "=reference", "=player__external_id"]
    exact_search = {
        "transaction id": lambda term: game_transaction_q("external_id", term),  # game_txn_once_per_integration
        "ticket": lambda term: game_transaction_q("ticket", term),  # game_txn_ticket
        "reference": lambda term: game_transaction_q("reference", term),  # game_txn_reference
        "player id": lambda term: Q(player_id__in=player_pks(term)),  # game_txn_player_time
    }
    list_select_related = ["integration", "player", "currency"]
    ordering = ["-id"]

    @admin.display(description="amount", ordering="amount")
    def amount_display(self, obj):
        return money_html(obj.amount, obj.currency)

    @admin.display(description="integration", ordering="integration__code")
    def integration_code(self, obj):
        return obj.integration.code

    @admin.display(description="action", ordering="action")
    def what(self, obj):
        if obj.payouts_taken_back:  # a rollback that voided its round or took back a paid result
            return f"{obj.get_action_display()} (voided round: {obj.payouts_taken_back} payout(s) taken back)"
        if obj.outcome == GameOutcome.APPLIED:
            return obj.get_action_display()
        return f"{obj.get_action_display()} ({obj.get_outcome_display().lower()})"

    @admin.display(description="player", ordering="player__external_id")
    def player_id_display(self, obj):
        return obj.player.external_id

    @admin.display(description="voided round", ordering="payouts_taken_back")
    def voided_round(self, obj):
        """On a rollback that took back paid results with the bet: how many."""
        return f"yes: {obj.payouts_taken_back} taken back" if obj.payouts_taken_back else ""


@admin.register(LimitRefusal)
class LimitRefusalAdmin(QuickListMixin, admin.ModelAdmin):
    list_display = ["created_at", "player", "limit_kind", "amount_display", "used_display", "limit_display"]
    fields = ["created_at", "wallet", "integration", "limit_kind", "limit_display", "used_display", "amount_display",
              "external_id"]
    readonly_fields = fields
    list_filter = ["limit_kind", "integration"]
    search_fields = ["=wallet__player__external_id", "=external_id"]
    list_select_related = ["wallet__player", "wallet__currency", "integration"]

    @admin.display(description="player", ordering="wallet__player__external_id")
    def player(self, obj):
        return obj.wallet.player.external_id if obj.wallet.player_id else "—"

    @admin.display(description="limit")
    def limit_display(self, obj):
        return money_html(obj.limit, obj.wallet.currency)

    @admin.display(description="used today")
    def used_display(self, obj):
        return money_html(obj.used_today, obj.wallet.currency)

    @admin.display(description="refused bet")
    def amount_display(self, obj):
        return money_html(obj.amount, obj.wallet.currency)


@admin.register(SystemAccount)
class SystemAccountAdmin(QuickListMixin, admin.ModelAdmin):
    """Shared accounts with their balances derived from the ledger (never stored, see wallet.models)."""

    list_display = ["id", "kind", "integration", "currency", "derived_balance_display"]
    list_filter = ["kind", "currency", "integration"]
    list_select_related = ["integration", "currency"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(player__isnull=True).order_by("kind", "currency_id", "id")

    def get_changelist_instance(self, request):
        # The page's accounts get their balances in one query (never two SUMs per account over
        # all of its transfers: 5.5 s at 5M transfers, issue 24).
        changelist = super().get_changelist_instance(request)
        balances = selectors.system_account_balances([a.pk for a in changelist.result_list])
        for account in changelist.result_list:
            account.derived_balance = balances[account.pk]
        return changelist

    @admin.display(description="balance (from the ledger)")
    def derived_balance_display(self, obj):
        return money(obj.derived_balance, obj.currency)


@admin.register(AdjustmentRequest)
class AdjustmentRequestAdmin(QuickListMixin, admin.ModelAdmin):
    """Adjustments asked for on wallets; those above the threshold are approved or rejected here
    by a user with the approve permission who did not ask for them."""

    list_display = ["id", "requested_at", "wallet", "amount_display", "status", "requested_by", "reason",
                    "decided_by", "decided_at", "decision_reason", "transfer"]
    list_filter = ["status"]
    search_fields = ["=wallet__player__external_id", "reason"]
    list_select_related = ["wallet__player", "wallet__currency", "requested_by", "decided_by", "transfer"]
    actions = ["approve_requests", "reject_requests"]
    ordering = ["-id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("wallet.approve_adjustmentrequest")

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self.has_approve_permission(request)

    @admin.display(description="amount")
    def amount_display(self, obj):
        return money(obj.amount, obj.wallet.currency)

    def _decide(self, request, queryset, *, approve: bool):
        verb = "Approve" if approve else "Reject"
        form = DecisionForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            decide = services.adjustment_approve if approve else services.adjustment_reject
            for adjustment in queryset.order_by("pk"):
                try:
                    decide(pk=adjustment.pk, actor=request.user, reason=form.cleaned_data["reason"])
                except services.LedgerError as exc:
                    self.message_user(request, f"Adjustment #{adjustment.pk} not {verb.lower()}d: {exc}",
                                      messages.ERROR)
                else:
                    self.message_user(request, self._decided_text(adjustment, approve), messages.SUCCESS)
            return None
        return render(request, "admin/wallet/adjustment_decide.html", {
            **self.admin_site.each_context(request), "title": f"{verb} adjustments", "verb": verb, "form": form,
            # Each pending adjustment with the wallet's balance now and after it would be applied.
            "adjustments": [(a, money(a.amount, a.wallet.currency), money(a.wallet.balance, a.wallet.currency),
                             money(a.wallet.balance + a.amount, a.wallet.currency))
                            for a in queryset.select_related("wallet__player", "wallet__currency", "requested_by")],
            "opts": self.model._meta, "action": request.POST.get("action"),
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        })

    @staticmethod
    def _decided_text(adjustment, approve: bool) -> str:
        if not approve:
            return f"Adjustment #{adjustment.pk} rejected."
        wallet = Account.objects.select_related("currency").get(pk=adjustment.wallet_id)
        return f"Adjustment #{adjustment.pk} approved: {wallet} new balance {money(wallet.balance, wallet.currency)}."

    @admin.action(description="Approve selected adjustments (moves the money; asks for a reason)",
                  permissions=["approve"])
    def approve_requests(self, request, queryset):
        return self._decide(request, queryset.filter(status=AdjustmentStatus.PENDING), approve=True)

    @admin.action(description="Reject selected adjustments (moves nothing; asks for a reason)", permissions=["approve"])
    def reject_requests(self, request, queryset):
        return self._decide(request, queryset.filter(status=AdjustmentStatus.PENDING), approve=False)
