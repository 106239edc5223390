"""Admin of the transfer wallet: orders with their attempts and the provider's answers, staff retry and
resolve (through transfers.services, recorded with the acting user and a reason), and the
differences reconciliation found. Amounts are shown in currency units."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from wallet.admin import money, player_pks
from wallet.admin_paging import ExactIdSearchMixin, QuickListMixin

from . import services
from .models import (
    OrderState,
    ProviderWallet,
    ReconciliationDifference,
    ReconciliationRun,
    TransferEvent,
    TransferOrder,
)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=255, widget=forms.TextInput(attrs={"size": 60}))


class ResolveForm(ReasonForm):
    outcome = forms.ChoiceField(choices=[
        (services.RESOLVE_AS_RECORDS, "As the provider's records say (safe)"),
        (OrderState.CONFIRMED, "Confirmed: the provider has the money (checked with the provider)"),
        (OrderState.FAILED, "Failed: the provider never applied it (checked with the provider)"),
    ])


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TransferEventInline(admin.TabularInline):
    model = TransferEvent
    fields = ["created_at", "kind", "from_state", "to_state", "classification", "status", "http_status", "request",
              "answer", "note", "actor"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TransferOrder)
class TransferOrderAdmin(ExactIdSearchMixin, QuickListMixin, admin.ModelAdmin):
    list_display = ["id", "created_at", "integration", "player", "direction", "amount_display", "currency", "state",
                    "attempts", "checks", "last_status", "provider_balance_display", "transfer_id"]
    list_filter = ["state", "direction", "integration", "currency", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=transfer_id", "=player__external_id"]
    exact_search = {
        "transfer_id": lambda term: Q(transfer_id=term),  # unique index
        "player id": lambda term: Q(player_id__in=player_pks(term)),  # the player foreign key's index
    }
    list_select_related = ["integration", "player", "currency"]
    ordering = ["-id"]
    fields = ["transfer_id", "integration", "player", "currency", "direction", "amount_display", "state", "attempts",
              "checks", "last_status", "last_error", "last_answer", "provider_balance_display", "provider_holds",
              "attention_since", "decision_outcome", "decision_reason", "decision_by", "decision_at", "last_sent_at",
              "next_check_at", "actor", "reason", "created_at", "updated_at", "finished_at"]
    readonly_fields = fields
    inlines = [TransferEventInline]
    actions = ["retry_orders", "resolve_orders"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Every field is read-only; "change" is what the retry and resolve actions require.
        return admin.ModelAdmin.has_change_permission(self, request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="amount")
    def amount_display(self, obj):
        return money(obj.amount, obj.currency)

    @admin.display(description="provider balance after")
    def provider_balance_display(self, obj):
        return money(obj.provider_balance, obj.currency)

    def _staff_action(self, request, queryset, *, form_class, verb, explanation, apply):
        if "apply" in request.POST:
            form = form_class(request.POST)
            if form.is_valid():
                done = 0
                for order in queryset.select_related("integration", "player", "currency"):
                    try:
                        result = apply(order, form.cleaned_data)
                    except services.TransferError as exc:
                        self.message_user(request, f"{order.transfer_id}: {exc}", messages.ERROR)
                        continue
                    done += 1
                    if result.is_open and result.decision_outcome:
                        self.message_user(request, f"{order.transfer_id}: {result.decision_outcome} asked by "
                                                   f"{result.decision_by}; above the approval threshold it waits for "
                                                   f"a second user to resolve it the same way.", messages.WARNING)
                    else:
                        self.message_user(request, f"{order.transfer_id}: now {result.state}.", messages.INFO)
                if done:
                    self.message_user(request, f"{verb}: {done} order(s).", messages.SUCCESS)
                return None
        else:
            form = form_class()
        return render(request, "admin/transfers/order_action.html", {
            **self.admin_site.each_context(request), "title": f"{verb} transfer orders", "orders": queryset,
            "form": form, "verb": verb, "explanation": explanation, "action": request.POST.get("action"),
            "opts": self.model._meta, "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        })

    @admin.action(description="Retry selected orders (records first, same transfer_id; asks for a reason)",
                  permissions=["change"])
    def retry_orders(self, request, queryset):
        return self._staff_action(
            request, queryset, form_class=ReasonForm, verb="Retry",
            explanation="Open orders are pushed on now: the provider's records are asked first, and an order they do not show "
                        "is sent again under its own transfer_id.",
            apply=lambda order, data: services.order_retry(order, actor=request.user, reason=data["reason"]))

    @admin.action(description="Resolve selected orders (asks for an outcome and a reason)", permissions=["change"])
    def resolve_orders(self, request, queryset):
        return self._staff_action(
            request, queryset, form_class=ResolveForm, verb="Resolve",
            explanation="Close open orders. 'As the provider's records say' is always safe; choose confirmed or failed only "
                        "after checking with the provider: the money moves as if the provider had answered so. Above the adjustment "
                        "approval threshold a second user must resolve it the same way before anything moves.",
            apply=lambda order, data: services.order_resolve(order, actor=request.user, reason=data["reason"],
                                                             outcome=data["outcome"]))


@admin.register(ProviderWallet)
class ProviderWalletAdmin(ReadOnlyAdmin):
    list_display = ["integration", "player", "currency", "balance_display", "balance_at", "created_at"]
    list_filter = ["integration", "currency"]
    search_fields = ["=player__external_id"]
    list_select_related = ["integration", "player", "currency"]

    @admin.display(description="last known provider balance")
    def balance_display(self, obj):
        return money(obj.balance, obj.currency)


class CloseForm(forms.Form):
    note = forms.CharField(max_length=255, widget=forms.TextInput(attrs={"size": 60}))


@admin.register(ReconciliationDifference)
class ReconciliationDifferenceAdmin(ReadOnlyAdmin):
    list_display = ["transfer_id", "integration", "kind", "ours", "theirs", "order", "detected_at", "last_seen_at",
                    "is_open", "resolved_by", "note"]
    list_filter = ["kind", "integration", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["=transfer_id"]
    list_select_related = ["integration", "order", "resolved_by"]
    actions = ["close_differences"]

    def has_change_permission(self, request, obj=None):  # needed for the close action only
        return request.user.has_perm("transfers.change_reconciliationdifference")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.display(boolean=True, description="open")
    def is_open(self, obj):
        return obj.resolved_at is None

    @admin.action(description="Close selected differences as handled (asks for a note)", permissions=["change"])
    def close_differences(self, request, queryset):
        if "apply" in request.POST:
            form = CloseForm(request.POST)
            if form.is_valid():
                closed = queryset.filter(resolved_at__isnull=True).update(
                    resolved_at=timezone.now(), resolved_by=request.user, note=form.cleaned_data["note"])
                self.message_user(request, f"Closed {closed} difference(s).", messages.SUCCESS)
                return None
        else:
            form = CloseForm()
        return render(request, "admin/transfers/order_action.html", {
            **self.admin_site.each_context(request), "title": "Close differences", "orders": queryset, "form": form,
            "verb": "Close", "explanation": "Mark these differences handled.", "action": request.POST.get("action"),
            "opts": self.model._meta, "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        })


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "integration", "since", "until", "checked", "differences", "resolved", "error",
                    "finished_at"]
    list_filter = ["integration"]
