"""Reads of a family's messages in the current comune."""

from __future__ import annotations

from django.db.models import QuerySet

from comuni.models import User

from .models import Notifica


def notifiche_of_user(*, user: User) -> QuerySet[Notifica]:
    return Notifica.objects.filter(user=user).select_related("consumatore").order_by("-creata_il", "-id")
