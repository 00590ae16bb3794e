"""EMAIL_URL names the mail server in one variable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import email_settings

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://user:p%40ss@mail.example.com:2525", ("mail.example.com", 2525, "user", "p@ss", False, False)),
        ("smtp+tls://user:pass@mail.example.com", ("mail.example.com", 587, "user", "pass", True, False)),
        ("smtp+ssl://user:pass@mail.example.com", ("mail.example.com", 465, "user", "pass", False, True)),
        ("smtp://127.0.0.1:1025", ("127.0.0.1", 1025, None, None, False, False)),
    ],
)
def test_the_mail_server_comes_from_one_url(url, expected):
    parsed = email_settings(url)
    assert parsed["EMAIL_BACKEND"] == SMTP
    keys = ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL")
    assert tuple(parsed[k] for k in keys) == expected
    assert parsed["EMAIL_TIMEOUT"] == 10


def test_the_console_and_an_unknown_scheme():
    assert email_settings("console://")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    with pytest.raises(ImproperlyConfigured, match="unknown scheme"):
        email_settings("pigeon://loft")
