"""The filters every report page shares: date range, integration, currency, game."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.utils import timezone

from lobby.models import Integration
from wallet.models import Currency

DEFAULT_DAYS = 30  # settings.REPORTS_DEFAULT_DAYS overrides it
MAX_DAYS = 731


def default_days() -> int:
    return max(1, int(getattr(settings, "REPORTS_DEFAULT_DAYS", DEFAULT_DAYS)))


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The period the dashboard and every report open on: the last N UTC days, today included."""
    return today - dt.timedelta(days=default_days() - 1), today


def period_name(date_from: dt.date, date_to: dt.date, today: dt.date) -> str:
    """The period's name in words when it has one ("Last 30 days", "Today", ...), else ""."""
    if (date_from, date_to) == default_period(today):
        return f"Last {default_days()} days" if default_days() > 1 else "Today"
    yesterday = today - dt.timedelta(days=1)
    if date_from == date_to == today:
        return "Today"
    if date_from == date_to == yesterday:
        return "Yesterday"
    if date_from == today.replace(day=1) and date_to == today:
        return "This month"
    return ""


@dataclass(frozen=True)
class ReportFilters:
    date_from: dt.date
    date_to: dt.date  # inclusive
    integration_id: int | None = None
    currency: str | None = None
    game_code: str | None = None

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.date_from, dt.time.min, tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """Exclusive end: midnight after date_to."""
        return dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


class FilterForm(forms.Form):
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    integration = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    currency = forms.ChoiceField(required=False)
    game = forms.CharField(required=False, max_length=64, label="Game id")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Plain choices from one small query each (a model choice field would iterate a cursor).
        self.fields["integration"].choices = [("", "All"), *Integration.objects.order_by("code")
                                              .values_list("pk", "code")]
        self.fields["currency"].choices = [("", "All"), *((c, c) for c in Currency.objects.order_by("code")
                                                          .values_list("code", flat=True))]

    def filters(self, *, today: dt.date | None = None) -> ReportFilters:
        """The chosen filters; anything invalid falls back to its default (never an error page)."""
        today = today or timezone.now().date()
        data = self.cleaned_data if self.is_valid() else {}
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or default_period(date_to)[0]
        if date_from > date_to:
            date_from, date_to = date_to, date_from
        date_from = max(date_from, date_to - dt.timedelta(days=MAX_DAYS))
        return ReportFilters(
            date_from=date_from, date_to=date_to, integration_id=data.get("integration") or None,
            currency=data.get("currency") or None, game_code=(data.get("game") or "").strip() or None,
        )


def filters_from_request(request, *, today: dt.date | None = None) -> tuple[FilterForm, ReportFilters]:
    form = FilterForm(request.GET or None)
    chosen = form.filters(today=today)
    if not form.is_bound or not form.is_valid():
        form = FilterForm(initial={"date_from": chosen.date_from, "date_to": chosen.date_to})
    return form, chosen
