"""Periodic work of the platform as a whole."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from .models import EventoAccesso


@shared_task(name="comuni.tasks.housekeeping")
def housekeeping() -> dict:
    """Daily clean-up: expired sessions, the access log (e-mail and IP address of every login, failure and
    lock) past ACCESSI_CONSERVAZIONE_GIORNI: kept long enough to look into an incident, then deleted; and the
    expired entries of the outage cache (rate-limit counters keyed by IP or account, used TOTP codes, written
    only while Redis is down: Django's database cache deletes them only past MAX_ENTRIES)."""
    now = timezone.now()
    sessioni, _ = Session.objects.filter(expire_date__lt=now).delete()
    limite = now - datetime.timedelta(days=settings.ACCESSI_CONSERVAZIONE_GIORNI)
    accessi, _ = EventoAccesso.objects.filter(quando__lt=limite).delete()
    return {"sessioni_scadute_eliminate": sessioni, "eventi_accesso_eliminati": accessi,
            "cache_emergenza_eliminate": _cache_emergenza_pulisci(now)}


def _cache_emergenza_pulisci(now) -> int:
    """Delete the expired rows of the database cache used while Redis is down (CACHES["fallback"])."""
    from django.db import connection

    fallback = settings.CACHES.get("fallback", {})
    if not fallback.get("BACKEND", "").endswith("DatabaseCache"):
        return 0
    tabella = connection.ops.quote_name(fallback["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tabella} WHERE expires < %s",  # noqa: S608 - the table name of the settings
                       [connection.ops.adapt_datetimefield_value(now)])
        return max(cursor.rowcount, 0)
