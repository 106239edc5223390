"""Celery tasks of the call history."""

from celery import shared_task

from . import partitioning


@shared_task(name="providers.call_history_maintain")
def call_history_maintain() -> dict:
    """Daily partitions ahead; days past CALL_HISTORY_RETENTION_DAYS dropped, money calls kept."""
    result = partitioning.maintain()
    return {"created": result.created, "dropped": result.dropped, "kept": result.kept, "deleted": result.deleted}
