"""Periodic work of the platform as a whole."""

from __future__ import annotations

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(name="comuni.tasks.housekeeping")
def housekeeping() -> dict:
    """Daily clean-up: remove expired sessions so the session table does not grow without end."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return {"sessioni_scadute_eliminate": deleted}
