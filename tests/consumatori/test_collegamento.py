"""Linking a family to its children: one-time codes, "richiedi associazione", brute force, neighbours."""

from __future__ import annotations

import datetime
import html

import pytest
from django.utils import timezone
from django_scopes import scope

from consumatori.linking import (
    LINK_CODE_INVALID,
    LINK_CODE_LOCKED,
    REQUEST_CONSUMER_NOT_FOUND,
    REQUEST_REASON_REQUIRED,
    codice_collegamento_create,
    richiesta_associazione_decide,
    tutele_link_by_codice_fiscale,
)
from consumatori.models import CodiceCollegamento, RichiestaAssociazione, StatoAssociazione, Tutore
from tests.factories import ConsumatoreFactory, TutoreFactory, UserFactory, cf_for


@pytest.fixture
def giulia(leporano):
    """A Leporano pupil whose second parent (no codice fiscale recorded) has no account yet."""
    child = ConsumatoreFactory(comune=leporano, nome="Giulia", cognome="Caramia")
    tutore = TutoreFactory(comune=leporano, consumatore=child, nome="Paolo", cognome="Caramia")
    return tutore


@pytest.fixture
def paolo(db):
    return UserFactory(email="paolo@example.org", first_name="Paolo", last_name="Caramia")


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _redeem(client, code: str, comune: str = "leporano"):
    return client.post(f"/{comune}/collega/", {"azione": "codice", "c-codice": code})


def test_a_linking_code_links_the_child_once(client, giulia, paolo, bob, leporano):
    row, code = codice_collegamento_create(tutore=giulia, creato_da=bob)
    assert len(code) == 14 and code.count("-") == 2
    assert code.replace("-", "") not in row.impronta  # only a keyed hash is stored
    client.force_login(paolo)
    response = _redeem(client, code.lower())  # typed in lower case, still fine
    assert response["Location"] == "/leporano/"
    assert "Giulia" in client.get("/leporano/").content.decode()
    with scope(comune=leporano):
        row.refresh_from_db()
        assert row.usato_da == paolo and row.usato_il is not None


def test_a_used_code_cannot_be_used_again(client, giulia, paolo, bob):
    _, code = codice_collegamento_create(tutore=giulia, creato_da=bob)
    client.force_login(paolo)
    _redeem(client, code)
    intruder = UserFactory(email="intruso@example.org")
    client.force_login(intruder)
    response = _redeem(client, code)
    assert str(LINK_CODE_INVALID) in _page(response)
    assert "Giulia" not in client.get("/leporano/").content.decode()


def test_an_expired_code_is_refused(client, giulia, paolo, bob, leporano):
    row, code = codice_collegamento_create(tutore=giulia, creato_da=bob)
    with scope(comune=leporano):
        CodiceCollegamento.objects.filter(pk=row.pk).update(scade_il=timezone.now() - datetime.timedelta(seconds=1))
    client.force_login(paolo)
    assert str(LINK_CODE_INVALID) in _page(_redeem(client, code))


def test_a_code_of_another_comune_is_refused(client, giulia, paolo, bob, pulsano):
    _, code = codice_collegamento_create(tutore=giulia, creato_da=bob)
    client.force_login(paolo)
    assert str(LINK_CODE_INVALID) in _page(_redeem(client, code, comune="pulsano"))
    assert "Giulia" not in client.get("/pulsano/").content.decode()


def test_brute_force_is_locked_after_a_few_tries(client, giulia, paolo, bob):
    _, code = codice_collegamento_create(tutore=giulia, creato_da=bob)
    client.force_login(paolo)
    for n in range(5):
        assert str(LINK_CODE_INVALID) in _page(_redeem(client, f"AAAA-BBBB-CCC{n}"))
    # Even the right code is refused once locked.
    response = _redeem(client, code)
    assert str(LINK_CODE_LOCKED) in _page(response)
    assert "Giulia" not in client.get("/leporano/").content.decode()


def test_the_collega_page_needs_a_login(client, leporano):
    response = client.get("/leporano/collega/")
    assert response["Location"].startswith("/login/leporano/")


def test_an_association_request_links_nothing_until_staff_accept_it(client, giulia, paolo, bob, leporano):
    client.force_login(paolo)
    with scope(comune=leporano):
        cf = giulia.consumatore.codice_fiscale
    response = client.post(
        "/leporano/collega/",
        {
            "azione": "richiesta", "r-codice_fiscale_consumatore": cf, "r-relazione": "genitore",
            "r-messaggio": "Sono il papà",
        },
    )
    assert response.status_code == 302
    assert "Giulia" not in client.get("/leporano/").content.decode()
    with scope(comune=leporano):
        richiesta = RichiestaAssociazione.objects.get(utente=paolo)
    with pytest.raises(Exception) as error:
        richiesta_associazione_decide(richiesta=richiesta, staff=bob, accolta=True, motivazione=" ")
    assert str(REQUEST_REASON_REQUIRED) in str(error.value)
    richiesta_associazione_decide(richiesta=richiesta, staff=bob, accolta=True, motivazione="Verificato allo sportello")
    assert "Giulia" in client.get("/leporano/").content.decode()
    assert "Verificato allo sportello" in client.get("/leporano/collega/").content.decode()


def test_a_request_for_an_unknown_pupil_cannot_be_accepted(paolo, bob, leporano):
    with scope(comune=leporano):
        richiesta = RichiestaAssociazione.objects.create(
            comune=leporano, utente=paolo, codice_fiscale_consumatore=cf_for("Nessuno", "Nino")
        )
    with pytest.raises(Exception) as error:
        richiesta_associazione_decide(richiesta=richiesta, staff=bob, accolta=True, motivazione="ok")
    assert str(REQUEST_CONSUMER_NOT_FOUND) in str(error.value)


def test_staff_decide_requests_in_the_admin_with_a_reason(client, giulia, paolo, bob, leporano):
    with scope(comune=leporano):
        richiesta = RichiestaAssociazione.objects.create(
            comune=leporano, utente=paolo, codice_fiscale_consumatore=giulia.consumatore.codice_fiscale
        )
    client.force_login(bob)
    url = f"/admin/consumatori/richiestaassociazione/{richiesta.pk}/change/"
    assert client.get(url).status_code == 200
    client.post(url, {"decisione": "respingi", "motivazione": "Non risulta genitore"})
    with scope(comune=leporano):
        richiesta.refresh_from_db()
    assert richiesta.stato == StatoAssociazione.RESPINTA and richiesta.motivazione == "Non risulta genitore"
    assert richiesta.deciso_da == bob


def test_staff_of_another_comune_cannot_see_the_request(client, paolo, dora, leporano):
    with scope(comune=leporano):
        richiesta = RichiestaAssociazione.objects.create(
            comune=leporano, utente=paolo, codice_fiscale_consumatore=cf_for("Caramia", "Giulia")
        )
    client.force_login(dora)
    assert client.get(f"/admin/consumatori/richiestaassociazione/{richiesta.pk}/change/").status_code == 404


def test_staff_issue_a_code_in_the_admin_and_see_it_once(client, giulia, bob, leporano):
    client.force_login(bob)
    response = client.post("/admin/consumatori/codicecollegamento/add/", {"tutore": giulia.pk}, follow=True)
    body = response.content.decode()
    assert "Codice di collegamento per" in body
    with scope(comune=leporano):
        assert CodiceCollegamento.objects.filter(tutore=giulia).count() == 1


def test_only_a_spid_codice_fiscale_links_automatically(leporano):
    cf = cf_for("Caramia", "Paolo", "M", datetime.date(1980, 1, 1))
    child = ConsumatoreFactory(comune=leporano, nome="Giulia")
    TutoreFactory(comune=leporano, consumatore=child, codice_fiscale=cf)
    typed = UserFactory(codice_fiscale=cf, codice_fiscale_verificato=False)
    assert tutele_link_by_codice_fiscale(user=typed) == 0
    typed.codice_fiscale_verificato = True
    typed.save()
    assert tutele_link_by_codice_fiscale(user=typed) == 1
    assert tutele_link_by_codice_fiscale(user=typed) == 0  # idempotent
    with scope(comune=leporano):
        assert Tutore.objects.get(consumatore=child).utente == typed


def test_a_family_cannot_open_a_neighbours_child(client, alice, charlie_child, alice_children):
    client.force_login(alice)
    assert client.get(f"/leporano/consumatori/{charlie_child.pk}/").status_code == 404
    assert client.get(f"/pulsano/consumatori/{alice_children[0].pk}/").status_code == 404
