"""WCAG 2.1 A/AA with axe-core (vendored: tests/browser/vendor/axe.min.js, axe-core 4.14.1 from the npm
registry, MPL-2.0) on the family, operator and staff pages; and the comune's accessibility statement."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope

from comuni.models import Ruolo
from comuni.services import incarico_assign
from pwa.models import DichiarazioneAccessibilita
from tests.factories import UserFactory, totp_activate
from tests.mensa.conftest import Clock, setup_mensa

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def axe_page(browser, live_server):
    # The portal's CSP forbids injected scripts; the audit context bypasses it (the pages are unchanged).
    context = browser.new_context(locale="it-IT", viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30000)

    def audit(user, path: str) -> list[str]:
        if user is not None:
            client = Client()
            client.force_login(user)
            context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                  "url": live_server.url}])
        page.goto(live_server.url + path)
        assert page.url == live_server.url + path, f"{path} redirected to {page.url}"
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG21_AA)
        context.clear_cookies()
        return [f"{path}: {v['id']} ({v['impact']}) {[n['target'] for n in v['nodes']][:3]}"
                for v in result["violations"]]

    yield audit
    context.close()


def test_family_operator_and_staff_pages_have_no_wcag_violation(axe_page, clock, leporano, alice, alice_children,
                                                                  bob):
    setup_mensa(leporano, alice_children)
    operatore = UserFactory(email="operatore@example.org")
    incarico_assign(user=operatore, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA)
    totp_activate(operatore)
    child = alice_children[0]
    violations = []
    for user, path in [
        (None, "/login/leporano/"),
        (None, "/leporano/accessibilita/"),
        (None, "/leporano/offline/"),
        (alice, "/leporano/"),
        (alice, f"/leporano/consumatori/{child.pk}/?mese=2026-11"),
        (alice, "/leporano/messaggi/"),
        (alice, "/leporano/messaggi/notifiche/"),
        (alice, "/leporano/pagamenti/"),
        (alice, "/leporano/ricarica/"),
        (alice, "/leporano/i-miei-dati/"),
        (operatore, "/leporano/mensa/operatore/"),
        (operatore, "/leporano/mensa/cucina/"),
        (bob, "/admin/"),
        (bob, "/admin/notifiche/servizioio/add/"),
        (bob, "/admin/consumatori/consumatore/"),
    ]:
        violations += axe_page(user, path)
    assert violations == []


def test_the_footer_links_the_comunes_statement_edited_by_staff(client, leporano, pulsano):
    with scope(comune=leporano):
        DichiarazioneAccessibilita.objects.create(
            comune=leporano, testo="Questo portale è parzialmente conforme alla norma EN 301 549.",
            url_feedback="https://form.agid.gov.it/")
    page = client.get("/leporano/accessibilita/").content.decode()
    assert "parzialmente conforme" in page and "https://form.agid.gov.it/" in page
    assert 'href="/leporano/accessibilita/"' in client.get("/login/leporano/").content.decode()
    other = client.get("/pulsano/accessibilita/").content.decode()
    assert "parzialmente conforme" not in other and "non ha ancora pubblicato" in other
    assert timezone.localdate() >= datetime.date(2026, 1, 1)
