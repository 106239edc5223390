"""Celery tasks: the beat schedule (config/settings.py) runs the aggregate refresh every minute
and the late rows' catch-up every REPORTS_CATCH_UP_EVERY seconds."""

from celery import shared_task

from . import aggregation


@shared_task(name="reports.aggregates_refresh")
def aggregates_refresh() -> dict:
    result = aggregation.refresh()
    return {"transfers": result.transfers, "calls": result.calls}


@shared_task(name="reports.aggregates_catch_up")
def aggregates_catch_up() -> dict:
    result = aggregation.catch_up()
    return {"transfers": result.transfers, "calls": result.calls}
