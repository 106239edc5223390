"""Reconciliation started from the admin (Checks page): the same function celery-beat runs, kept as a CheckRun."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import CheckRun
from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from transfers import start
from wallet.money import to_units

pytestmark = pytest.mark.django_db


def test_finance_reconciles_a_transfer_integration_from_the_admin(client, finance_user, support_user, transfer_1g,
                                                                 django_capture_on_commit_callbacks):
    player = PlayerFactory(external_id="REC-ADMIN-1")
    funded_wallet(player, "IDR", "100.00")
    with django_capture_on_commit_callbacks(execute=True):
        order = start.transfer_start(integration=transfer_1g, player=player, currency="IDR", direction="deposit",
                                        amount=to_units("40.00"))
    order.refresh_from_db()
    assert order.state == "confirmed"
    client.force_login(support_user)
    assert client.post(reverse("admin:audit_checkrun_run"),
                       {"kind": "reconcile", "integration": transfer_1g.pk}).status_code == 403
    client.force_login(finance_user)
    assert b"Reconcile now" in client.get(reverse("admin:audit_checkrun_changelist")).content
    response = client.post(reverse("admin:audit_checkrun_run"), {"kind": "reconcile", "integration": transfer_1g.pk})
    run = CheckRun.objects.get(kind="reconcile")
    assert response.status_code == 302 and run.integration == transfer_1g and run.started_by == finance_user
    assert run.ok is True and run.figures["checked"] == 1 and run.figures["differences"] == 0, run.details
