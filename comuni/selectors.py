"""Reads about comuni and staff."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Comune, Incarico, User

FINDER_MIN_CHARS = 2
FINDER_MAX_RESULTS = 10


def comune_search(*, query: str) -> QuerySet[Comune]:
    """Active comuni whose name starts with what the family typed ("LEPO" finds Leporano)."""
    text = (query or "").strip()
    if text.lower().startswith("comune di "):
        text = text[len("comune di "):].strip()
    if len(text) < FINDER_MIN_CHARS:
        return Comune.objects.none()
    return Comune.objects.filter(Q(nome__istartswith=text) | Q(slug__istartswith=text), attivo=True).order_by(
        "nome"
    )[:FINDER_MAX_RESULTS]


def staff_comune_for_user(user: User) -> Comune | None:
    """The comune a staff member works for, or None for anyone else."""
    if not user.is_authenticated:
        return None
    incarico = Incarico.objects.select_related("comune").filter(user=user, comune__attivo=True).first()
    return incarico.comune if incarico else None
