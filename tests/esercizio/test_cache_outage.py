"""The cache backend during and after a Redis outage: errors are misses, and what was written meanwhile is
not served stale afterwards (version stamps and cached sessions are forgotten, other entries kept).

Redis refusing every command (a password set under the client's feet) stands in for an unreachable one
whose data survive, as with a network partition or a restart with persistence."""

from __future__ import annotations

import pytest
import redis
from django.core.cache import caches

from .redis_server import OwnRedis


@pytest.fixture
def resilient(settings):
    with OwnRedis() as server:
        settings.CACHES = {"default": {"BACKEND": "omnibus.cache.ResilientRedisCache", "LOCATION": server.url}}
        settings.CACHE_FORGET_AFTER_OUTAGE = ["stamp:v1:*", "django.contrib.sessions.cached_db*"]
        admin = redis.Redis.from_url(server.url)
        yield caches["default"], admin
        admin.close()


def test_errors_are_misses_and_stale_stamps_are_forgotten_on_return(resilient):
    cache, admin = resilient
    cache.set("stamp:v1:utente:1", "prima")
    cache.set("django.contrib.sessions.cached_dbabc", {"_auth_user_id": "1"})
    cache.set("comune:leporano", "dati")

    admin.config_set("requirepass", "fuori-servizio")  # every command of the portal now fails
    admin.client_kill_filter(_type="normal", skipme=True)  # its open connections too
    assert cache.get("comune:leporano") is None  # a miss, not an exception
    assert cache.get_many(["stamp:v1:utente:1"]) == {}
    cache.set("stamp:v1:utente:1", "dopo")  # a bump lost: Redis still holds "prima"
    cache.delete("django.contrib.sessions.cached_dbabc")  # a logout lost
    assert cache.add("lock", 1) is True  # a lock taken with add() is granted
    assert cache.available() is False

    admin.execute_command("AUTH", "fuori-servizio")
    admin.config_set("requirepass", "")
    cache._outage.down_until = 0.0  # the breaker's 5 seconds have passed
    assert cache.get("stamp:v1:utente:1") is None  # forgotten: no page rendered under "prima" matches
    assert cache.get("django.contrib.sessions.cached_dbabc") is None  # the session reloads from PostgreSQL
    assert cache.get("comune:leporano") == "dati"  # the rest is kept
    assert cache.available() is True
