"""Django's Redis cache backend, without building a new redis-py client for every cache call.

Django's RedisCacheClient.get_client() makes a `redis.Redis(connection_pool=pool)` per operation, and
redis-py's constructor fills a dictionary of some 170 response callbacks each time: about a quarter of
a millisecond per cache call, several per family page. The client is thread-safe and tied to its
pool; one per pool is kept. Nothing else changes (same pools, serializer, options).
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


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
