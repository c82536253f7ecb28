"""Morosi: the office lists the debtor accounts of both services, filters them and exports them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import tablib
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from mensa.models import Sospensione
from tests.factories import ClasseFactory, ConsumatoreFactory, TutoreFactory
from trasporto.models import SollecitoTrasporto

from .conftest import giorni_fa, mensilita, pasti, ricarica

URL = reverse("ufficio:morosi", kwargs={"comune": "leporano"})


@pytest.fixture
def debiti(leporano, alice_children, charlie_child):
    sofia, leonardo = alice_children[1], alice_children[0]  # ordered by nome: Leonardo, Sofia
    pasti(sofia, 10)  # 41,00 € of meals
    ricarica(sofia, "20.50", giorni_fa(55))  # covers the first five: the debt starts with the sixth meal
    pasti(leonardo, 3)  # 12,30 €
    mensilita(leonardo, "30.00", "2026-10")
    pasti(charlie_child, 4)  # Pulsano: never on Leporano's list
    return sofia, leonardo


def test_it_lists_debtors_largest_first_with_what_the_office_needs(bob_client, debiti):
    sofia, leonardo = debiti
    response = bob_client.get(URL)
    assert response.status_code == 200
    righe = response.context["pagina"].righe
    assert [(r.consumatore.nome, r.servizio, str(r.debito)) for r in righe] == [
        ("Leonardo", "trasporto", "30.00"), ("Sofia", "mensa", "20.50"), ("Leonardo", "mensa", "12.30"),
    ]
    sofia_row = righe[1]
    assert sofia_row.pasti_a_debito == 5
    assert sofia_row.debito_dal == giorni_fa(60) + datetime.timedelta(days=5)  # the sixth meal, FIFO
    assert sofia_row.ultimo_pagamento == giorni_fa(55)
    assert [t.nome for t in sofia_row.tutori] == ["Alice"]
    content = response.content.decode()
    assert "alice@example.org" in content and "20,50 €" in content
    assert "Tommaso" not in content  # charlie's child, Pulsano
    assert response.context["pagina"].totale == 3


def test_filters_narrow_the_list(bob_client, debiti, leporano):
    sofia, leonardo = debiti
    with scope(comune=leporano):
        Sospensione.objects.create(comune=leporano, consumatore=sofia, dal=giorni_fa(3), saldo=-20, episodio="x")

    def listed(**params):
        response = bob_client.get(URL, params)
        assert response.status_code == 200, response.content
        return [(r.consumatore.nome, r.servizio) for r in response.context["pagina"].righe]

    assert listed(servizio="mensa") == [("Sofia", "mensa"), ("Leonardo", "mensa")]
    assert listed(importo_minimo="20") == [("Leonardo", "trasporto"), ("Sofia", "mensa")]
    assert listed(giorni_minimi="56") == [("Leonardo", "trasporto"), ("Leonardo", "mensa")]
    assert listed(sospesi="si") == [("Sofia", "mensa")]
    assert ("Sofia", "mensa") not in listed(sospesi="no")
    assert listed(sollecitati="si") == []
    assert listed(scuola=sofia.classe.scuola_id, servizio="mensa") == [("Sofia", "mensa"), ("Leonardo", "mensa")]
    other = ClasseFactory(comune=leporano)
    assert listed(classe=other.pk) == []


def test_the_bus_reminders_sent_automatically_count_as_reminded(bob_client, debiti, leporano):
    _sofia, leonardo = debiti
    with scope(comune=leporano):
        SollecitoTrasporto.objects.create(comune=leporano, consumatore=leonardo, soglia=20, debito=30)
    response = bob_client.get(URL, {"sollecitati": "si"})
    assert [(r.consumatore.nome, r.servizio) for r in response.context["pagina"].righe] == [("Leonardo", "trasporto")]
    assert "Avviso automatico" in response.content.decode()
    others = bob_client.get(URL, {"sollecitati": "no"}).context["pagina"].righe
    assert [(r.consumatore.nome, r.servizio) for r in others] == [("Sofia", "mensa"), ("Leonardo", "mensa")]


def test_query_count_is_fixed_whatever_the_number_of_debtors(bob_client, debiti, leporano,
                                                              django_assert_num_queries):
    # session, user, incarico (3; the comune is cached, the second factor is in the session since the
    # login: comuni.access); the debtors (1, with the sums' horizon read before and after it: 3), their
    # consumers, guardians, reminders and suspensions (4); the schools and classes of the filter form (2).
    bob_client.get(URL)
    with django_assert_num_queries(12):
        bob_client.get(URL)
    for i in range(15):
        child = ConsumatoreFactory(comune=leporano, nome=f"Figlio{i}")
        TutoreFactory(comune=leporano, consumatore=child, email=f"genitore{i}@example.org")
        pasti(child, 2)
    with django_assert_num_queries(12):
        response = bob_client.get(URL)
    assert response.context["pagina"].totale == 18


def test_it_paginates(bob_client, leporano):
    for i in range(55):
        pasti(ConsumatoreFactory(comune=leporano, nome=f"Figlio{i}"), 1)
    first = bob_client.get(URL).context["pagina"]
    second = bob_client.get(URL, {"pagina": 2}).context["pagina"]
    assert (len(first.righe), len(second.righe), first.pagine) == (50, 5, 2)
    assert not {r.consumatore_id for r in first.righe} & {r.consumatore_id for r in second.righe}
    assert bob_client.get(URL, {"pagina": 99}).context["pagina"].pagina == 1


@pytest.mark.parametrize("params, campo", [
    ({"importo_minimo": "abc"}, "Debito di almeno"),
    ({"importo_minimo": "-5"}, "Debito di almeno"),
    ({"importo_minimo": "1e400"}, "Debito di almeno"),
    ({"giorni_minimi": "99999999999999999999"}, "A debito da almeno"),
    ({"scuola": "-1"}, "Scuola"),
    ({"classe": "x" * 10000}, "Classe"),
    ({"servizio": "piscina"}, "Servizio"),
    ({"sospesi": "forse"}, "Sospesi"),
    ({"pagina": "0"}, "Pagina"),
])
def test_bad_filters_name_the_field(bob_client, debiti, params, campo):
    response = bob_client.get(URL, params)
    assert response.status_code == 400
    assert any(e.startswith(campo) for e in response.context["errori"])
    assert "pagina" not in response.context or response.context.get("pagina") is None
    export = bob_client.get(reverse("ufficio:morosi_csv", kwargs={"comune": "leporano"}), params)
    assert export.status_code == 400


def test_another_comunes_school_is_not_a_valid_filter(bob_client, debiti, charlie_child):
    response = bob_client.get(URL, {"scuola": charlie_child.classe.scuola_id})
    assert response.status_code == 400
    assert response.context["errori"][0].startswith("Scuola")


@pytest.mark.parametrize("formato", ["csv", "xlsx"])
def test_export_has_every_filtered_debtor(bob_client, debiti, formato):
    url = reverse(f"ufficio:morosi_{formato}", kwargs={"comune": "leporano"})
    response = bob_client.get(url, {"servizio": "mensa"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{formato}"')
    data = tablib.Dataset().load(response.content if formato == "xlsx" else response.content.decode(), format=formato)
    importi = [(row[1], Decimal(str(row[7]))) for row in data]
    assert importi == [("Sofia", Decimal("20.5")), ("Leonardo", Decimal("12.3"))]
    assert data.headers[0] == "Cognome"
    assert "alice@example.org" in data[0][15]


@pytest.mark.parametrize("name", ["morosi", "morosi_csv", "morosi_xlsx"])
def test_only_the_comunes_office_gets_in(name, debiti, alice, charlie, dora_client, bob):
    url = reverse(f"ufficio:{name}", kwargs={"comune": "leporano"})
    assert Client().get(url).status_code == 302  # to the login
    family = Client()
    family.force_login(alice)
    assert family.get(url).status_code == 403
    assert dora_client.get(url).status_code == 403  # Pulsano's office
    # A staff member without the second factor is sent to set it up first.
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=bob).delete()
    staff = Client()
    staff.force_login(bob)
    assert staff.get(url)["Location"].endswith(reverse("mfa_activate_totp"))


def test_unknown_comune_is_404(bob_client):
    assert bob_client.get("/nessuno/ufficio/morosi/").status_code == 404
