"""axe-core (WCAG 2.1 A/AA, tests/browser/vendor/axe.min.js) on every page of the portal, in the data states a
family and a clerk meet (issue 20): families with and without children, enrolment open (Leporano) and closed
(Pulsano), every message variant (success, info, warning, error) and the callouts the pages show, the public
menu on a holiday week, the enrolment, account and second-factor pages, and the staff pages.

One browser, one context per person (logged in once, reused for all their pages).
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory
from django_scopes import scope

from comuni.models import Ruolo
from comuni.services import incarico_assign
from iscrizioni.models import FinestraIscrizione
from pagamenti.models import Servizio
from tests.factories import UserFactory, totp_activate
from tests.mensa.conftest import Clock, setup_mensa
from tests.mensa.menu.conftest import build_menu
from tests.trasporto.factories import FermataFactory, LineaFactory

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# One message of every level the pages render (base.html: alert-success, -info, -warning, -danger).
MESSAGGI = [(constants.SUCCESS, "Assenza registrata."), (constants.INFO, "Nulla da cambiare."),
            (constants.WARNING, "Il mese indicato non è valido."), (constants.ERROR, "Giorno: indica una data.")]


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


class Auditor:
    """Audits pages in one browser; each person's context logs in once and is reused."""

    def __init__(self, browser, live_server):
        self.browser, self.url, self.contexts, self.violations = browser, live_server.url, {}, []

    def _page(self, user):
        key = user.pk if user is not None else None
        if key not in self.contexts:
            # The portal's CSP forbids injected scripts; the audit context bypasses it (the pages are unchanged).
            context = self.browser.new_context(locale="it-IT", viewport={"width": 390, "height": 844},
                                               bypass_csp=True)
            if user is not None:
                client = Client()
                client.force_login(user)
                session = client.session
                # As allauth records a password just confirmed (allauth.account.internal.flows.login).
                session["account_authentication_methods"] = [
                    {"method": "password", "at": time.time(), "email": user.email, "reauthenticated": True}]
                session["account_authentication_methods_user"] = str(user.pk)
                session.save()
                context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                      "url": self.url}])
            page = context.new_page()
            page.set_default_timeout(30000)
            self.contexts[key] = page
        return self.contexts[key]

    def check(self, page, label: str) -> None:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG21_AA)
        self.violations += [f"{label}: {v['id']} ({v['impact']}) {[n['target'] for n in v['nodes']][:3]}"
                            for v in result["violations"]]
        # Text the colour of its background (1:1, a button that looks empty) is only "incomplete" for axe.
        self.violations += [
            f"{label}: color-contrast 1:1 {n['target']}" for v in result["incomplete"] if v["id"] == "color-contrast"
            for n in v["nodes"] if any((c.get("data") or {}).get("messageKey") == "equalRatio" for c in n["any"])]

    def audit(self, user, *paths: str, messaggi: bool = False) -> None:
        page = self._page(user)
        for path in paths:
            if messaggi:
                encoded = CookieStorage(RequestFactory().get("/"))._encode([Message(*m) for m in MESSAGGI])
                page.context.add_cookies([{"name": "messages", "value": encoded, "url": self.url}])
            page.goto(self.url + path)
            assert page.url == self.url + path, f"{path} redirected to {page.url}"
            if messaggi:
                assert page.locator(".alert-danger, .alert-warning, .alert-info, .alert-success").count() >= 4, path
            self.check(page, path)

    def close(self) -> None:
        for page in self.contexts.values():
            page.context.close()


@pytest.fixture
def auditor(browser, live_server):
    auditor = Auditor(browser, live_server)
    yield auditor
    auditor.close()


def _staff(comune, email, ruolo=None, totp=True):
    user = UserFactory(email=email)
    if ruolo is not None:
        incarico_assign(user=user, comune=comune, ruolo=ruolo)
    if totp:
        totp_activate(user)  # staff log in with their second factor (comuni.access)
    return user


def test_every_page_in_every_state_has_no_wcag_violation(auditor, clock, leporano, pulsano, alice, alice_children,
                                                          bob, charlie, charlie_child):
    clock.set(datetime.date(2026, 12, 7), 8, 0)  # the week of the Immacolata
    setup_mensa(leporano, alice_children)
    build_menu(leporano)
    child = alice_children[0]
    with scope(comune=leporano):
        anno = child.classe.anno_scolastico
        for servizio in (Servizio.MENSA, Servizio.TRASPORTO):  # Leporano's enrolment is open
            FinestraIscrizione.objects.create(comune=leporano, anno_scolastico=anno, servizio=servizio,
                                              apre_il=datetime.date(2026, 12, 1), chiude_il=datetime.date(2026, 12, 31))
    linea = LineaFactory(comune=leporano, nome="Linea Gandoli", anno_scolastico=anno)
    FermataFactory(linea=linea, ordine=1, nome="Piazza Castello", indirizzo="Piazza Castello",
                   ora_andata=datetime.time(7, 35), ora_ritorno=datetime.time(13, 50))
    operatore = _staff(leporano, "operatore@example.org", Ruolo.OPERATORE_MENSA)
    autista = _staff(leporano, "autista@example.org")
    with scope(comune=leporano):
        linea.accompagnatori.add(autista)
    nuova = UserFactory(email="nuova.famiglia@example.org")  # registered, no child linked yet
    admin = UserFactory(email="admin@omnibus.example", is_staff=True, is_superuser=True)
    totp_activate(admin)

    # Public pages, the login and the menu of a holiday week.
    auditor.audit(None, "/", "/login/leporano/", "/registrati/leporano/", "/privacy/leporano/",
                  "/leporano/menu/?settimana=2026-12-07", "/leporano/menu/", "/leporano/accessibilita/")
    # A family with children, enrolment open: home (callout important), Dettaglio, bus, payments, messages,
    # enrolment, account and second-factor set-up pages; then every message variant on its pages.
    auditor.audit(alice, "/leporano/", f"/leporano/consumatori/{child.pk}/?mese=2026-12",
                  f"/leporano/trasporto/{child.pk}/", "/leporano/pagamenti/", "/leporano/pagamenti/puntolis/",
                  "/leporano/ricarica/", "/leporano/carrello/", "/leporano/messaggi/", "/leporano/messaggi/notifiche/",
                  "/leporano/i-miei-dati/", "/leporano/collega/", "/leporano/iscrizioni/",
                  "/leporano/iscrizioni/nuova/", "/accounts/email/", "/accounts/password/change/", "/accounts/2fa/",
                  "/accounts/reauthenticate/")
    auditor.audit(alice, "/leporano/", f"/leporano/consumatori/{child.pk}/?mese=2026-12", messaggi=True)
    # A family with no child yet: its only button, "Collega un figlio", inside a callout note.
    auditor.audit(nuova, "/leporano/", "/leporano/collega/", "/leporano/iscrizioni/")
    # Enrolment closed (Pulsano opened no window).
    auditor.audit(charlie, "/pulsano/", "/pulsano/iscrizioni/")
    # The staff pages, with every message variant on the office's.
    auditor.audit(bob, "/leporano/ufficio/", "/leporano/ufficio/morosi/", "/leporano/ufficio/solleciti/",
                  "/leporano/ufficio/report/", "/leporano/ufficio/correzioni/",
                  "/leporano/pagamenti/riconciliazione/",
                  "/leporano/pagamenti/riconciliazione/giorni/", "/leporano/pagamenti/riconciliazione/senza-flusso/",
                  "/leporano/pagamenti/riconciliazione/puntolis/", "/admin/", "/accounts/2fa/",
                  "/accounts/2fa/recovery-codes/")
    auditor.audit(bob, "/leporano/ufficio/", messaggi=True)
    auditor.audit(operatore, "/leporano/mensa/operatore/", "/leporano/mensa/cucina/")
    auditor.audit(autista, "/leporano/trasporto/bordo/", f"/leporano/trasporto/bordo/{linea.pk}/")
    auditor.audit(admin, "/admin/")

    # A new clerk's TOTP set-up, and a family's (allauth asks a recent login there: the session records one).
    nuovo = _staff(leporano, "nuovo.impiegato@example.org", Ruolo.UFFICIO_SCUOLA, totp=False)
    auditor.audit(nuovo, "/accounts/2fa/totp/activate/")
    auditor.audit(alice, "/accounts/2fa/totp/activate/")
    # The second factor asked at login (a clerk with TOTP): the login is posted, its pending session audited.
    client = Client()
    response = client.post("/login/leporano/", {"login": bob.email, "password": "Password-di-prova-1"})
    assert "/accounts/2fa/authenticate/" in response["Location"]
    page = auditor.browser.new_context(locale="it-IT", bypass_csp=True).new_page()
    try:
        page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                   "url": auditor.url}])
        page.goto(auditor.url + "/accounts/2fa/authenticate/")
        assert page.locator("input[name=code]").count() == 1
        auditor.check(page, "second factor at login")
    finally:
        page.context.close()
    assert not auditor.violations, "\n".join(auditor.violations)
