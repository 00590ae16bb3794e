"""Production settings: ``check --deploy`` is clean, and cookies stay on their exact host."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client as HttpClient

from accounts.factories import TEST_PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "TENANT_SECRETS_KEYS": secrets.token_urlsafe(32),
    "REDIS_URL": "redis://127.0.0.1:6379/0",  # named, not reached: the checks do not connect
}


def run_with_production_settings(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_deploy_check_is_clean_with_production_settings():
    result = run_with_production_settings("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_warns_of_processes_that_share_nothing_without_redis():
    env = {**os.environ, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "core.W001" in result.stdout + result.stderr


def test_production_cookies_are_host_only_secure_http_only_and_same_site():
    names = [f"{kind}_COOKIE_{attr}" for kind in ("SESSION", "CSRF") for attr in ("DOMAIN", "SECURE", "SAMESITE")]
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {names!r} + ['SESSION_COOKIE_HTTPONLY']}}))"
    )
    result = run_with_production_settings("-c", code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_DOMAIN": None,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_DOMAIN": None,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
    }


@pytest.mark.django_db
def test_a_session_cookie_set_on_one_tenants_domain_names_no_domain(tenant_a):
    """Without a Domain attribute a browser returns the cookie to that exact host only,
    never to another tenant's subdomain or custom domain."""
    staff = UserFactory(tenant=tenant_a, is_staff=True)
    browser = HttpClient(HTTP_HOST="tenant-a.localhost")
    response = browser.post(
        "/admin/login/?next=/admin/", {"username": staff.username, "password": TEST_PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302, response.content
    cookie = response.cookies["sessionid"]
    assert cookie["domain"] == ""
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def admin_login(host: str, user) -> HttpClient:
    browser = HttpClient(HTTP_HOST=host)
    response = browser.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": TEST_PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302, response.content
    return browser


@pytest.mark.django_db
def test_an_operators_session_cookie_from_the_platform_host_is_refused_on_a_tenants_domain(tenant_a, tenant_b):
    """Operators may act in any tenant, so only the session's own host binding stops a
    cookie copied from the platform's host (where operators sign in) to B's domain."""
    operator = UserFactory(tenant=None, is_staff=True, is_superuser=True)
    on_platform = admin_login("localhost", operator)
    assert on_platform.get("/admin/").status_code == 200

    copied = HttpClient(HTTP_HOST="tenant-b.localhost")
    copied.cookies["sessionid"] = on_platform.cookies["sessionid"].value
    response = copied.get("/admin/")

    assert response.status_code == 403
    assert response.json()["code"] == "session_host_mismatch"
    assert "tenant-b" not in response.content.decode()
    assert on_platform.get("/admin/").status_code == 200  # still good on its own host


@pytest.mark.django_db
def test_a_tenant_staff_session_cookie_is_refused_on_another_tenants_domain(tenant_a, tenant_b):
    staff = UserFactory(tenant=tenant_a, is_staff=True)
    on_a = admin_login("tenant-a.localhost", staff)

    copied = HttpClient(HTTP_HOST="tenant-b.localhost")
    copied.cookies["sessionid"] = on_a.cookies["sessionid"].value
    response = copied.get("/admin/")

    assert response.status_code == 403
    assert response.json()["code"] == "session_host_mismatch"


# Read by libraries or the Procfile rather than by config/settings.py itself.
IMPLICIT_VARIABLES = {"DATABASE_URL", "PORT", "WEB_CONCURRENCY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


def test_every_environment_variable_is_in_the_readme_table_and_env_example():
    root = Path(__file__).resolve().parent.parent
    settings_source = (root / "config" / "settings.py").read_text()
    read = set(
        re.findall(r"""(?:environ\.get|env_bool|env_list|environ\[)\(?\s*["']([A-Z][A-Z0-9_]+)["']""", settings_source)
    )
    assert {"DJANGO_SECRET_KEY", "REDIS_URL", "TRUSTED_PROXIES"} <= read  # the pattern finds them
    table_rows = [line for line in (root / "README.md").read_text().splitlines() if line.startswith("| `")]
    documented = {name for row in table_rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}
    example = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (root / ".env.example").read_text(), re.MULTILINE))
    assert sorted((read | IMPLICIT_VARIABLES) - documented) == []
    assert sorted((read | IMPLICIT_VARIABLES) - example) == []
