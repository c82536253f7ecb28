"""The platform app "Omnibus": one app for every comune, the one the stores list.

Its start URL is the comune finder (`/?source=app`), its scope the whole site. A family types "LEPO",
picks Leporano and logs in; `static/pwa/app.js` remembers the comune on the device (localStorage and the
cookie `comuni.views.APP_COMUNE_COOKIE`) and the next start opens it directly; "Cambia comune" forgets it.
The per-comune apps (`pwa.views`) stay as they are, each scoped to its own `/<comune>/`.

No service worker is registered for the platform scope `/`: the comuni's workers (scope `/<comune>/`) keep
being the only ones controlling the family pages, and the finder and login pages hold nothing to keep offline.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .icons import BACKGROUND_COLOR, SIZES, THEME_COLOR, icona_monocromatica_png, icona_piattaforma_png

APP_NAME = "Omnibus"
# The start URL's marker: the server and app.js know the page was opened by the app, not typed in a browser.
START_URL = "/?source=app"


def platform_manifest_data() -> dict:
    """The web app manifest of the platform app (also the source of the Android TWA's description)."""
    icons = [
        {"src": reverse("app:icona", kwargs={"size": size}), "sizes": f"{size}x{size}", "type": "image/png",
         "purpose": "any"}
        for size in SIZES if size != 180
    ]
    icons.append({"src": reverse("app:icona_maskable", kwargs={"size": 512}), "sizes": "512x512",
                  "type": "image/png", "purpose": "maskable"})
    icons.append({"src": reverse("app:icona_monocromatica"), "sizes": "512x512", "type": "image/png",
                  "purpose": "monochrome"})
    return {
        "id": "/",
        "name": APP_NAME,
        "short_name": APP_NAME,
        "description": "Refezione e trasporto scolastico dei comuni: assenze, ricariche e pagamenti pagoPA",
        "lang": "it",
        "dir": "ltr",
        "start_url": START_URL,
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": icons,
    }


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    body = json.dumps(platform_manifest_data(), ensure_ascii=False)
    response = HttpResponse(body, content_type="application/manifest+json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
def icona(request: HttpRequest, size: int, maskable: bool = False) -> HttpResponse:
    if size not in SIZES or (maskable and size != 512):
        raise Http404
    response = HttpResponse(icona_piattaforma_png(size=size, maskable=maskable), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def icona_monocromatica(request: HttpRequest) -> HttpResponse:
    """The notification icon (Android tints it): the manifest's "monochrome" icon, the TWA's monochromeIconUrl."""
    response = HttpResponse(icona_monocromatica_png(size=512), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def installa(request: HttpRequest) -> HttpResponse:
    """How to install the app: the store links when configured, Safari's steps on iPhone, Chrome's on Android."""
    packages = settings.APP_ANDROID_PACKAGES
    play_url = f"https://play.google.com/store/apps/details?id={packages[0]}" if packages else ""
    return render(request, "pwa/installa.html", {"play_url": play_url})
