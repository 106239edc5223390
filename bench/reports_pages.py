"""Benchmark: every report page, the CSV of the biggest table and the admin dashboard, timed with the
Django test client against the database in DATABASE_URL (the bulk-loaded one).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bo_reports_big .venv/bin/python bench/reports_pages.py [--runs 7]

Each page is fetched once with an empty cache (the first load, timed on its own), then `--runs`
times; prints a markdown table (first load, median, min, max in ms) and one JSON line. The
aggregates are refreshed first (pages never refresh them; they show how far behind they are).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from reports import aggregation  # noqa: E402
from wallet.models import Transfer  # noqa: E402

PAGES = [
    ("GGR overview (last 30 days)", "/admin/reports/"),
    ("GGR overview (90 days)", "/admin/reports/?date_from={d90}"),
    ("GGR overview, one currency and game", "/admin/reports/?currency=USD&game=301"),
    ("Top games", "/admin/reports/games/"),
    ("New vs returning players", "/admin/reports/players/"),
    ("Callbacks", "/admin/reports/callbacks/"),
    ("Wallets below zero", "/admin/reports/wallets-below-zero/"),
    ("Limit refusals", "/admin/reports/limit-refusals/"),
    ("Reconciliation", "/admin/reports/reconciliation/"),
    ("CSV: per day × integration × game × currency (30 days)", "/admin/reports/?export=daily"),
    ("Admin dashboard", "/admin/"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    import datetime as dt

    started = time.monotonic()
    refreshed = aggregation.refresh()
    refresh_seconds = time.monotonic() - started
    user, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={"is_staff": True,
                                                                                      "is_superuser": True})
    client = Client()
    client.force_login(user)
    d90 = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=89)).isoformat()
    client.get("/admin/reports/reconciliation/")  # warm the process (imports, templates), not the data
    results = []
    for label, path in PAGES:
        path = path.format(d90=d90)
        cache.clear()  # the first load computes the distinct-player counts; later loads find them cached
        t0 = time.perf_counter()
        assert client.get(path).status_code == 200, path
        first = (time.perf_counter() - t0) * 1000
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        results.append({"page": label, "path": path, "first_ms": round(first, 1),
                        "median_ms": round(statistics.median(times), 1),
                        "min_ms": round(min(times), 1), "max_ms": round(max(times), 1),
                        "bytes": len(response.content)})
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, transfers: {Transfer.objects.count()}")
    print(f"refresh before timing: {refreshed} in {refresh_seconds:.1f} s")
    print("| page | first load ms (empty cache) | median ms | min | max |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['page']} (`{r['path']}`) | {r['first_ms']} | {r['median_ms']} | {r['min_ms']} | {r['max_ms']} |")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
