"""Fixtures for running the portal as a service: a Redis server of the test's own, wired in as cache,
session cache and Celery broker, that the test stops and starts again."""

from __future__ import annotations

import contextlib

import pytest

from .redis_server import OwnRedis


@contextlib.contextmanager
def broker_at(url: str):
    """The Celery app publishing to `url` (its connection and producer pools rebuilt), then back."""
    from omnibus import publish
    from omnibus.celery import app

    def reset() -> None:
        # Not closed: kombu's global pools hand the same pool to whoever publishes to that URL next.
        app._pool = None
        app.__dict__.get("amqp") and setattr(app.amqp, "_producer_pool", None)
        publish._down_until = 0.0

    before = app.conf.broker_url
    app.conf.broker_url = url
    reset()
    try:
        yield app
    finally:
        app.conf.broker_url = before
        reset()


@pytest.fixture
def own_redis(settings):
    """The portal on a Redis of its own: cache (errors are misses), cached_db sessions and the broker."""
    with OwnRedis() as redis:
        settings.CACHES = {"default": {"BACKEND": "omnibus.cache.ResilientRedisCache", "LOCATION": redis.url,
                                       "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}}}
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
        with broker_at(redis.url) as app:
            app.conf.task_always_eager = False
            yield redis
