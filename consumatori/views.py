"""The CITTADINO area of a family, inside the comune of the URL."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from comuni.access import family_login_required, staff_nav

from .dettaglio import sezioni_render_context
from .page_cache import family_page_cached
from .selectors import consumatore_of_family, consumatori_of_family


@family_login_required
@family_page_cached
def cittadino_home(request: HttpRequest, comune: str) -> HttpResponse:
    # Staff who are not parents have nothing here: their own area instead of "Contatta l'ufficio scuola".
    nav = staff_nav(request)
    if nav and nav["home"] and not nav["famiglia"]:
        return redirect(nav["home"])
    consumatori = list(consumatori_of_family(user=request.user))
    return render(request, "consumatori/cittadino.html", {"consumatori": consumatori})


@family_login_required
@family_page_cached
def consumatore_dettaglio(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    """"Dettaglio": school, class and section, then the sections the services registered (canteen, bus)."""
    consumatore = consumatore_of_family(user=request.user, pk=pk)
    return render(request, "consumatori/dettaglio.html", sezioni_render_context(request, consumatore))
