"""A real background-job setup for a test: a Redis of the test's own as the broker and
the Procfile's ``worker`` line against the test database, as the runtime role."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.conf import settings
from django.db import connection

from tests.faults import PrivateRedis, ProcfileProcess

ROOT = Path(__file__).resolve().parent.parent


def on_test_database(url: str) -> str:
    """``url`` (a role's DATABASE_*_URL) pointed at the test database."""
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{connection.settings_dict['NAME']}"))


@pytest.fixture
def job_env(tmp_path):
    broker = PrivateRedis(tmp_path)
    broker.start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the key the test database's proofs use
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": on_test_database(os.environ["DATABASE_URL"]),
        "CELERY_BROKER_URL": broker.url,
        "WORKER_CONCURRENCY": "1",  # one process, one thread: every task in turn
        "JOB_PROBE_FILE": str(tmp_path / "probes.jsonl"),
        "PYTHONPATH": str(ROOT),
    }
    for name in ("DATABASE_PLATFORM_URL", "DATABASE_MIGRATE_URL"):
        if os.environ.get(name):
            env[name] = on_test_database(os.environ[name])
    env.pop("REDIS_URL", None)
    yield env
    broker.stop()


@pytest.fixture
def worker(job_env, tmp_path):
    process = ProcfileProcess("worker", job_env)
    process.launch(tmp_path / "worker.log", ready="ready.")
    yield tmp_path / "worker.log"
    process.stop()
