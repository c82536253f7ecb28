"""The installable app of a comune: manifest, icons, service worker and offline page."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_describes_the_comunes_app_in_its_manifest(client, leporano):
    response = client.get("/leporano/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["name"] == "Omnibus – Comune di Leporano"
    assert manifest["short_name"] == "Leporano"
    assert manifest["start_url"] == manifest["scope"] == "/leporano/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0066cc"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}


@pytest.mark.parametrize(("url", "size"), [
    ("/leporano/app/icona-192.png", 192), ("/leporano/app/icona-512.png", 512),
    ("/leporano/app/icona-maskable-512.png", 512), ("/leporano/app/icona-180.png", 180),
])
def test_it_draws_each_icon_at_its_size(client, leporano, url, size):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (size, size)
    # The corners carry the Bootstrap Italia blue: a full-bleed icon that masks cleanly.
    assert image.convert("RGB").getpixel((0, 0)) == (0, 102, 204)


@pytest.mark.parametrize("url", [
    "/leporano/app/icona-64.png", "/leporano/app/icona-maskable-192.png", "/leporano/app/icona-99999999999.png",
    "/nessuno/manifest.webmanifest", "/nessuno/sw.js",
])
def test_it_answers_404_to_other_sizes_and_unknown_comuni(client, leporano, url):
    assert client.get(url).status_code == 404


def test_each_comune_has_its_own_manifest(client, leporano, pulsano):
    manifest = json.loads(client.get("/pulsano/manifest.webmanifest").content)
    assert manifest["name"] == "Omnibus – Comune di Pulsano"
    assert manifest["scope"] == "/pulsano/"


def test_the_service_worker_is_served_from_the_scope_root(client, leporano):
    response = client.get("/leporano/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/leporano/"
    body = response.content.decode()
    assert '"/leporano/offline/"' in body
    assert "/static/css/omnibus.css" in body
    # Pages are never put in the cache: only the offline page and the static files are.
    assert 'request.mode === "navigate"' in body


def test_the_offline_page_shows_no_family_data(client, leporano, alice):
    client.login(email="alice@example.org", password=PASSWORD)
    response = client.get("/leporano/offline/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sei offline" in content
    assert "Alice" not in content and "alice@example.org" not in content
    assert "Sofia" not in content


def test_family_pages_link_the_manifest_and_offer_the_install(client, leporano, alice):
    client.login(email="alice@example.org", password=PASSWORD)
    content = client.get("/leporano/").content.decode()
    assert 'rel="manifest" href="/leporano/manifest.webmanifest"' in content
    assert 'data-sw="/leporano/sw.js"' in content
    assert "Installa l&#x27;app" in content or "Installa l'app" in content
    assert "Aggiungi alla schermata Home" in content
