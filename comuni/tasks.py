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
    """Daily clean-up: expired sessions, and the access log (e-mail and IP address of every login, failure and
    lock) past ACCESSI_CONSERVAZIONE_GIORNI: kept long enough to look into an incident, then deleted."""
    now = timezone.now()
    sessioni, _ = Session.objects.filter(expire_date__lt=now).delete()
    limite = now - datetime.timedelta(days=settings.ACCESSI_CONSERVAZIONE_GIORNI)
    accessi, _ = EventoAccesso.objects.filter(quando__lt=limite).delete()
    return {"sessioni_scadute_eliminate": sessioni, "eventi_accesso_eliminati": accessi}
