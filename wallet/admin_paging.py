"""Admin paging and searching that stay quick on tables of millions of rows (ledger, call history).

Counts. Django's changelist counts every matching row twice (filtered and total). Here the total
is never shown (show_full_result_count = False) and the filtered count is bounded: on PostgreSQL
the planner's estimate of the filtered query is read first (EXPLAIN, no rows touched); above
CAP that estimate is the count ("about N"). Below it the exact count runs, stopped at CAP + 1
rows and under COUNT_TIMEOUT_MS: a filter no index serves is not counted through the whole
table, the estimate stands in instead.

Searches. Django turns "=field" search fields into UPPER(col) = UPPER(term), ORed across joins:
no index serves that. Admins of the big tables name their exact-id searches instead
(`exact_search`, see ExactIdSearchMixin): each is a case-sensitive `=` on an indexed column
(ids are case-sensitive on the wire, so an upper-case match would also be wrong).
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import OperationalError, connections, transaction
from django.db.models import Q
from django.utils.functional import cached_property

from core.staff_db import is_query_canceled

CAP = 10_000
COUNT_TIMEOUT_MS = 150  # the exact count's budget; past it the planner's estimate is shown


def planner_estimate(queryset) -> int:
    """The planner's row estimate for a queryset (EXPLAIN without ANALYZE: nothing is read)."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def capped_count(queryset, *, cap: int | None = None, timeout_ms: int | None = None) -> int | None:
    """COUNT of at most cap + 1 rows within timeout_ms; None when the time ran out."""
    cap = CAP if cap is None else cap
    timeout_ms = COUNT_TIMEOUT_MS if timeout_ms is None else timeout_ms
    connection = connections[queryset.db]
    limited = queryset.order_by()[: cap + 1]
    if connection.vendor != "postgresql":
        return limited.count()
    try:
        with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('statement_timeout'), set_config('statement_timeout', %s, true)",
                           [f"{int(timeout_ms)}ms"])
            previous = cursor.fetchone()[0]
            count = limited.count()
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
            return count
    except OperationalError as exc:
        if is_query_canceled(exc):
            return None
        raise


class CappedCountPaginator(Paginator):
    estimated = False  # True when the count shown is the planner's estimate

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return len(queryset)
        if connections[queryset.db].vendor != "postgresql":
            return queryset.order_by()[: CAP + 1].count()
        estimate = planner_estimate(queryset)
        if estimate > CAP:
            self.estimated = True
            return estimate
        exact = capped_count(queryset)
        if exact is None:
            self.estimated = True
            return max(estimate, 1)
        return exact


class IdsFirstPaginator(CappedCountPaginator):
    """Pages in two statements: the page's ids alone (no joins, only the id column: PostgreSQL
    answers it from one index, e.g. `transfer_non_game_kind` (kind, id) for a rare ledger kind),
    then those rows with their joins by primary key.

    In one statement, `WHERE kind = 'deposit' ORDER BY id DESC LIMIT 50` with the list's joins is
    planned as a walk of the primary key backwards: the planner assumes the rare rows are spread
    evenly over the ids, and deposits are not (a loaded ledger's deposits sit before its rounds: at
    10M rows the walk read the whole table). The id-only statement is an index-only scan of the
    partial index, cheaper than the walk at any spread, so the planner picks it whatever the
    statistics say. Not for the call history: its rows are found by id only with the partition key."""

    def page(self, number):
        queryset = self.object_list
        if not hasattr(queryset, "values_list"):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        return self._get_page(queryset.filter(pk__in=ids), number, self)


class QuickListMixin:
    """Read-only, no full counts, capped paging: for append-only tables."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    # "Show counts" beside each filter would count the whole table once per choice.
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ExactIdSearchMixin:
    """The search box matches ids exactly (case-sensitive `=` on indexed columns).

    `exact_search` maps a label to a function of the typed term giving a Q; a row matches a term
    when any of them matches, and every whitespace-separated term must match. The labels are
    what the search box's help lists. Each Q must be served by an index (tests/wallet/test_admin_scale.py
    checks the plans)."""

    exact_search: dict = {}

    @property
    def search_help_text(self):
        if not self.exact_search:
            return None
        return "Exact, case-sensitive: " + ", ".join(self.exact_search) + "."

    def get_search_results(self, request, queryset, search_term):
        if not self.exact_search:
            return super().get_search_results(request, queryset, search_term)
        for term in search_term.split():
            condition = Q(pk__in=[])
            for build in self.exact_search.values():
                condition |= build(term)
            queryset = queryset.filter(condition)
        return queryset, False
