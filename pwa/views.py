"""The installable app of a comune: manifest, service worker, offline page, icons.

Every comune is its own app, scoped to its area `/<comune>/`: a family installs "Omnibus – Comune
di Leporano" and the app never strays into another comune's pages.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .icons import BACKGROUND_COLOR, SIZES, THEME_COLOR, icona_png
from .models import DichiarazioneAccessibilita

SHORT_NAME_MAX = 12  # launchers cut longer labels under the icon


def _scope(request: HttpRequest) -> str:
    return reverse("cittadino:home", kwargs={"comune": request.comune.slug})


def manifest_data(request: HttpRequest) -> dict:
    comune = request.comune
    slug = comune.slug
    short_name = comune.nome if len(comune.nome) <= SHORT_NAME_MAX else comune.nome[:SHORT_NAME_MAX].rstrip()
    icons = [
        {"src": reverse("pwa:icona", kwargs={"comune": slug, "size": size}), "sizes": f"{size}x{size}",
         "type": "image/png", "purpose": "any"}
        for size in SIZES if size != 180
    ]
    icons.append({"src": reverse("pwa:icona_maskable", kwargs={"comune": slug, "size": 512}), "sizes": "512x512",
                  "type": "image/png", "purpose": "maskable"})
    scope = _scope(request)
    return {
        "id": scope,
        "name": f"Omnibus – {comune}",
        "short_name": short_name,
        "description": f"Refezione e trasporto scolastico del {comune}",
        "lang": "it",
        "dir": "ltr",
        "start_url": scope,
        "scope": scope,
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": icons,
    }


@require_safe
def manifest(request: HttpRequest, comune: str) -> HttpResponse:
    body = json.dumps(manifest_data(request), ensure_ascii=False)
    response = HttpResponse(body, content_type="application/manifest+json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
def service_worker(request: HttpRequest, comune: str) -> HttpResponse:
    scope = _scope(request)
    response = render(request, "pwa/sw.js", {
        "offline_url": reverse("pwa:offline", kwargs={"comune": comune}), "scope": scope,
    }, content_type="text/javascript; charset=utf-8")
    # The worker lives at the root of the comune's scope; the header states it explicitly.
    response["Service-Worker-Allowed"] = scope
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def offline(request: HttpRequest, comune: str) -> HttpResponse:
    # No user data on this page: the service worker keeps it on the device.
    response = render(request, "pwa/offline.html", {"comune": request.comune})
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def icona(request: HttpRequest, comune: str, size: int, maskable: bool = False) -> HttpResponse:
    if size not in SIZES or (maskable and size != 512):
        raise Http404
    response = HttpResponse(icona_png(comune=request.comune, size=size, maskable=maskable), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def stemma(request: HttpRequest, comune: str) -> HttpResponse:
    """The comune's stemma (public, like the pages that show it), read from its storage."""
    from comuni.stemma import stemma_file

    found = stemma_file(request.comune)
    if found is None:
        raise Http404
    content, tipo = found
    if not tipo.startswith("image/"):
        raise Http404
    response = HttpResponse(content, content_type=tipo)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def accessibilita(request: HttpRequest, comune: str) -> HttpResponse:
    """The comune's accessibility statement, public like the privacy notice."""
    dichiarazione = DichiarazioneAccessibilita.objects.filter(comune=request.comune).first()
    return render(request, "pwa/accessibilita.html", {"dichiarazione": dichiarazione})
