"""Tenancy, written once: every request runs inside the scope of one comune.

Families reach a comune through the URL (`/login/<comune>/`, `/<comune>/...`); staff reach theirs
through their membership (`Incarico`) when they use the admin. Tenant-owned models use
`django_scopes.ScopedManager(comune="comune")`, so a query run outside a scope raises instead of
leaking, and a query inside one is filtered to that comune.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django_scopes import scope, scopes_disabled

# django-scopes treats `None` as "no filter"; an empty list filters everything out.
NO_COMUNE: list = []


class ComuneScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from comuni.selectors import comune_attivo_by_slug, staff_comune_for_user
        from consumatori.page_cache import cached_response

        request.comune = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None

        slug = match.kwargs.get("comune") if match else None
        if slug is not None:
            # A family page unchanged since it was cached: served before the comune or the account loads.
            cached = cached_response(request, match.func, slug)
            if cached is not None:
                return cached
            comune = comune_attivo_by_slug(slug=slug)
            if comune is None:
                raise Http404("Comune non trovato")
            request.comune = comune
            with scope(comune=comune):
                return self.get_response(request)

        if match is not None and match.app_name == "admin":
            user = request.user
            if user.is_authenticated and user.is_superuser:
                with scopes_disabled():
                    return self.get_response(request)
            comune = staff_comune_for_user(user) if user.is_authenticated else None
            request.comune = comune
            with scope(comune=comune if comune is not None else NO_COMUNE):
                return self.get_response(request)

        with scope(comune=NO_COMUNE):
            return self.get_response(request)


def comune_context(request: HttpRequest) -> dict:
    return {"comune": getattr(request, "comune", None)}
