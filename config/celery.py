"""Celery application.

With no CELERY_BROKER_URL the embedded default runs every task in-process at once
(task_always_eager), so the app works anywhere without a broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("backoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
