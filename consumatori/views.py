"""The CITTADINO area of a family, inside the comune of the URL."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from comuni.access import family_login_required, is_parent, session_access, staff_home_url

from .dettaglio import sezioni_render_context
from .page_cache import family_page_cached
from .selectors import consumatore_of_family, consumatori_of_family


@family_login_required
@family_page_cached
def cittadino_home(request: HttpRequest, comune: str) -> HttpResponse:
    # Staff who are not parents have nothing here: their own area instead of "Contatta l'ufficio scuola".
    if (session_access(request) or {}).get("staff") and not is_parent(request.user):
        staff_home = staff_home_url(request.user, request.comune)
        if staff_home is not None:
            return redirect(staff_home)
    consumatori = list(consumatori_of_family(user=request.user))
    return render(request, "consumatori/cittadino.html", {"consumatori": consumatori})


@family_login_required
@family_page_cached
def consumatore_dettaglio(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    """"Dettaglio": school, class and section, then the sections the services registered (canteen, bus)."""
    consumatore = consumatore_of_family(user=request.user, pk=pk)
    return render(request, "consumatori/dettaglio.html", sezioni_render_context(request, consumatore))
