"""Every family form and query parameter, fed extreme and malformed values: never a 5xx, nothing half-written."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope
from hypothesis import example, given
from hypothesis import strategies as st

from mensa.models import Assenza
from pagamenti.models import Movimento, Posizione
from tests.mensa.conftest import setup_mensa
from tests.pagamenti.conftest import configure

from .conftest import assert_answered, nasty_text, path_ints, with_extremes


@pytest.fixture
def family(client, clock, leporano, alice, alice_children, charlie_child):
    setup_mensa(leporano, alice_children)
    configure(leporano)
    client.force_login(alice)
    return client


def _untouched_ledger(leporano) -> None:
    with scope(comune=leporano):
        assert not Movimento.objects.exists(), "a family request wrote to the ledger"


def _absences_inside_the_school_year(leporano) -> None:
    with scope(comune=leporano):
        for assenza in Assenza.objects.select_related("consumatore__classe__anno_scolastico"):
            anno = assenza.consumatore.classe.anno_scolastico
            assert anno.data_inizio <= assenza.giorno <= anno.data_fine


@given(mese=nasty_text)
@with_extremes("mese")
def test_dettaglio_month(family, alice_children, mese):
    child = alice_children[0]
    url = reverse("cittadino:consumatore", kwargs={"comune": "leporano", "pk": child.pk})
    assert_answered(family.get(url, {"mese": mese}))


@given(dal=nasty_text, al=st.one_of(st.just(""), nasty_text), mese=nasty_text, htmx=st.booleans())
@with_extremes("dal", "mese", al="", htmx=False)
def test_absence_form(family, leporano, alice_children, dal, al, mese, htmx):
    url = reverse("mensa:assenza_nuova", kwargs={"comune": "leporano", "pk": alice_children[0].pk})
    headers = {"HX-Request": "true"} if htmx else {}
    assert_answered(family.post(url, {"dal": dal, "al": al, "mese": mese}, headers=headers))
    _absences_inside_the_school_year(leporano)
    _untouched_ledger(leporano)


@given(giorno=nasty_text, mese=nasty_text)
@with_extremes("giorno", "mese")
def test_absence_withdrawal_form(family, leporano, alice_children, giorno, mese):
    url = reverse("mensa:assenza_ritira", kwargs={"comune": "leporano", "pk": alice_children[0].pk})
    assert_answered(family.post(url, {"giorno": giorno, "mese": mese}))
    _untouched_ledger(leporano)


@given(pk=path_ints, anno=path_ints, token=st.uuids(), indice=path_ints)
@example(pk=0, anno=0, token=uuid.UUID(int=0), indice=0)
@example(pk=10**30, anno=9999, token=uuid.UUID(int=2**128 - 1), indice=2**63)
def test_ids_years_and_tokens_in_paths(family, pk, anno, token, indice):
    comune = "leporano"
    for url in (
        reverse("cittadino:consumatore", kwargs={"comune": comune, "pk": pk}),
        reverse("trasporto:consumatore", kwargs={"comune": comune, "pk": pk}),
        reverse("pagamenti:ricarica_consumatore", kwargs={"comune": comune, "pk": pk}),
        reverse("pagamenti:puntolis_dettaglio", kwargs={"comune": comune, "pk": pk}),
        reverse("pagamenti:estratto", kwargs={"comune": comune, "pk": pk, "anno": anno}),
        reverse("pagamenti:posizione", kwargs={"comune": comune, "token": token}),
        reverse("pagamenti:avviso_pdf", kwargs={"comune": comune, "token": token}),
        reverse("pagamenti:ricevuta_pdf", kwargs={"comune": comune, "token": token}),
    ):
        assert_answered(family.get(url))
    assert_answered(family.post(reverse("pagamenti:carrello_rimuovi", kwargs={"comune": comune, "indice": indice})))


@given(importo=nasty_text, servizio=nasty_text)
@with_extremes("importo", "servizio")
def test_topup_amounts(family, leporano, alice_children, importo, servizio):
    comune = "leporano"
    assert_answered(family.get(reverse("pagamenti:ricarica", kwargs={"comune": comune}), {"importo": importo}))
    assert_answered(family.get(reverse("pagamenti:ricarica_consumatori", kwargs={"comune": comune}),
                               {"importo": importo}))
    url = reverse("pagamenti:ricarica_consumatore", kwargs={"comune": comune, "pk": alice_children[0].pk})
    assert_answered(family.get(url, {"importo": importo, "servizio": servizio}))
    assert_answered(family.post(url, {"importo": importo, "servizio": servizio}))
    # Whatever reached the cart is a valid amount within the comune's limits.
    for riga in family.session.get("carrello", {}).get("righe", []):
        assert Decimal("5.00") <= Decimal(riga["importo"]) <= Decimal("500.00")
    assert_answered(family.get(reverse("pagamenti:carrello", kwargs={"comune": comune})))
    _untouched_ledger(leporano)


@given(chiave=nasty_text, modalita=nasty_text, dichiaro=nasty_text)
@with_extremes("chiave", "modalita", "dichiaro")
def test_checkout_form(family, leporano, alice_children, chiave, modalita, dichiaro):
    url = reverse("pagamenti:ricarica_consumatore", kwargs={"comune": "leporano", "pk": alice_children[0].pk})
    family.post(url, {"importo": "25,00", "servizio": "mensa"})
    checkout = reverse("pagamenti:checkout", kwargs={"comune": "leporano"})
    assert_answered(family.post(checkout, {"chiave": chiave, "modalita": modalita, "dichiaro": dichiaro}))
    with scope(comune=leporano):
        for posizione in Posizione.objects.prefetch_related("righe"):
            assert posizione.importo == sum(r.importo for r in posizione.righe.all())
    _untouched_ledger(leporano)


@given(q=nasty_text, email=nasty_text, codice=nasty_text, cf=nasty_text, relazione=nasty_text, testo=nasty_text,
       azione=st.sampled_from(["codice", "richiesta", "", "altro"]))
@with_extremes("q", "email", "codice", "cf", "relazione", "testo", azione="codice")
def test_other_family_forms(family, leporano, q, email, codice, cf, relazione, testo, azione):
    assert_answered(family.get(reverse("comune_finder"), {"q": q}))
    assert_answered(family.get(reverse("home"), {"q": q}))
    assert_answered(family.post(reverse("collegamento:collega", kwargs={"comune": "leporano"}), {
        "azione": azione, "c-codice": codice, "r-codice_fiscale_consumatore": cf, "r-relazione": relazione,
        "r-messaggio": testo}))
    assert_answered(family.post(reverse("notifiche:lette", kwargs={"comune": "leporano"}), {"ids": q}))
    assert_answered(family.get(reverse("notifiche:elenco", kwargs={"comune": "leporano"}), {"page": q}))
    assert_answered(family.get(reverse("pagamenti:pagamenti", kwargs={"comune": "leporano"}), {"page": q}))
    _untouched_ledger(leporano)


@given(email=nasty_text, password=nasty_text, nome=nasty_text, cf=nasty_text, telefono=nasty_text,
       next_url=nasty_text)
@with_extremes("email", "password", "nome", "cf", "telefono", "next_url")
def test_login_and_registration_forms(client, leporano, email, password, nome, cf, telefono, next_url):
    assert_answered(client.post(reverse("comune_login", kwargs={"comune": "leporano"}) + "?next=" + next_url[:200],
                                {"login": email, "password": password}))
    assert_answered(client.post(reverse("comune_signup", kwargs={"comune": "leporano"}), {
        "email": email, "password1": password, "password2": password, "first_name": nome, "last_name": nome,
        "codice_fiscale": cf, "telefono": telefono, "consenso_privacy": "on"}))
