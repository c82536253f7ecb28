"""The test identity provider's pages: choose a demo identity, then DOT's OIDC authorization.

The chosen identity lives in its own session key: the portal's login is not touched, so the
portal's OIDC state survives the round trip (as with a real, separate gateway).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from oauth2_provider.views import AuthorizationView

from .models import IdentitaDiProva

IDENTITY_SESSION_KEY = "idp_test_identita"


def scegli_identita(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        identita = IdentitaDiProva.objects.filter(pk=request.POST.get("identita")).first()
        if identita is not None and next_url:
            request.session[IDENTITY_SESSION_KEY] = identita.pk
            return redirect(next_url)
    identities = IdentitaDiProva.objects.all()
    return render(request, "idp_test/scegli.html", {"identita": identities, "next": next_url})


class AutorizzaView(AuthorizationView):
    """DOT's authorization endpoint, acting for the demo identity chosen above."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        identita = IdentitaDiProva.objects.select_related("ombra").filter(
            pk=request.session.pop(IDENTITY_SESSION_KEY, None)
        ).first()
        if identita is None:
            return redirect(f"{reverse('idp_test_scegli')}?{urlencode({'next': request.get_full_path()})}")
        request.user = identita.ombra
        return super().dispatch(request, *args, **kwargs)
