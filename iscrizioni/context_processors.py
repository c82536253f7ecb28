"""`iscrizioni_aperte` for the CITTADINO page: lazy, so other pages pay no query."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def iscrizioni_aperte(request) -> dict:
    def load():
        if getattr(request, "comune", None) is None or not request.user.is_authenticated:
            return []
        from .selectors import finestre_aperte

        return finestre_aperte()

    return {"iscrizioni_aperte": SimpleLazyObject(load)}
