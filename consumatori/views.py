"""The CITTADINO area of a family, inside the comune of the URL."""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from .dettaglio import sezioni_render_context
from .page_cache import family_page_cached
from .selectors import consumatore_of_family, consumatori_of_family


def family_login_required(view):
    """Send anonymous visitors to the login page of the comune in the URL, then back here."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            login_url = reverse("comune_login", kwargs={"comune": request.comune.slug})
            return redirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


@family_login_required
@family_page_cached
def cittadino_home(request: HttpRequest, comune: str) -> HttpResponse:
    consumatori = list(consumatori_of_family(user=request.user))
    return render(request, "consumatori/cittadino.html", {"consumatori": consumatori})


@family_login_required
@family_page_cached
def consumatore_dettaglio(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    """"Dettaglio": school, class and section, then the sections the services registered (canteen, bus)."""
    consumatore = consumatore_of_family(user=request.user, pk=pk)
    return render(request, "consumatori/dettaglio.html", sezioni_render_context(request, consumatore))
