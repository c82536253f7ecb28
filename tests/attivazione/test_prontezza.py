"""The "Attivazione" page: each item done or not with its link; "Verifica collegamento" against the fake pagoPA
(tests/pagamenti/fake_pagopa.py, written from gpd.json and checkout_v2.json); who may see it."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scope

from attivazione.models import VerificaCollegamento
from tests.pagamenti.conftest import configure, gpd_config  # noqa: F401 - the fake's configuration helpers
from tests.pagamenti.fake_pagopa import FakePagoPA

URL = "/leporano/ufficio/attivazione/"


@pytest.fixture
def bob_client(bob):
    client = Client()
    client.force_login(bob)
    return client


def _voci(response) -> dict[str, bool]:
    return {v.chiave: v.fatto for v in response.context["voci"]}


def test_a_new_comune_has_everything_to_do_but_the_office_account(bob_client, leporano):
    response = bob_client.get(URL)
    assert response.status_code == 200
    voci = _voci(response)
    assert voci.pop("ufficio") is True  # bob has his second factor
    assert not any(voci.values())
    page = response.content.decode()
    assert "Verifica collegamento" in page and "/admin/mensa/calendario/" in page


def test_items_turn_done_as_the_comune_fills_them(bob_client, pronto, workbook):
    from attivazione.anagrafe.importa import anagrafe_importa

    pronto.informativa_privacy = "Il titolare del trattamento è il Comune."
    pronto.save()
    anagrafe_importa(comune=pronto, files=[("a.xlsx", workbook)], applica=True)
    configure(pronto)
    voci = _voci(bob_client.get(URL))
    assert voci["privacy"] and voci["anagrafe"] and voci["saldi"] and voci["tariffe"] and voci["puntolis"]
    assert not voci["pagopa"]  # the sandbox is not a verified pagoPA
    assert not voci["lettere"]


@pytest.fixture
def pagopa():
    fake = FakePagoPA()
    yield fake
    fake.stop()


def test_verifica_collegamento_accepts_the_key_and_the_fiscal_code(bob_client, leporano, pagopa):
    gpd_config(leporano, pagopa)
    response = bob_client.post(URL + "verifica-collegamento/")
    assert response.status_code == 302
    with scope(comune=leporano):
        verifica = VerificaCollegamento.objects.get()
    assert (verifica.gpd, verifica.checkout) == ("ok", "ok")
    # gpd.json: GET debtpositions/{iupd} with the subscription key; an unknown iupd is a 404 ProblemJson.
    lettura = next(r for r in pagopa.requests if r["operation"] == "gpd_read")
    assert lettura["api_key"] and f"/organizations/{leporano.codice_fiscale}/" in lettura["path"]
    assert _voci(bob_client.get(URL))["pagopa"] is True


def test_verifica_collegamento_names_a_refused_key(bob_client, leporano, pagopa):
    gpd_config(leporano, pagopa)
    from pagamenti.models import ConfigurazionePagamenti

    with scope(comune=leporano):
        ConfigurazionePagamenti.objects.filter(comune=leporano).update(gpd_api_key="chiave-sbagliata")
    response = bob_client.post(URL + "verifica-collegamento/", follow=True)
    assert "Collegamento a pagoPA non riuscito" in response.content.decode()
    with scope(comune=leporano):
        assert VerificaCollegamento.objects.get().gpd.startswith("HTTP 401")
    assert _voci(response)["pagopa"] is False


def test_verifica_without_gpd_says_so(bob_client, leporano):
    configure(leporano)
    response = bob_client.post(URL + "verifica-collegamento/", follow=True)
    assert "non è pagoPA GPD" in response.content.decode()


@pytest.mark.parametrize("path", ["", "verifica-collegamento/", "lettere/"])
def test_others_find_nothing(path, leporano, alice, dora, bob):
    url = URL + path
    assert Client().get(url).status_code == 302  # to the login
    for user in (alice, dora):  # a family, another comune's office
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=bob).delete()
    staff = Client()
    staff.force_login(bob)
    assert staff.get(url).status_code == 302  # to set up the second factor first


def test_the_platform_administrator_sees_the_checklist(admin_user, leporano):
    client = Client()
    client.force_login(admin_user)
    assert client.get(URL).status_code == 200
