"""Admin for the status-code catalogue and the status-code history of every call."""

import datetime as dt

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html

from core.admin import AuditedAdmin
from core.registry import success_codes
from lobby.masking import CredentialsMaskedAdmin, body_shown, viewer
from wallet.admin_paging import ExactIdSearchMixin, QuickListMixin

from .models import CallLog, KeptCall, StatusCode


@admin.register(StatusCode)
class StatusCodeAdmin(AuditedAdmin):
    """Reference data from the providers' documents (loaded by a migration): viewable, never edited
    here, by anyone; a change of a provider's document is a migration."""

    list_display = ["provider", "code", "is_success", "description"]
    list_filter = ["provider", "is_success"]
    search_fields = ["code", "description"]
    fields = list_display  # shown read-only (no change permission for anyone)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


FUTURE_SLACK = dt.timedelta(days=1)


class RecentFilter(admin.SimpleListFilter):
    """Time windows that keep the query on the (…, created_at) indexes and, on PostgreSQL, on the
    day partitions they cover (the partition key: planning over a week's partitions, not 90 days').

    With `default` set (the call history's list: DEFAULT_WINDOW), a page without a window shows that
    window; "All days" is a choice of its own, and a date chosen in the created_at filter replaces
    the default window."""

    title = "when"
    parameter_name = "since"
    ALL = "all"
    WINDOWS = {"15m": dt.timedelta(minutes=15), "1h": dt.timedelta(hours=1), "24h": dt.timedelta(days=1),
               "7d": dt.timedelta(days=7), "30d": dt.timedelta(days=30)}
    default: str | None = None
    date_parameter_prefix = "created_at__"

    def __init__(self, request, params, model, model_admin):
        self._dated = any(key.startswith(self.date_parameter_prefix) for key in request.GET)
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [(key, f"Last {key}") for key in self.WINDOWS]

    def value(self):
        chosen = super().value()
        if chosen or self._dated:
            return chosen
        return self.default

    def window(self) -> dt.timedelta | None:
        return self.WINDOWS.get(self.value() or "")

    def choices(self, changelist):
        if self.default is None:
            yield from super().choices(changelist)
            return
        yield {"selected": self.value() == self.ALL,
               "query_string": changelist.get_query_string({self.parameter_name: self.ALL}),
               "display": "All days"}
        for key, title in self.lookup_choices:
            yield {"selected": self.value() == key,
                   "query_string": changelist.get_query_string({self.parameter_name: key}),
                   "display": f"{title} (default)" if key == self.default else title}

    def queryset(self, request, queryset):
        window = self.window()
        if not window:
            return queryset
        # Bounded above too (calls are written at our clock's now; a day's slack for skew): the
        # partitions made ahead of time are then not planned either.
        now = timezone.now()
        return queryset.filter(created_at__gte=now - window, created_at__lt=now + FUTURE_SLACK)


class CallHistoryWindow(RecentFilter):
    """The call history's list and searches cover the last week unless staff choose otherwise."""

    default = "7d"


class OutcomeFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [("ok", "Success"), ("error", "Errors")]

    def queryset(self, request, queryset):
        if self.value() == "ok":
            return queryset.filter(status_code__in=success_codes())
        if self.value() == "error":
            return queryset.exclude(status_code__in=success_codes())
        return queryset


class StatusFilter(admin.SimpleListFilter):
    """Choices from the status-code catalogue, not a DISTINCT over millions of history rows."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(c, c) for c in StatusCode.objects.order_by("code").values_list("code", flat=True).distinct()]

    def queryset(self, request, queryset):
        return queryset.filter(status_code=self.value()) if self.value() else queryset


class EndpointFilter(admin.SimpleListFilter):
    """Endpoints called in the last week, from the report aggregates (a few hundred rows a day)
    rather than a DISTINCT over a week of the call history."""

    title = "endpoint"
    parameter_name = "endpoint"

    def lookups(self, request, model_admin):
        since = (timezone.now() - dt.timedelta(days=7)).date()
        try:
            stats = apps.get_model("reports", "DailyCallStat")
        except LookupError:  # a version without the reports app
            return []
        seen = stats.objects.filter(day__gte=since).order_by().values_list("endpoint", flat=True).distinct()
        return [(e, e) for e in sorted(seen)]

    def queryset(self, request, queryset):
        return queryset.filter(endpoint=self.value()) if self.value() else queryset


def _bodies_masked(model) -> list[str]:
    """The model's fields for a read-only detail page, its bodies swapped for the masked ones."""
    return [{"request_body": "request_body_shown", "response_body": "response_body_shown"}.get(f.name, f.name)
            for f in model._meta.fields]


class CallBodiesMaskedAdmin(CredentialsMaskedAdmin):
    """A call's bodies as the viewer may see them: live launch credentials masked by the
    provider's rule (lobby.masking), e.g. Oppi's gameUrl in the answer of our game/url call, or
    1G's l_token in a bet's body."""

    @admin.display(description="request body")
    def request_body_shown(self, obj):
        return body_shown(obj.provider, obj.request_body, viewer())

    @admin.display(description="response body")
    def response_body_shown(self, obj):
        return body_shown(obj.provider, obj.response_body, viewer())


DAY_PARAMETER = "day"


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class CallHistoryChangeList(ChangeList):
    """Each row's link names the row's UTC day, so that its detail page reads one partition."""

    def url_for_result(self, result):
        url = super().url_for_result(result)
        day = result.created_at.astimezone(dt.UTC).date().isoformat()
        return f"{url}?{DAY_PARAMETER}={day}"


@admin.register(CallLog)
class CallLogAdmin(CallBodiesMaskedAdmin, ExactIdSearchMixin, QuickListMixin, admin.ModelAdmin):
    # At 1280 px: when, who, which call, its answer, how long, which player; the transaction id and
    # bodies are on the detail page (and the id is searchable).
    list_display = ["created_at", "integration_code", "call", "status_badge", "duration", "player_external_id"]
    list_filter = [CallHistoryWindow, OutcomeFilter, "provider", "integration", "direction", EndpointFilter, StatusFilter,
                   "session_unknown", "unauthenticated", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=txn_id", "=player_external_id", "=request_id"]
    # Each on its own partial index (calllog_txn, calllog_player_time, calllog_request).
    exact_search = {
        "transaction id": lambda term: Q(txn_id=term),
        "player id": lambda term: Q(player_external_id=term),
        "request id": lambda term: Q(request_id=term),
    }
    list_select_related = ["integration"]
    fields = readonly_fields = _bodies_masked(CallLog)

    def get_changelist(self, request, **kwargs):
        return CallHistoryChangeList

    def changelist_view(self, request, extra_context=None):
        searched_window = CallHistoryWindow.WINDOWS.get(CallHistoryWindow.default or "")
        windowless = not any(key == CallHistoryWindow.parameter_name or key.startswith("created_at__")
                             for key in request.GET)
        if request.GET.get("q") and windowless and searched_window:
            everything = request.GET.copy()
            everything[CallHistoryWindow.parameter_name] = CallHistoryWindow.ALL
            messages.info(request, format_html(
                'Searched the last {} only. <a href="?{}">Search all days</a> (slower: every day\'s partition).',
                CallHistoryWindow.default, everything.urlencode()))
        return super().changelist_view(request, extra_context)

    def get_object(self, request, object_id, from_field=None):
        """With `day` (the list's links carry it), the row is read from that day's partition alone."""
        day = _day(request.GET.get(DAY_PARAMETER))
        if day is None or from_field is not None:
            return super().get_object(request, object_id, from_field)
        start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
        queryset = self.get_queryset(request).filter(created_at__gte=start, created_at__lt=start + dt.timedelta(days=1))
        try:
            return queryset.get(pk=self.model._meta.pk.to_python(object_id))
        except (self.model.DoesNotExist, ValidationError, ValueError):
            return super().get_object(request, object_id, from_field)  # a wrong day: look everywhere

    @admin.display(description="integration", ordering="integration__code")
    def integration_code(self, obj):
        return obj.integration.code if obj.integration else "—"

    @admin.display(description="call", ordering="endpoint")
    def call(self, obj):
        return f"{'in' if obj.direction == 'in' else 'out'} · {obj.endpoint}"

    @admin.display(description="ms", ordering="duration_ms")
    def duration(self, obj):
        return obj.duration_ms

    @admin.display(description="status", ordering="status_code")
    def status_badge(self, obj):
        ok = obj.status_code in success_codes()
        colour = "#1a7f37" if ok else "#b42318"
        # inline-block + nowrap: a long code (RS_ERROR_INVALID_SIGNATURE) stays inside its badge.
        return format_html('<span style="display:inline-block;white-space:nowrap;color:#fff;background:{};'
                           'padding:1px 8px;border-radius:8px;line-height:1.5">{}</span>', colour, obj.status_code)


@admin.register(KeptCall)
class KeptCallAdmin(CallBodiesMaskedAdmin, QuickListMixin, admin.ModelAdmin):
    """Money calls kept after their day left the call history (retention): read-only, for good."""

    list_display = ["created_at", "provider", "endpoint", "status_code", "txn_id", "player_external_id", "kept_at"]
    list_filter = ["provider", "integration", "direction"]
    search_fields = ["=txn_id", "=player_external_id"]
    fields = readonly_fields = _bodies_masked(KeptCall)
