"""The portal installs as the comune's app: Chromium finds nothing missing, and without network the
service worker shows the offline page instead of a family's data."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def app_page(browser, tmp_path):
    # A persistent profile: Chromium never offers to install from an incognito context, which is
    # what browser.new_context() makes.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profilo"), executable_path=CHROMIUM, headless=True, locale="it-IT",
        viewport={"width": 390, "height": 844},
        args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-dev-shm-usage",
              "--bypass-app-banner-engagement-checks"],
    )
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(30000)
    yield page
    context.close()


def _login(page, base_url):
    page.goto(base_url + "/login/leporano/")
    page.get_by_label("Indirizzo e-mail").fill("alice@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url("**/leporano/")


def test_chromium_reports_no_installability_error_and_shows_the_offline_page(live_server, app_page, leporano, alice):
    page = app_page
    _login(page, live_server.url)
    scope = page.evaluate("navigator.serviceWorker.ready.then(function (r) { return r.scope; })")
    assert scope == live_server.url + "/leporano/"
    cdp = page.context.new_cdp_session(page)
    page.reload()  # the page is now controlled by the worker, as an installed app would be
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == []
    assert '"Omnibus – Comune di Leporano"' in manifest["data"]
    # Chromium fires beforeinstallprompt: the family sees "Installa l'app".
    page.get_by_role("button", name="Installa l'app").wait_for()

    page.context.set_offline(True)
    page.goto(live_server.url + "/leporano/i-miei-dati/")
    expect(page.get_by_role("heading", name="Sei offline")).to_be_visible()
    assert "alice@example.org" not in page.content()
    page.context.set_offline(False)
    page.goto(live_server.url + "/leporano/")
    expect(page.get_by_role("heading", name="CITTADINO")).to_be_visible()


IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")


def test_an_iphone_gets_the_add_to_home_screen_guide(live_server, browser, leporano, alice):
    context = browser.new_context(locale="it-IT", viewport={"width": 390, "height": 844}, user_agent=IPHONE)
    page = context.new_page()
    try:
        _login(page, live_server.url)
        guide = page.locator("#app-installa-ios")
        guide.wait_for()
        assert "Aggiungi alla schermata Home" in guide.inner_text()
        expect(page.get_by_role("button", name="Installa l'app")).to_be_hidden()
    finally:
        context.close()
