"""Session and database settings, and what every test sets up; the shared fixtures
(two businesses, their people and API clients) are in the plugin tests/plugin.py."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.servers.basehttp import WSGIServer

from core.ratelimit import local_counts_reset

# The live server of the parallel-request tests listens with a backlog of 10; a burst of
# dozens of simultaneous connections then overflows it and is reset by the kernel, as a
# real server with its usual backlog (gunicorn's 2048) would not be.
WSGIServer.request_queue_size = 128

pytest_plugins = ["tests.plugin"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """Create, migrate and use the test database as its owner (DATABASE_MIGRATE_URL):
    the runtime role may not create databases or tables. Suites about row-level
    security switch to the runtime role themselves (tests/rls.py).

    Platform work shares that one connection (and each test's transaction) instead of
    the platform role's own; tests/rls.py switches to the platform role for it where a
    test runs as the runtime role, and tests of the real second connection ask for it."""
    owner = getattr(settings, "DATABASE_OWNER", None)
    if owner:
        settings.DATABASES["default"].update({key: owner.get(key) for key in ("USER", "PASSWORD", "HOST", "PORT")})
    settings.TENANCY_PLATFORM_DATABASE = "default"


@pytest.fixture(scope="session", autouse=True)
def _tasks_run_in_process():
    """Tasks run eagerly, in the test's own process, whatever broker the environment
    names; the suites of the real worker start one and send to it themselves."""
    from config.celery import app

    app.conf.update(task_always_eager=True, task_eager_propagates=True)


@pytest.fixture(autouse=True)
def _fast_and_unthrottled(settings, tmp_path):
    cache.clear()  # no test sees another's cached entries (ids are reused after a rollback)
    local_counts_reset()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()  # as a deployment's mounted volume is there already
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Parallel-request suites send dozens of one business's requests at once; the cap on
    # requests in flight is the governance suite's to switch on (tests/test_governance.py).
    settings.TENANT_MAX_CONCURRENT_REQUESTS = 0
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"public_booking": "10000/minute"},
    }
