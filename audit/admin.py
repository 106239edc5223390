"""The audit trail in the admin: a reason on every staff edit, each object's history page, one
searchable audit list across every audited model, and the ledger check / reconciliation runs."""

from __future__ import annotations

import contextlib
import heapq
import itertools

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from wallet.money import quantize_for

from . import checks
from .models import CheckKind, CheckRun

REASON_FIELD = "change_reason"
# Account fields kept in ledger units, shown in currency units on history pages.
MONEY_FIELDS = {"daily_bet_limit", "daily_loss_limit"}


class MoneyAwareContextHelper(HistoricalRecordContextHelper):
    """History pages show limits in currency units with the currency's digits, never ledger units."""

    def prepare_delta_change_value(self, change, value):
        if change.field in MONEY_FIELDS and isinstance(value, int):
            currency = getattr(self.record, "currency", None)
            digits = currency.digits if currency is not None else 5
            return f"{quantize_for(value, digits):,} {getattr(currency, 'code', '')}".strip()
        return super().prepare_delta_change_value(change, value)


class AuditedAdmin(SimpleHistoryAdmin):
    """Every change made through this admin asks for a reason, kept with who, when, old and new
    values in the object's history (django-simple-history)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        if "fields" not in kwargs:
            from django.contrib.admin.utils import flatten_fieldsets

            kwargs["fields"] = [f for f in flatten_fieldsets(self.get_fieldsets(request, obj)) if f != REASON_FIELD]
        elif kwargs["fields"] is not None:  # None: every field (a view-only user's page of a model without fields)
            kwargs["fields"] = [f for f in kwargs["fields"] if f != REASON_FIELD]
        form = super().get_form(request, obj, change=change, **kwargs)
        if not self.has_change_permission(request, obj) and obj is not None:
            return form
        return type(form.__name__, (form,), {
            REASON_FIELD: forms.CharField(
                label="Reason for this change", max_length=100, required=True,
                help_text="Kept in the audit trail with your name and the old and new values.",
                widget=forms.TextInput(attrs={"size": 60})),
        })

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.has_change_permission(request, obj) and obj is not None:
            return fieldsets
        already = {name for _, options in fieldsets for name in options.get("fields", ())}
        if REASON_FIELD in already:
            return fieldsets
        return [*fieldsets, ("Audit", {"fields": [REASON_FIELD]})]

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get(REASON_FIELD) if form is not None else ""
        obj._change_reason = (reason or "edited in the list").strip()
        super().save_model(request, obj, form, change)

    def construct_change_message(self, request, form, formsets, add=False):
        """Django's own 'Recent actions' entry names the fields and carries the reason."""
        message = super().construct_change_message(request, form, formsets, add)
        reason = form.cleaned_data.get(REASON_FIELD) if hasattr(form, "cleaned_data") else ""
        if reason and isinstance(message, list):
            message.append({"changed": {"fields": [f"reason: {reason}"]}})
        return message

    def get_historical_record_context_helper(self, request, historical_record):
        return MoneyAwareContextHelper(self.model, historical_record)


# --- the audit list ------------------------------------------------------------------------


def audited_models():
    """Each audited model with its historical model, in a stable order."""
    from simple_history.models import registered_models

    return sorted(((model, model.history.model) for model in registered_models.values()
                   if hasattr(model, "history")), key=lambda pair: pair[0]._meta.label)


class AuditFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search",
                        widget=forms.TextInput(attrs={"placeholder": "object id, user or reason", "size": 30}))
    model = forms.ChoiceField(required=False)
    user = forms.CharField(required=False, label="Staff user")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "every kind")] + [
            (model._meta.label_lower, model._meta.verbose_name_plural.capitalize()) for model, _ in audited_models()]


def _matching(history_model, data) -> QuerySet:  # noqa: F821
    records = history_model.objects.select_related("history_user").order_by("-history_date", "-history_id")
    if data.get("q"):
        text = data["q"].strip()
        condition = Q(history_change_reason__icontains=text) | Q(history_user__username__iexact=text)
        pk_field = history_model.instance_type._meta.pk
        with contextlib.suppress(Exception):  # not a valid key of this model: search the other columns
            condition |= Q(**{pk_field.attname: pk_field.to_python(text)})
        for name in ("external_id", "code", "game_id", "username", "name"):
            if any(f.name == name for f in history_model._meta.fields):
                condition |= Q(**{f"{name}__istartswith": text})
        records = records.filter(condition)
    if data.get("user"):
        records = records.filter(history_user__username__iexact=data["user"].strip())
    if data.get("since"):
        records = records.filter(history_date__date__gte=data["since"])
    if data.get("until"):
        records = records.filter(history_date__date__lte=data["until"])
    return records


def _object_url(model, pk) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[pk])
    except NoReverseMatch:
        return None


def audit_log_view(request):
    """One list of every audited change, newest first, searchable and filtered."""
    if not request.user.has_perm("audit.view_checkrun"):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page_size = 50
    number = max(1, int(request.GET.get("page", "1")) if request.GET.get("page", "1").isdigit() else 1)
    wanted = page_size * number + 1
    streams = []
    for model, history_model in audited_models():
        if data.get("model") and data["model"] != model._meta.label_lower:
            continue
        records = _matching(history_model, data)[:wanted]
        streams.append([(r.history_date, r.history_id, model._meta.label, r, model) for r in records])
    merged = list(itertools.islice(heapq.merge(*streams, key=lambda row: (row[0], row[1]), reverse=True), wanted))
    rows = []
    for _, _, _, record, model in merged[page_size * (number - 1): page_size * number]:
        previous = record.prev_record
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            helper = MoneyAwareContextHelper(model, record)
            changes = helper.context_for_delta_changes(delta)
        rows.append({"record": record, "model": model, "changes": changes,
                     "url": _object_url(model, record.instance.pk if hasattr(record, "instance") else None)})
    context = {
        **admin.site.each_context(request), "title": "Audit trail", "form": form, "rows": rows,
        "page": number, "has_next": len(merged) > page_size * number, "has_previous": number > 1,
        "query": request.GET.copy(),
    }
    return render(request, "admin/audit/audit_log.html", context)


# --- check runs -----------------------------------------------------------------------------


class ReconcileForm(forms.Form):
    integration = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, **kwargs):
        from lobby.models import Integration, WalletMode

        super().__init__(*args, **kwargs)
        self.fields["integration"].queryset = Integration.objects.filter(mode=WalletMode.TRANSFER)


@admin.register(CheckRun)
class CheckRunAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "integration", "ok", "started_by", "started_at", "finished_at", "summary"]
    list_filter = ["kind", "ok"]
    readonly_fields = ["kind", "integration", "ok", "started_by", "started_at", "finished_at", "figures", "details"]
    change_list_template = "admin/audit/checkrun_change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="result")
    def summary(self, obj):
        return checks.summary(obj)

    def get_urls(self):
        return [
            path("run/", self.admin_site.admin_view(self.run_view), name="audit_checkrun_run"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"can_run": request.user.has_perm("audit.run_checks"), "reconcile_form": ReconcileForm(),
                 "reconcile_available": checks.reconcile_available()}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def run_view(self, request):
        """POST only: run a check now, keep its result, show it."""
        if request.method != "POST" or not request.user.has_perm("audit.run_checks"):
            raise PermissionDenied
        kind = request.POST.get("kind")
        if kind == CheckKind.LEDGER:
            run = checks.ledger_check_run(actor=request.user)
        elif kind == CheckKind.RECONCILE:
            form = ReconcileForm(request.POST)
            if not form.is_valid():
                self.message_user(request, "Choose a transfer-mode integration to reconcile.", messages.ERROR)
                return redirect("admin:audit_checkrun_changelist")
            run = checks.reconcile_run(integration=form.cleaned_data["integration"], actor=request.user)
        else:
            raise PermissionDenied
        level = messages.SUCCESS if run.ok else messages.WARNING
        self.message_user(request, f"{run}: {checks.summary(run)}", level)
        return redirect("admin:audit_checkrun_change", run.pk)


