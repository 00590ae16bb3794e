"""The Celery application: settings from Django's (``CELERY_*``), tasks from every app's
``tasks.py``. The ``Procfile``'s ``worker`` and ``beat`` lines run it."""

from __future__ import annotations

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def announce_task_mode() -> None:
    """Say, as a web process starts, where its tasks will run."""
    if app.conf.task_always_eager:
        logging.getLogger("config.celery").warning(
            "No broker configured (CELERY_BROKER_URL or REDIS_URL): background tasks run in-process "
            "as their transaction commits."
        )
