"""Public pages: the comune finder and the comune-branded login."""

from __future__ import annotations

import re

from allauth.account.views import LoginView, SignupView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from identita.selectors import identita_digitale_buttons

from .access import staff_home_url
from .selectors import comune_attivo_by_slug, comune_search

# The comune a family entered from: e-mail confirmation and SPID/CIE logins lead back to it.
COMUNE_SESSION_KEY = "omnibus_comune"
# The comune the store app remembers (written by static/pwa/app.js when a comune's page opens in the app).
APP_COMUNE_COOKIE = "omnibus_app_comune"
SLUG_RE = re.compile(r"[-a-zA-Z0-9_]{1,50}")


def home(request: HttpRequest) -> HttpResponse:
    """Landing page: the family types the first letters of its comune and goes to its login.

    It is also the start page of the store app (`/?source=app`): a comune remembered on the device opens
    directly; "Cambia comune" (`/?cambia=1`) forgets it and shows the finder.
    """
    query = request.GET.get("q", "")
    remembered = request.COOKIES.get(APP_COMUNE_COOKIE, "")
    forget = "cambia" in request.GET
    if remembered and not forget and not query and request.GET.get("source") == "app":
        comune = comune_attivo_by_slug(slug=remembered) if SLUG_RE.fullmatch(remembered) else None
        if comune is not None:
            return redirect("comune_login", comune=comune.slug)
        forget = True  # a comune gone or deactivated: back to the finder
    context = {"query": query, "risultati": list(comune_search(query=query)) if query else None}
    response = render(request, "comuni/home.html", context)
    if forget:
        response.delete_cookie(APP_COMUNE_COOKIE, samesite="Lax")
    return response


def comune_finder(request: HttpRequest) -> HttpResponse:
    """The list of matching comuni, as an htmx fragment for the finder box."""
    query = request.GET.get("q", "")
    return render(
        request, "comuni/_risultati.html", {"query": query, "risultati": list(comune_search(query=query))}
    )


class ComuneLoginView(LoginView):
    """allauth's login, under /login/<comune>/, branded with the comune and leading to its CITTADINO area."""

    template_name = "comuni/login.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.success_url = reverse("cittadino:home", kwargs={"comune": request.comune.slug})
        request.session[COMUNE_SESSION_KEY] = request.comune.slug
        return super().dispatch(request, *args, **kwargs)

    def get_authenticated_redirect_url(self) -> str:
        return staff_home_url(self.request.user, self.request.comune) or self.success_url

    def form_valid(self, form):
        # Staff land in their own area (unless a ?next= says otherwise): the office on its cruscotto,
        # canteen operators on today's attendance, drivers on the board, platform administrators in the admin.
        self.success_url = staff_home_url(form.user, self.request.comune) or self.success_url
        return super().form_valid(form)

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["identita_digitale"] = identita_digitale_buttons(request=self.request, next_url=self.success_url)
        return context


class ComuneSignupView(SignupView):
    """"NON HAI UN ACCOUNT? REGISTRATI" at /registrati/<comune>/: consent goes to this comune's notice."""

    template_name = "comuni/registrazione.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.session[COMUNE_SESSION_KEY] = request.comune.slug
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self) -> str:
        return reverse("cittadino:home", kwargs={"comune": self.request.comune.slug})


def informativa_privacy(request: HttpRequest, comune: str) -> HttpResponse:
    """The comune's privacy notice: the comune is the data controller."""
    return render(request, "comuni/privacy.html", {})
