"""Staff pages at size (issue 24, point 1): exact-id searches are case-sensitive `=` on indexed
columns, counts never scan past a bound, the player page reads each account through its own
index, and system-account balances come from the daily sums plus the rows not counted yet.

Plans are checked with sequential scans switched off: a condition an index can serve then plans
an index scan, one it cannot (UPPER(col) = UPPER(…), an OR across a join) still needs a
"Seq Scan" on the big table, whatever the table's size."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from providers.models import CallLog
from reports import aggregation
from reports.models import PendingSourceId
from reports.selectors import system_account_balances
from tests.conftest import funded_wallet
from tests.factories import OneGamingIntegrationFactory, PlayerFactory
from transfers.models import TransferOrder
from wallet import admin_paging, services
from wallet.models import Account, AccountKind, GameAction, GameTransaction, Transfer, TransferKind
from wallet.selectors import player_overview

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
BIG_TABLES = ("wallet_transfer", "wallet_gametransaction", "providers_calllog", "transfers_transferorder")


def search_queryset(model, term: str):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/", {"q": term})
    queryset, duplicates = model_admin.get_search_results(request, model_admin.get_queryset(request), term)
    assert duplicates is False
    return queryset


def plan(queryset) -> str:
    """EXPLAIN without ordering and with sequential scans off: PostgreSQL then reads the table
    through an index only if one serves the condition (else "Seq Scan", at a prohibitive cost)."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        text = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return text


@pytest.fixture
def ledger(db):
    integration = OneGamingIntegrationFactory()
    player = PlayerFactory(external_id="Abc-123")
    wallet = funded_wallet(player, "USD", "10.00")
    game_account = Account.objects.get(pk=services.system_account_id(kind=AccountKind.GAME, currency="USD",
                                                                      integration_id=integration.pk))
    txn = GameTransaction.objects.create(integration=integration, external_id="Tx-9", action=GameAction.BET,
                                         player=player, currency_id="USD", amount=100, ticket="Tk-1",
                                         reference="Ref-1", fingerprint="f", created_at=timezone.now())
    services.transfer_post(key="bet:Tx-9", kind=TransferKind.BET, debit=wallet, credit=game_account, amount=100,
                           game_transaction=txn, now=timezone.now())
    CallLog.objects.create(created_at=timezone.now(), provider="onegaming", integration=integration, endpoint="bet",
                           player_external_id="Abc-123", txn_id="Tx-9", request_id="Req-7", status_code="OK")
    return {"player": player, "wallet": wallet, "integration": integration, "txn": txn, "game": game_account}


SEARCHES = [
    (Transfer, ["Abc-123", "test-deposit:1:USD", "Tx-9"]),
    (GameTransaction, ["Tx-9", "Tk-1", "Ref-1", "Abc-123"]),
    (CallLog, ["Tx-9", "Abc-123", "Req-7"]),
    (TransferOrder, ["T-1", "Abc-123"]),
]


@pytest.mark.parametrize(("model", "terms"), SEARCHES, ids=[m.__name__ for m, _ in SEARCHES])
def test_exact_id_searches_are_raw_equalities_served_by_an_index(ledger, model, terms):
    for term in terms:
        queryset = search_queryset(model, term)
        sql = str(queryset.query)
        assert "UPPER" not in sql and "LIKE" not in sql, sql
        text = plan(queryset)
        for table in BIG_TABLES:
            assert f"Seq Scan on {table}" not in text, f"{model.__name__} search {term!r}:\n{text}"


def test_searches_are_case_sensitive(ledger):
    assert search_queryset(CallLog, "Tx-9").count() == 1
    assert search_queryset(CallLog, "TX-9").count() == 0  # ids are case-sensitive on the wire
    assert search_queryset(GameTransaction, "Tx-9").count() == 1
    assert search_queryset(GameTransaction, "tx-9").count() == 0
    assert search_queryset(Transfer, "abc-123").count() == 0
    assert search_queryset(Transfer, "Abc-123").count() >= 1  # the player's deposit (and bet)


def test_django_default_search_would_have_used_upper(ledger):
    """The control: Django's own "=field" search is what the issue measured (UPPER, no index)."""
    model_admin = admin.site._registry[CallLog]
    request = RequestFactory().get("/")
    queryset, _ = admin.ModelAdmin.get_search_results(model_admin, request, CallLog.objects.all(), "Tx-9")
    assert "UPPER" in str(queryset.query)
    assert "Seq Scan on providers_calllog" in plan(queryset)


def test_the_search_box_says_which_ids_it_matches(admin_client, ledger):
    html = admin_client.get(reverse("admin:providers_calllog_changelist"), {"q": "Tx-9"}).content.decode()
    assert "Exact, case-sensitive: transaction id, player id, request id." in html
    assert "1 result" in html


# --- counts -------------------------------------------------------------------------------------


def _calls(n: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO providers_calllog (created_at, provider, direction, endpoint, player_external_id, "
                       "txn_id, request_id, status_code, http_status, duration_ms, session_unknown, request_body, "
                       "response_body) SELECT now(), 'oppi', 'in', 'balance', 'P' || (g %% 50), '', 'r' || g, "
                       "CASE WHEN g %% 100 = 0 THEN 'RS_ERROR' ELSE 'RS_OK' END, 200, 1, false, '', '' "
                       "FROM generate_series(1, %s) g", [n])
        cursor.execute("ANALYZE providers_calllog")


def test_a_count_above_the_cap_is_the_planners_estimate_and_runs_no_count(db):
    _calls(12_000)
    paginator = admin_paging.CappedCountPaginator(CallLog.objects.filter(endpoint="balance"), 50)
    with CaptureQueriesContext(connection) as queries:
        count = paginator.count
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert paginator.estimated and count > admin_paging.CAP


def test_a_small_count_is_exact_and_capped(db):
    _calls(300)
    paginator = admin_paging.CappedCountPaginator(CallLog.objects.filter(status_code="RS_ERROR"), 50)
    assert paginator.count == 3 and not paginator.estimated


def test_a_count_that_runs_out_of_time_falls_back_to_the_estimate(db, monkeypatch):
    """The count runs under its own statement_timeout: a filter no index serves is never counted
    through the whole table (the old capped count scanned it when fewer than 10,001 matched)."""
    _calls(300)
    slow = CallLog.objects.extra(where=["pg_sleep(0.01) IS NOT NULL"])  # noqa: S610 - a fixed test condition
    assert admin_paging.capped_count(slow, timeout_ms=20) is None
    with connection.cursor() as cursor:  # the transaction is usable and the limit is gone
        cursor.execute("SELECT current_setting('statement_timeout')")
        assert cursor.fetchone()[0] == "0"
    monkeypatch.setattr(admin_paging, "COUNT_TIMEOUT_MS", 20)
    paginator = admin_paging.CappedCountPaginator(slow, 50)
    assert paginator.count >= 1 and paginator.estimated


def test_changelists_offer_no_per_filter_counts():
    for model in (Transfer, GameTransaction, CallLog, TransferOrder):
        assert admin.site._registry[model].show_facets == admin.ShowFacets.NEVER


# --- player 360° --------------------------------------------------------------------------------


def test_the_player_page_reads_each_account_through_its_own_index(ledger):
    player, wallet = ledger["player"], ledger["wallet"]
    other = funded_wallet(PlayerFactory(external_id="OTHER"), "USD", "5.00")
    for n in range(12):
        services.wallet_deposit(wallet=wallet if n % 2 else other, amount=10 + n, key=f"dep-{n}")
    with CaptureQueriesContext(connection) as queries:
        overview = player_overview(player)
    on_ledger = [q["sql"] for q in queries.captured_queries if 'FROM "wallet_transfer"' in q["sql"]]
    assert on_ledger and not any(" OR " in sql for sql in on_ledger)
    accounts = set(player.accounts.values_list("pk", flat=True))
    oracle = sorted((t for t in Transfer.objects.all() if {t.debit_account_id, t.credit_account_id} & accounts),
                    key=lambda t: (t.created_at, t.pk), reverse=True)[:10]
    assert [t.pk for t in overview.ledger] == [t.pk for t in oracle]
    calls = CallLog.objects.filter(player_external_id=player.external_id)
    assert "Seq Scan on providers_calllog" not in plan(calls)


# --- system accounts ----------------------------------------------------------------------------


def ledger_balance(account_id: int) -> int:
    """Oracle: credits minus debits straight from the ledger rows."""
    return sum(t.amount if t.credit_account_id == account_id else -t.amount
               for t in Transfer.objects.all() if account_id in (t.debit_account_id, t.credit_account_id))


def test_system_balances_are_the_daily_sums_plus_the_rows_not_counted_yet(ledger):
    system = list(Account.objects.filter(player__isnull=True).values_list("pk", flat=True))
    assert system
    assert system_account_balances(system) == {pk: ledger_balance(pk) for pk in system}  # nothing counted yet
    aggregation.refresh()
    assert system_account_balances(system) == {pk: ledger_balance(pk) for pk in system}
    services.wallet_deposit(wallet=ledger["wallet"], amount=5, key="after-the-mark")
    assert system_account_balances(system) == {pk: ledger_balance(pk) for pk in system}
    aggregation.refresh()
    # A lower id committing after a higher one was counted (a long transaction): while the
    # refresh waits for it, the balance counts it from the ledger; once counted, from the sums.
    last = Transfer.objects.latest("pk")
    cash = Account.objects.get(kind=AccountKind.CASH, currency_id="USD", player=None)

    def planted(pk, key):
        Transfer(pk=pk, key=key, kind=TransferKind.DEPOSIT, debit_account=cash, credit_account=ledger["wallet"],
                 currency_id="USD", amount=7, created_at=timezone.now()).save(force_insert=True)

    planted(last.pk + 2, "visible-first")
    aggregation.refresh()
    assert PendingSourceId.objects.filter(source_id=last.pk + 1).exists()
    planted(last.pk + 1, "committed-late")
    assert system_account_balances(system) == {pk: ledger_balance(pk) for pk in system}
    aggregation.refresh()
    assert not PendingSourceId.objects.filter(source_id=last.pk + 1).exists()
    assert system_account_balances(system) == {pk: ledger_balance(pk) for pk in system}


def test_the_system_accounts_page_shows_ledger_balances_without_summing_each_accounts_history(admin_client, ledger):
    aggregation.refresh()
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:wallet_systemaccount_changelist"))
    assert response.status_code == 200
    sums = [q["sql"] for q in queries.captured_queries if "SUM(" in q["sql"].upper() and "wallet_transfer" in q["sql"]]
    assert len(sums) == 1 and "reports_dailyaccounttotal" in sums[0]  # one statement for the whole page
    cash = Account.objects.get(kind=AccountKind.CASH, currency_id="USD", player=None)
    assert "-10.00 USD" in response.content.decode() and ledger_balance(cash.pk) == -10 * 10**5


FILTERS = [
    (Transfer, {"kind__exact": "deposit"}),
    (Transfer, {"kind__exact": "adjustment"}),
    (GameTransaction, {"action__exact": "rollback"}),
    (GameTransaction, {"voided_round": "yes"}),
    (GameTransaction, {"outcome__exact": "unknown_reference"}),
    (CallLog, {"outcome": "error"}),
    (CallLog, {"session_unknown__exact": "1"}),
]


@pytest.mark.parametrize(("model", "params"), FILTERS, ids=[f"{m.__name__}-{list(p)[0]}" for m, p in FILTERS])
def test_filters_on_rare_rows_are_served_by_an_index(ledger, model, params):
    """A filter matching few rows of a big table must not walk the table's id order (the list is
    newest first) nor scan it: a partial index holds just those rows."""
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/", params)
    request.user = type("Staff", (), {"is_active": True, "is_staff": True, "is_superuser": True,
                                      "has_perm": lambda *a: True})()
    changelist = model_admin.get_changelist_instance(request)
    text = plan(changelist.queryset)
    for table in BIG_TABLES:
        assert f"Seq Scan on {table}" not in text, f"{model.__name__} {params}:\n{text}"


def test_a_rare_kind_page_reads_the_kind_index_not_the_id_order(ledger):
    """The ledger filtered by a rare kind, as a loaded ledger holds it: the deposits first, then
    many game transfers. In one statement (the page's joins, ORDER BY id DESC LIMIT 50) the planner
    weighs a walk of the primary key backwards (deposits assumed spread over the ids) against the
    partial index with heap reads: a near tie (at 1M rows it chose the walk, which read every game
    transfer; at 10M the index). The page's ids are read first instead, by an index-only scan of
    the partial (kind, id) index, cheaper than either: no statement of the page may walk the id order."""
    wallet, game = ledger["wallet"], ledger["game"]
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO wallet_transfer (key, kind, debit_account_id, credit_account_id, currency_id, "
                       "amount, memo, created_at) SELECT 'rare-' || g, %s, %s, %s, 'USD', 100, '', now() "
                       "FROM generate_series(1, 3000) g", [TransferKind.DEPOSIT, game.pk, wallet.pk])
        cursor.execute("INSERT INTO wallet_transfer (key, kind, debit_account_id, credit_account_id, currency_id, "
                       "amount, memo, created_at) SELECT 'game-' || g, %s, %s, %s, 'USD', 100, '', now() "
                       "FROM generate_series(1, 80000) g", [TransferKind.BET, wallet.pk, game.pk])
        cursor.execute("ANALYZE wallet_transfer")
    model_admin = admin.site._registry[Transfer]
    request = RequestFactory().get("/", {"kind__exact": TransferKind.DEPOSIT, "p": "2"})
    request.user = type("Staff", (), {"is_active": True, "is_staff": True, "is_superuser": True,
                                      "has_perm": lambda *a: True})()
    with CaptureQueriesContext(connection) as queries:
        changelist = model_admin.get_changelist_instance(request)
        rows = list(changelist.result_list)
    deposits = list(Transfer.objects.filter(kind=TransferKind.DEPOSIT).order_by("-id").values_list("pk", flat=True))
    assert [row.pk for row in rows] == deposits[50:100]  # the second page, newest first
    reads = [q["sql"] for q in queries.captured_queries
             if q["sql"].startswith("SELECT") and '"wallet_transfer"' in q["sql"] and "LIMIT 50" in q["sql"]]
    plans = []
    for sql in reads:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        assert "wallet_transfer_pkey" not in plans[-1] and "Seq Scan on wallet_transfer" not in plans[-1], \
            f"{sql}\n{plans[-1]}"
    assert any("Index Only Scan Backward using transfer_non_game_kind" in text for text in plans), plans
