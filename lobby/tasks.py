"""The lobby's periodic task: each transfer-mode account's catalogue follows its provider's game list."""

from __future__ import annotations

import logging

from celery import shared_task

from core.models import Integration, WalletMode
from core.registry import with_transfer_client

logger = logging.getLogger(__name__)


@shared_task(name="lobby.games_sync_all", acks_late=True)
def games_sync_all() -> list[dict]:
    from .games_sync import games_sync

    providers = [r.name for r in with_transfer_client()]
    results = []
    for integration in Integration.objects.filter(provider__in=providers, mode=WalletMode.TRANSFER, enabled=True):
        try:
            results.append(games_sync(integration).figures())
        except Exception:  # one integration's failure must not stop the others
            logger.exception("games sync of %s failed", integration.code)
    return results
