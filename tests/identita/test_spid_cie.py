"""SPID and CIE: the whole OpenID Connect code flow over HTTP against the local test identity provider."""

from __future__ import annotations

import datetime
import html

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from oauth2_provider.models import Grant

from comuni.models import User
from consumatori.models import Tutore
from identita.messages import NESSUN_ALUNNO_TROVATO
from tests.factories import ClasseFactory, ConsumatoreFactory, TutoreFactory, UserFactory, cf_for

pytestmark = pytest.mark.django_db(transaction=True)

PADRE_CF = cf_for("Lacaita", "Giuseppe", "M", datetime.date(1982, 5, 17))


@pytest.fixture
def famiglia(leporano):
    """Two children whose father the comune recorded, with his codice fiscale but no account."""
    classe = ClasseFactory(comune=leporano)
    children = []
    for nome in ("Sofia", "Leonardo"):
        child = ConsumatoreFactory(comune=leporano, nome=nome, cognome="Lacaita", classe=classe)
        TutoreFactory(comune=leporano, consumatore=child, codice_fiscale=PADRE_CF, nome="Giuseppe", cognome="Lacaita")
        children.append(child)
    return children


@pytest.fixture
def padre(identita):
    return identita(codice_fiscale=PADRE_CF, nome="Giuseppe", cognome="Lacaita", email="giuseppe@spid.example")


def _login_at_provider(browser, identita_, button="spid"):
    chooser = browser.press(button)
    assert chooser.url.startswith(browser.base + "/idp-test/")
    assert "Scegli l" in chooser.text
    return browser.follow(browser.choose_identity(chooser, identita_))


def test_the_login_page_shows_the_spid_and_cie_buttons(browser, leporano):
    page = browser.get("/login/leporano/")
    assert "Entra con SPID" in page.text and "Entra con CIE" in page.text


def test_spid_creates_the_account_and_lands_on_the_children(browser, famiglia, padre, leporano):
    page = _login_at_provider(browser, padre)
    assert page.status_code == 200
    assert page.url == browser.base + "/leporano/"
    assert "Sofia" in page.text and "Leonardo" in page.text
    user = User.objects.get(codice_fiscale=PADRE_CF)
    assert user.codice_fiscale_verificato and user.first_name == "Giuseppe" and user.email == "giuseppe@spid.example"
    with scope(comune=leporano):
        assert Tutore.objects.filter(utente=user).count() == 2


def test_cie_after_spid_finds_the_same_account(browser, famiglia, padre, leporano):
    _login_at_provider(browser, padre, "spid")
    browser.session.cookies.clear()
    page = _login_at_provider(browser, padre, "cie")
    assert "Sofia" in page.text
    assert User.objects.filter(codice_fiscale=PADRE_CF).count() == 1
    assert User.objects.get(codice_fiscale=PADRE_CF).socialaccount_set.count() == 2


def test_a_second_comune_is_a_second_link_not_a_second_account(browser, famiglia, padre, pulsano):
    child = ConsumatoreFactory(comune=pulsano, nome="Tommaso")
    TutoreFactory(comune=pulsano, consumatore=child, codice_fiscale=PADRE_CF)
    _login_at_provider(browser, padre)
    assert "Tommaso" in browser.get("/pulsano/").text
    assert "Tommaso" not in browser.get("/leporano/").text
    assert User.objects.filter(codice_fiscale=PADRE_CF).count() == 1


def test_a_fiscal_number_no_comune_knows_gets_an_account_and_a_clear_message(browser, leporano, identita):
    nessuno = identita(codice_fiscale="RSSMRA80A01H501U", nome="Mario", cognome="Rossi", email="mario@spid.example")
    page = _login_at_provider(browser, nessuno)
    assert page.url == browser.base + "/leporano/"
    assert str(NESSUN_ALUNNO_TROVATO) in html.unescape(page.text)
    with scopes_disabled():
        assert User.objects.get(codice_fiscale="RSSMRA80A01H501U").tutele.count() == 0


def test_a_typed_codice_fiscale_does_not_capture_the_spid_identity(browser, famiglia, padre, leporano):
    # Someone registered with the father's codice fiscale and another e-mail: SPID's word wins.
    squatter = UserFactory(email="altro@example.org", codice_fiscale=PADRE_CF)
    page = _login_at_provider(browser, padre)
    assert "Sofia" in page.text
    squatter.refresh_from_db()
    assert squatter.codice_fiscale is None
    assert User.objects.get(codice_fiscale=PADRE_CF).email == "giuseppe@spid.example"


def _not_logged_in(browser) -> bool:
    return browser.get("/leporano/").status_code == 302


def test_a_callback_with_a_wrong_state_is_rejected(browser, famiglia, padre):
    page = browser.get("/accounts/identita/spid/login/callback/?code=abc&state=forged")
    assert page.status_code == 401
    assert _not_logged_in(browser)


def test_a_tampered_nonce_is_rejected(browser, famiglia, padre, monkeypatch):
    from identita.provider import SpidCieProvider

    original = SpidCieProvider.get_auth_params_from_request

    def forged(self, request, action):
        params = original(self, request, action)
        params["nonce"] = "replayed-nonce"
        return params

    monkeypatch.setattr(SpidCieProvider, "get_auth_params_from_request", forged)
    page = _login_at_provider(browser, padre)
    assert "Sofia" not in page.text
    assert _not_logged_in(browser)
    assert not User.objects.filter(codice_fiscale=PADRE_CF).exists()


def test_an_expired_code_is_rejected(browser, famiglia, padre):
    chooser = browser.press("spid")
    response = browser.follow(browser.choose_identity(chooser, padre), stop_at="/login/callback/")
    with scopes_disabled():
        Grant.objects.update(expires=timezone.now() - datetime.timedelta(minutes=5))
    page = browser.follow(browser.get(response.stop_location))
    assert "Sofia" not in page.text
    assert _not_logged_in(browser)


def test_a_token_from_another_issuer_is_rejected(browser, famiglia, padre, settings):
    app = settings.SOCIALACCOUNT_PROVIDERS["spidcie"]["APPS"][0]
    app["settings"]["openid_configuration_overrides"] = {"issuer": "https://altro-gateway.example/oidc"}
    page = _login_at_provider(browser, padre)
    assert "Sofia" not in page.text
    assert _not_logged_in(browser)
