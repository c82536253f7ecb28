"""SPID/CIE claims as the federation names them (italia/spid-cie-oidc-docs, docs/it/attributi_utente.rst):
the codice fiscale is `https://attributes.eid.gov.it/fiscal_number` with value `TINIT-<cf>`; gateways may
map it to `fiscal_number` or `fiscalNumber`; relying parties ask with the `claims` parameter; CIE often
sends no e-mail."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django_scopes import scope

from comuni.models import User
from consumatori.models import Tutore
from identita.claims import FISCAL_NUMBER_CLAIM, claims_of, codice_fiscale_from_claims
from idp_test.models import NomeClaimCodiceFiscale

from .test_spid_cie import PADRE_CF, _login_at_provider, famiglia  # noqa: F401 - fixture

CF = "RSSMRA80A01H501U"


@pytest.mark.parametrize("name", [FISCAL_NUMBER_CLAIM, "fiscal_number", "fiscalNumber"])
def test_each_naming_of_the_fiscal_number_is_read(name):
    assert codice_fiscale_from_claims({name: f"TINIT-{CF}"}) == CF
    assert codice_fiscale_from_claims({name: CF.lower()}) == CF


def test_a_malformed_or_missing_fiscal_number_is_none():
    assert codice_fiscale_from_claims({FISCAL_NUMBER_CLAIM: "TINIT-NONVALIDO"}) is None
    assert codice_fiscale_from_claims({FISCAL_NUMBER_CLAIM: 12345}) is None
    assert codice_fiscale_from_claims({"email": "x@example.org"}) is None


def test_userinfo_completes_the_id_token():
    claims = claims_of({"id_token": {FISCAL_NUMBER_CLAIM: f"TINIT-{CF}", "nonce": "n"},
                        "userinfo": {"given_name": "Mario", "email": "m@example.org"}})
    assert codice_fiscale_from_claims(claims) == CF and claims["given_name"] == "Mario"


pytestmark_live = pytest.mark.django_db(transaction=True)


@pytestmark_live
def test_the_authorization_request_asks_for_the_claims(browser, famiglia):  # noqa: F811
    chooser = browser.press("spid")
    next_url = parse_qs(urlsplit(chooser.url).query)["next"][0]
    asked = json.loads(parse_qs(urlsplit(next_url).query)["claims"][0])
    assert asked["userinfo"][FISCAL_NUMBER_CLAIM] == {"essential": True}
    assert {"given_name", "family_name", "email"} <= set(asked["userinfo"])


@pytestmark_live
@pytest.mark.parametrize("naming", [NomeClaimCodiceFiscale.UFFICIALE, NomeClaimCodiceFiscale.BREVE,
                                    NomeClaimCodiceFiscale.CAMEL])
def test_a_login_links_the_children_whatever_the_claim_name(browser, famiglia, identita, leporano, naming):  # noqa: F811
    padre = identita(codice_fiscale=PADRE_CF, nome="Giuseppe", cognome="Lacaita", email="giuseppe@spid.example",
                     claim_codice_fiscale=naming)
    page = _login_at_provider(browser, padre)
    assert "Sofia" in page.text and "Leonardo" in page.text
    user = User.objects.get(codice_fiscale=PADRE_CF)
    with scope(comune=leporano):
        assert Tutore.objects.filter(utente=user).count() == 2


@pytestmark_live
def test_a_cie_login_without_email_asks_for_one_to_verify(browser, famiglia, identita, leporano):  # noqa: F811
    padre = identita(codice_fiscale=PADRE_CF, nome="Giuseppe", cognome="Lacaita", email="")
    page = _login_at_provider(browser, padre, "cie")
    assert "Manca l&#x27;indirizzo e-mail" in page.text or "Manca l'indirizzo e-mail" in page.text
    assert "password" not in page.text.lower()
    bad = browser.post("/accounts/3rdparty/signup/", {"email": "non-una-mail"})
    assert bad.status_code == 200 and "email" in bad.text.lower()
    assert not User.objects.filter(codice_fiscale=PADRE_CF).exists()
    mail.outbox.clear()
    done = browser.follow(browser.post("/accounts/3rdparty/signup/", {"email": "giuseppe@example.org"}))
    user = User.objects.get(codice_fiscale=PADRE_CF)
    assert user.email == "giuseppe@example.org" and user.codice_fiscale_verificato
    address = EmailAddress.objects.get(user=user)
    assert address.email == "giuseppe@example.org" and not address.verified
    assert [m.to for m in mail.outbox] == [["giuseppe@example.org"]]
    with scope(comune=leporano):
        assert Tutore.objects.filter(utente=user).count() == 2
    assert done.status_code == 200
