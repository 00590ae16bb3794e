"""A real background-job setup for a test: a Redis of the test's own as the broker, the
Procfile's ``worker`` line against the test database as the runtime role, and a real
SMTP server that keeps what it receives."""

from __future__ import annotations

import os
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from tests.faults import PrivateRedis, ProcfileProcess, free_port

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


class Mailbox:
    """What a real SMTP server (aiosmtpd, on a free port) received, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, seconds: float = 30) -> list[EmailMessage]:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return list(self.messages)


@pytest.fixture
def mail_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.url = f"smtp://127.0.0.1:{controller.port}"
    yield mailbox
    controller.stop()
