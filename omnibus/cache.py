"""Django's Redis cache backend, kept fast and made to survive a Redis outage.

Fast: Django's RedisCacheClient.get_client() makes a `redis.Redis(connection_pool=pool)` per operation, and
redis-py's constructor fills a dictionary of some 170 response callbacks each time: about a quarter of a
millisecond per cache call, several per family page. The client is thread-safe and tied to its pool; one
per pool is kept.

Resilient (`ResilientRedisCache`, the backend settings use): the cache is an optimisation, never a
dependency. With Redis down or unreachable every read is a miss and every write is dropped (add() reports
success, so a lock taken with it is granted), so the portal keeps serving from PostgreSQL (sessions are
cached_db, version stamps then never match: pages are rendered afresh). After a failure the backend leaves
Redis alone for `RETRY_AFTER_SECONDS` (no connect attempt per call), then tries again. Writes dropped during
the outage would leave stale entries behind once Redis returns (a version stamp not bumped, a session not
deleted at logout): before its first operation after an outage, each process forgets the keys matching
`CACHE_FORGET_AFTER_OUTAGE` (a SCAN and UNLINK).

Some keys must not be dropped: a rate limit that stops counting is a free window for a brute force. The
keys starting with one of `CACHE_OUTAGE_FALLBACK_KEYS` (allauth's rate limits, the TOTP codes already used)
go, while Redis is down, to the cache `FALLBACK` of CACHES: Django's database cache, one table that every
process shares. When Redis answers again they are counted in Redis again, from what it held before the
outage: an attacker gains at most one more window per outage.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends import redis as django_redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
FAILURES = (RedisError, OSError)
FALLBACK = "fallback"  # the alias in CACHES of the store of the keys that an outage must not drop


class RedisCacheClient(django_redis.RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


class _Outage:
    """One process's view of the cache server: since when it failed, and whether to forget keys."""

    def __init__(self) -> None:
        self.down_until = 0.0
        self.forget_pending = False
        self.lock = threading.Lock()


def _resilient(name: str, on_failure):
    def method(self, *args, **kwargs):
        outage = self._outage
        if outage.down_until and time.monotonic() < outage.down_until:
            return self._without_redis(name, on_failure, *args, **kwargs)
        try:
            if outage.forget_pending:
                self._forget_after_outage()
            result = getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
        except FAILURES as error:
            self._failed(name, error)
            return self._without_redis(name, on_failure, *args, **kwargs)
        if outage.down_until:
            outage.down_until = 0.0
            logger.warning("cache: Redis answers again")
        return result

    method.__name__ = name
    return method


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _true(*args, **kwargs):
    # add() "stored": a lock taken with it (allauth's rate-limit lock) is granted, as nobody else can hold it.
    return True


def _no_keys(*args, **kwargs):
    return {}


def _all_failed(data, *args, **kwargs):
    return list(data)


def _missing(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found (cache unavailable).")


# The operations on one key, which the fallback cache takes for the keys kept during an outage.
SINGLE_KEY = {"add", "get", "set", "touch", "delete", "has_key", "incr"}


class ResilientRedisCache(RedisCache):
    """RedisCache whose errors are misses (reads) and no-ops (writes); see the module's docstring."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._outage = _Outage()

    def _failed(self, operation: str, error: Exception) -> None:
        outage = self._outage
        first = not outage.down_until
        outage.down_until = time.monotonic() + RETRY_AFTER_SECONDS
        outage.forget_pending = True
        if first:
            logger.warning("cache: Redis unavailable (%s in %s); serving without cache", error, operation)

    def _without_redis(self, name: str, on_failure, *args, **kwargs):
        """A key the outage must not drop goes to the fallback cache; any other is a miss or a no-op."""
        key = args[0] if args else kwargs.get("key")
        prefixes = tuple(getattr(settings, "CACHE_OUTAGE_FALLBACK_KEYS", ()))
        if (name in SINGLE_KEY and isinstance(key, str) and prefixes and key.startswith(prefixes)
                and FALLBACK in settings.CACHES):
            return getattr(caches[FALLBACK], name)(*args, **kwargs)
        return on_failure(*args, **kwargs)

    def _forget_after_outage(self) -> None:
        with self._outage.lock:
            if not self._outage.forget_pending:
                return
            client = self._cache.get_client(write=True)
            forgotten = 0
            for pattern in getattr(settings, "CACHE_FORGET_AFTER_OUTAGE", ()):
                batch = []
                for key in client.scan_iter(match=self.make_key(pattern), count=1000):
                    batch.append(key)
                    if len(batch) >= 1000:
                        forgotten += client.unlink(*batch)
                        batch = []
                if batch:
                    forgotten += client.unlink(*batch)
            self._outage.forget_pending = False
            logger.warning("cache: back after an outage, %s entries written meanwhile forgotten", forgotten)

    def available(self) -> bool:
        """Whether Redis answers now (for /healthz/): a PING, outside the breaker."""
        try:
            return bool(self._cache.get_client().ping())
        except FAILURES:
            return False

    add = _resilient("add", _true)
    get = _resilient("get", _default)
    set = _resilient("set", _nothing)
    touch = _resilient("touch", _false)
    delete = _resilient("delete", _false)
    get_many = _resilient("get_many", _no_keys)
    has_key = _resilient("has_key", _false)
    incr = _resilient("incr", _missing)
    set_many = _resilient("set_many", _all_failed)
    delete_many = _resilient("delete_many", _nothing)
    clear = _resilient("clear", _false)
