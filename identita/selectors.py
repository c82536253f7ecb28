"""The SPID and CIE buttons a login page shows: one per OIDC client configured for this installation."""

from __future__ import annotations

from allauth.socialaccount.adapter import get_adapter
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode


def identita_digitale_buttons(*, request: HttpRequest, next_url: str) -> list[dict]:
    buttons = []
    for app in get_adapter().list_apps(request, provider="spidcie"):
        if not app.client_id or not app.settings.get("server_url"):
            continue
        url = reverse("spidcie_login", kwargs={"provider_id": app.provider_id})
        query = urlencode({"process": "login", "next": next_url})
        buttons.append({"id": app.provider_id, "name": app.name, "url": f"{url}?{query}"})
    return buttons
