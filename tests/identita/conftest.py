"""The local test identity provider on pytest-django's live server, and a browser-like HTTP client."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
import requests

from idp_test.services import CLIENT_SECRET, identita_di_prova_create, idp_client_sync


@pytest.fixture
def idp(live_server, settings):
    """Point the SPID and CIE buttons at the test identity provider served by the live server."""
    base = live_server.url
    settings.SOCIALACCOUNT_PROVIDERS = {
        "spidcie": {
            "APPS": [
                {
                    "provider_id": provider_id, "name": provider_id.upper(), "client_id": f"omnibus-{provider_id}",
                    "secret": CLIENT_SECRET,
                    "settings": {
                        "server_url": f"{base}/idp-test/o", "oauth_pkce_enabled": True,
                        "token_auth_method": "client_secret_post", "scope": ["openid", "profile", "email"],
                    },
                }
                for provider_id in ("spid", "cie")
            ]
        }
    }
    idp_client_sync(base_url=base)
    return base


@pytest.fixture
def identita():
    """Make a demo identity the provider can vouch for."""
    return identita_di_prova_create


class Browser:
    """requests.Session that follows redirects one by one, so a test can stop or tamper in the middle."""

    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()

    def csrf(self) -> str:
        return self.session.cookies.get("csrftoken", "")

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.session.get(urljoin(self.base, url), allow_redirects=False, timeout=20, **kwargs)

    def post(self, url: str, data: dict | None = None) -> requests.Response:
        data = {"csrfmiddlewaretoken": self.csrf(), **(data or {})}
        return self.session.post(urljoin(self.base, url), data=data, allow_redirects=False, timeout=20,
                                 headers={"Referer": self.base + "/"})

    def follow(self, response: requests.Response, stop_at: str | None = None) -> requests.Response:
        while response.status_code in (301, 302, 303):
            location = urljoin(response.url, response.headers["Location"])
            if stop_at and stop_at in location:
                response.stop_location = location
                return response
            response = self.get(location)
        return response

    def press(self, button: str, comune: str = "leporano") -> requests.Response:
        """Open the comune's login page and press "Entra con SPID"/"Entra con CIE"; stop at the provider."""
        page = self.get(f"/login/{comune}/")
        assert page.status_code == 200
        pattern = rf'<form method="post" action="([^"]+)">\s*<input[^>]+>\s*<button[^>]*identita-digitale-{button}'
        action = re.search(pattern, page.text)
        assert action, "the login page shows the button"
        return self.follow(self.post(action.group(1).replace("&amp;", "&")))

    def choose_identity(self, page: requests.Response, identita) -> requests.Response:
        next_url = re.search(r'id="idp-next" name="next" value="([^"]+)"', page.text).group(1).replace("&amp;", "&")
        return self.post("/idp-test/", {"identita": identita.pk, "next": next_url})


@pytest.fixture
def browser(idp):
    return Browser(idp)
