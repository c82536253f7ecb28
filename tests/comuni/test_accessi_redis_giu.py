"""With Redis down the login's rate limit still counts: the keys of allauth's rate limits go to the database
cache meanwhile (omnibus.cache, CACHES["fallback"]), so an outage is no free window for guessing a password."""

from __future__ import annotations

import html

import pytest
from django.core.cache import caches

from comuni.adapters import ACCESSO_BLOCCATO, CREDENZIALI_NON_VALIDE
from tests.conftest import PASSWORD

NESSUN_REDIS = "redis://127.0.0.1:1/0"  # nothing listens there: every command is refused


@pytest.fixture
def redis_giu(settings, db):
    settings.CACHES = {
        "default": {"BACKEND": "omnibus.cache.ResilientRedisCache", "LOCATION": NESSUN_REDIS,
                    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}},
        "fallback": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                     "LOCATION": "omnibus_cache_fallback"},
    }
    yield caches["default"]
    caches["fallback"].clear()


def _login(client, email, password="sbagliata-123") -> str:
    return html.unescape(client.post("/login/leporano/", {"login": email, "password": password}).content.decode())


def test_with_redis_down_the_sixth_wrong_password_for_an_account_is_refused(client, alice, redis_giu):
    for _ in range(5):  # ACCOUNT_RATE_LIMITS["login_failed"]: 5 in 15 minutes per account
        assert str(CREDENZIALI_NON_VALIDE) in _login(client, "alice@example.org")
    assert redis_giu.available() is False  # Redis was down all along
    assert str(ACCESSO_BLOCCATO) in _login(client, "alice@example.org")
    # Refused before the password is checked: the right one does not get in either.
    assert str(ACCESSO_BLOCCATO) in _login(client, "alice@example.org", PASSWORD)
    assert "_auth_user_id" not in client.session


def test_only_the_rate_limits_and_used_codes_go_to_the_database_meanwhile(redis_giu):
    redis_giu.set("comune:leporano", "dati")
    assert redis_giu.get("comune:leporano") is None  # any other key: a miss, as before
    assert caches["fallback"].get("comune:leporano") is None
    redis_giu.set("allauth:rl:allauth.account:login_failed:5/900.0/key:abc", [1.0])
    assert redis_giu.get("allauth:rl:allauth.account:login_failed:5/900.0/key:abc") == [1.0]
    assert redis_giu.add("allauth:rl:x:lock", True) is True
    assert redis_giu.add("allauth:rl:x:lock", True) is False  # the rate limit's lock holds too
    # A TOTP code used once is refused a second time (allauth.mfa marks it with add()).
    assert redis_giu.add("allauth.mfa.totp.used?user=1&code=123456", "y", timeout=90) is True
    assert redis_giu.add("allauth.mfa.totp.used?user=1&code=123456", "y", timeout=90) is False


def test_the_nightly_housekeeping_deletes_the_expired_outage_counters(redis_giu):
    """The counters are keyed by IP address or account: deleted once expired, not kept until the table fills."""
    import datetime

    import time_machine
    from django.utils import timezone

    from comuni.tasks import housekeeping

    redis_giu.set("allauth:rl:allauth.account:login_failed:5/900.0/key:vecchia", [1.0], timeout=900)
    redis_giu.set("allauth:rl:allauth.account:login_failed:5/900.0/key:nuova", [1.0], timeout=7200)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        assert housekeeping()["cache_emergenza_eliminate"] == 1
        assert caches["fallback"].get("allauth:rl:allauth.account:login_failed:5/900.0/key:nuova") == [1.0]
