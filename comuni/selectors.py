"""Reads about comuni and staff."""

from __future__ import annotations

from django.core.cache import cache
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


# The comune of the URL is read on every request: cached (Redis when REDIS_URL is set) and dropped as
# soon as it is saved or deleted (comuni.signals). Only active comuni are cached, never a miss (an
# unknown slug must not fill the cache); each request gets its own unpickled copy.
COMUNE_CACHE_SECONDS = 300


def comune_cache_key(slug: str) -> str:
    return f"comune:slug:v1:{slug}"


def comune_attivo_by_slug(*, slug: str) -> Comune | None:
    """The active comune with this slug, or None; one cache read instead of a query."""
    key = comune_cache_key(slug)
    comune = cache.get(key)
    if comune is None:
        comune = Comune.objects.filter(slug=slug, attivo=True).first()
        if comune is not None:
            cache.set(key, comune, COMUNE_CACHE_SECONDS)
    return comune
