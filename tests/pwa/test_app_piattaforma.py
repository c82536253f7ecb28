"""The platform app "Omnibus": one manifest for every comune, its start page the finder, the comune remembered."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from comuni.views import APP_COMUNE_COOKIE
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_its_manifest_starts_at_the_finder_and_covers_the_whole_site(client):
    response = client.get("/app/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["name"] == manifest["short_name"] == "Omnibus"
    assert manifest["start_url"] == "/?source=app"
    assert manifest["scope"] == manifest["id"] == "/"
    assert manifest["display"] == "standalone"
    assert (manifest["theme_color"], manifest["background_color"]) == ("#0066cc", "#ffffff")
    icons = {(icon["src"], icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert icons == {("/app/icona-192.png", "192x192", "any"), ("/app/icona-512.png", "512x512", "any"),
                     ("/app/icona-maskable-512.png", "512x512", "maskable"),
                     ("/app/icona-monocromatica-512.png", "512x512", "monochrome")}


@pytest.mark.parametrize(("url", "size"), [
    ("/app/icona-192.png", 192), ("/app/icona-512.png", 512), ("/app/icona-maskable-512.png", 512),
    ("/app/icona-180.png", 180),
])
def test_its_icons_are_drawn_at_their_size(client, url, size):
    response = client.get(url)
    assert response.status_code == 200
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (size, size)
    assert image.convert("RGB").getpixel((0, 0)) == (0, 102, 204)


def test_the_notification_icon_is_white_on_transparency(client):
    image = Image.open(io.BytesIO(client.get("/app/icona-monocromatica-512.png").content)).convert("RGBA")
    assert image.getpixel((0, 0))[3] == 0
    assert (255, 255, 255, 255) in {color for _, color in image.getcolors(512 * 512)}


@pytest.mark.parametrize("url", ["/app/icona-64.png", "/app/icona-maskable-192.png"])
def test_other_icon_sizes_are_404(client, url):
    assert client.get(url).status_code == 404


def test_the_finder_links_the_platform_manifest_and_the_comuni_keep_theirs(client, leporano):
    finder = client.get("/").content.decode()
    assert '<link rel="manifest" href="/app/manifest.webmanifest">' in finder
    assert 'href="/app/installa/"' in finder
    login = client.get("/login/leporano/").content.decode()
    assert 'rel="manifest" href="/leporano/manifest.webmanifest"' in login
    assert "/app/manifest.webmanifest" not in login
    assert '<meta name="omnibus-comune" content="leporano">' in login
    assert json.loads(client.get("/leporano/manifest.webmanifest").content)["scope"] == "/leporano/"


def test_the_start_url_opens_the_remembered_comune(client, leporano):
    client.cookies[APP_COMUNE_COOKIE] = "leporano"
    response = client.get("/?source=app")
    assert response.status_code == 302
    assert response["Location"] == "/login/leporano/"


def test_a_logged_in_family_goes_on_to_its_area(client, leporano, alice):
    client.login(email="alice@example.org", password=PASSWORD)
    client.cookies[APP_COMUNE_COOKIE] = "leporano"
    response = client.get("/?source=app", follow=True)
    assert response.redirect_chain[-1][0] == "/leporano/"


def test_a_browser_without_the_app_marker_sees_the_finder(client, leporano):
    client.cookies[APP_COMUNE_COOKIE] = "leporano"
    response = client.get("/")
    assert response.status_code == 200
    assert 'id="cerca-comune"' in response.content.decode()


def test_cambia_comune_forgets_the_comune(client, leporano):
    client.cookies[APP_COMUNE_COOKIE] = "leporano"
    response = client.get("/?cambia=1")
    assert response.status_code == 200
    assert response.cookies[APP_COMUNE_COOKIE].value == ""
    assert response.cookies[APP_COMUNE_COOKIE]["max-age"] == 0
    assert client.get("/?source=app").status_code == 200


@pytest.mark.parametrize("value", ["nessuno", "../admin", "x" * 300, "leporano%00"])
def test_an_unknown_or_malformed_comune_falls_back_to_the_finder(client, leporano, value):
    client.cookies[APP_COMUNE_COOKIE] = value
    response = client.get("/?source=app")
    assert response.status_code == 200
    assert response.cookies[APP_COMUNE_COOKIE].value == ""


def test_a_deactivated_comune_is_forgotten(client, leporano):
    leporano.attivo = False
    leporano.save()
    client.cookies[APP_COMUNE_COOKIE] = "leporano"
    assert client.get("/?source=app").status_code == 200


def test_comune_pages_offer_cambia_comune(client, leporano, alice):
    client.login(email="alice@example.org", password=PASSWORD)
    assert 'href="/?cambia=1"' in client.get("/leporano/").content.decode()


def test_the_install_help_gives_safaris_steps_and_the_play_store_link(client, settings):
    content = client.get("/app/installa/").content.decode()
    assert "Aggiungi alla schermata Home" in content
    assert "<strong>Condividi</strong>" in content and "<strong>Aggiungi</strong>" in content
    assert "16.4" in content
    assert "play.google.com" not in content
    settings.APP_ANDROID_PACKAGES = ["it.omnibus.app"]
    content = client.get("/app/installa/").content.decode()
    assert 'href="https://play.google.com/store/apps/details?id=it.omnibus.app"' in content
