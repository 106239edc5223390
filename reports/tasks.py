"""Celery tasks: the beat schedule (config/settings.py) runs the aggregate refresh every minute."""

from celery import shared_task

from . import aggregation


@shared_task(name="reports.aggregates_refresh")
def aggregates_refresh() -> dict:
    result = aggregation.refresh()
    return {"transfers": result.transfers, "calls": result.calls}
