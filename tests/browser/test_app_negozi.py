"""The store app on a phone: the finder is its start page, it remembers the comune, "Cambia comune" forgets it;
on an iPhone the install help shows Safari's steps and the push opt-in explains the home-screen app."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")


def _login(page):
    page.get_by_label("Indirizzo e-mail").fill("alice@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url("**/leporano/")


def test_the_app_starts_at_the_finder_and_then_opens_the_comune_directly(live_server, page, alice, pulsano):
    base = live_server.url
    page.goto(base + "/?source=app")  # the start URL of the platform manifest and of the TWA
    page.get_by_label("Il tuo comune").fill("LEPO")
    page.get_by_role("link", name="Comune di Leporano").click()
    page.wait_for_url("**/login/leporano/")
    _login(page)

    # Next start of the app: straight to Leporano (the server reads the remembered comune).
    page.goto(base + "/?source=app")
    page.wait_for_url(base + "/leporano/")
    expect(page.get_by_role("heading", name="CITTADINO")).to_be_visible()

    # Without the cookie (a WebView that lost it), the device's own memory still opens Leporano.
    page.evaluate("document.cookie = 'omnibus_app_comune=; path=/; max-age=0'")
    page.goto(base + "/")
    page.wait_for_url(base + "/leporano/")

    page.get_by_role("link", name="Cambia comune").click()
    page.wait_for_url(base + "/?cambia=1")
    expect(page.get_by_label("Il tuo comune")).to_be_visible()
    assert page.evaluate("localStorage.getItem('omnibus.comune')") is None

    page.goto(base + "/?source=app")
    page.wait_for_load_state("networkidle")
    assert page.url == base + "/?source=app"
    expect(page.get_by_label("Il tuo comune")).to_be_visible()


def test_chromium_finds_the_platform_app_installable_without_a_worker_of_its_own(live_server, browser, tmp_path):
    # A persistent profile: Chromium never offers to install from an incognito context.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profilo"), executable_path=CHROMIUM, headless=True, locale="it-IT", viewport=PHONE,
        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--bypass-app-banner-engagement-checks"],
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(live_server.url + "/?source=app")
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"] == live_server.url + "/app/manifest.webmanifest"
        assert manifest["errors"] == []
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    finally:
        context.close()


# Chromium's DevTools cannot emulate the display-mode media feature: the installed app's answer is given here.
STANDALONE = """
const realMatchMedia = window.matchMedia.bind(window);
window.matchMedia = (query) => query.includes("display-mode: standalone")
  ? {matches: true, media: query, addEventListener() {}, removeEventListener() {}} : realMatchMedia(query);
"""


def test_the_installed_app_opens_the_remembered_comune_from_its_plain_start(live_server, browser, leporano):
    context = browser.new_context(locale="it-IT", viewport=PHONE)
    context.add_init_script(STANDALONE)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/login/leporano/")  # opened in the app: remembered
        assert page.evaluate("localStorage.getItem('omnibus.comune')") == "leporano"
        page.close()
        page = context.new_page()  # a new start, without the ?source=app marker
        page.goto(live_server.url + "/")
        page.wait_for_url(live_server.url + "/login/leporano/")
    finally:
        context.close()


def test_in_a_browser_tab_the_finder_stays_the_finder(live_server, page, alice):
    page.goto(live_server.url + "/login/leporano/")
    _login(page)
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    assert page.url == live_server.url + "/"
    assert page.evaluate("localStorage.getItem('omnibus.comune')") is None


@pytest.fixture
def iphone(browser):
    context = browser.new_context(locale="it-IT", viewport=PHONE, user_agent=IPHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30000)
    yield page
    context.close()


def test_an_iphone_sees_safaris_steps_and_why_push_needs_the_home_screen_app(live_server, iphone, alice):
    iphone.goto(live_server.url + "/")
    iphone.get_by_role("link", name="Installa l'app Omnibus sul telefono").click()
    steps = iphone.locator("#installa-iphone")
    expect(steps).to_be_visible()
    expect(steps).to_contain_text("Aggiungi alla schermata Home")
    expect(steps).to_contain_text("Condividi")
    expect(iphone.locator("#installa-android")).to_be_hidden()

    iphone.goto(live_server.url + "/login/leporano/")
    _login(iphone)
    iphone.goto(live_server.url + "/leporano/messaggi/notifiche/")
    note = iphone.locator("#push-ios")
    expect(note).to_be_visible()
    expect(note).to_contain_text("16.4")
    expect(note).to_contain_text("Aggiungi alla schermata Home")
    expect(iphone.get_by_role("button", name="Attiva le notifiche su questo dispositivo")).to_be_hidden()
    expect(iphone.locator("#push-ios-versione")).to_be_hidden()
