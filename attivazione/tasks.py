"""Thin Celery tasks of the switch-over."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone
from django_scopes import scopes_disabled

CONSERVAZIONE = datetime.timedelta(days=1)


@shared_task
def importazioni_pulisci() -> int:
    """Empty the uploaded registries not applied within a day: the preview's file holds personal data."""
    from .models import ImportazioneAnagrafe

    with scopes_disabled():  # every comune's, by design: a retention job
        return ImportazioneAnagrafe.objects.filter(
            contenuto__isnull=False, creato_il__lt=timezone.now() - CONSERVAZIONE).update(contenuto=None)
