"""The admin base every app's audited models use: a reason on every staff edit, kept in the
object's history (the audit list across models is audit.admin's)."""

from __future__ import annotations

from django import forms
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

REASON_FIELD = "change_reason"


class AuditedAdmin(SimpleHistoryAdmin):
    """Every change made through this admin asks for a reason, kept with who, when, old and new
    values in the object's history (django-simple-history).

    `history_context_helper` renders a history page's changes (an app with fields that need their
    own rendering, such as money, sets its own)."""

    history_context_helper = HistoricalRecordContextHelper

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
        return self.history_context_helper(self.model, historical_record)
