"""The pages run under a strict Content-Security-Policy without breaking: no violation is reported."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_family_pages_raise_no_csp_violation(live_server, page, alice, alice_children):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    response = page.goto(live_server.url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_label("Il tuo comune").press_sequentially("LEPO", delay=30)
    page.get_by_role("link", name="Comune di Leporano").click()
    page.get_by_label("Indirizzo e-mail").fill("alice@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url("**/leporano/")
    page.get_by_role("link", name=f"Dettaglio {alice_children[0].nome}").click()
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_the_admin_raises_no_csp_violation(live_server, page, admin_user):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    from tests.comuni.test_secondo_fattore import totp_now

    # Password, then the second factor every admin user needs (allauth's own login pages).
    page.goto(live_server.url + "/admin/")
    page.locator("input[name=login]").fill(admin_user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.locator("input[name=code]").fill(totp_now())
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/admin/")
    page.goto(live_server.url + "/admin/consumatori/consumatore/add/")
    expect(page.get_by_role("heading", name="Aggiungi consumatore")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations == []
