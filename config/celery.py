"""The Celery application: settings from Django's (``CELERY_*``), tasks from every app's
``tasks.py``. The ``Procfile``'s ``worker`` and ``beat`` lines run it."""

from __future__ import annotations

import logging
import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """The worker and beat log as every other process does (settings.LOGGING: JSON lines
    with the request id and business), not in Celery's own format."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


def announce_task_mode() -> None:
    """Say, as a web process starts, where its tasks will run."""
    if app.conf.task_always_eager:
        logging.getLogger("config.celery").warning(
            "No broker configured (CELERY_BROKER_URL or REDIS_URL): background tasks run in-process "
            "as their transaction commits."
        )
