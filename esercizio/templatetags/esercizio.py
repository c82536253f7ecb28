"""The cruscotto's red banner: the comune's jobs past their deadline (esercizio.alerts), read live."""

from __future__ import annotations

from django import template
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("esercizio/_lavori_mancati.html")
def lavori_mancati_banner(comune) -> dict:
    from ..alerts import lavori_mancati

    return {"mancati": lavori_mancati(now=timezone.now(), comune=comune)}
