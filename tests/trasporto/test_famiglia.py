"""The family sees route, stop, times, balance and boardings; never another family's child."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tests.factories import UserFactory
from trasporto.models import Tratta
from trasporto.selectors import trasporto_for_consumatore
from trasporto.services import mensilita_debit, salita_mark


def _url(comune, pk):
    return reverse("trasporto:consumatore", kwargs={"comune": comune, "pk": pk})


def _enrol_today(enrol, child, linea):
    """An enrolment that covers today, whatever the date the suite runs on."""
    from tests.factories import AnnoScolasticoFactory

    oggi = timezone.localdate()
    anno = AnnoScolasticoFactory(comune=linea.comune, nome="corrente", data_inizio=oggi - datetime.timedelta(days=100),
                                 data_fine=oggi + datetime.timedelta(days=100))
    with scope(comune=linea.comune):
        linea.anno_scolastico = anno
        linea.save()
    return enrol(child, data_inizio=oggi - datetime.timedelta(days=30), data_fine=oggi + datetime.timedelta(days=10))


def test_the_family_sees_route_stop_times_and_the_fee(client, alice, alice_children, enrol, linea):
    child = alice_children[0]
    _enrol_today(enrol, child, linea)
    with scope(comune=linea.comune):
        mensilita_debit(comune=linea.comune, mese=f"{timezone.localdate():%Y-%m}")
    client.force_login(alice)
    response = client.get(_url("leporano", child.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Trasporto scolastico" in body
    assert "Linea Gandoli" in body
    assert "Gandoli, Via Gandoli" in body
    assert "07:45" in body and "13:40" in body
    assert "Andata e ritorno" in body
    assert "-25,00 €" in body or "-25.00 €" in body


def test_a_child_not_on_the_bus_says_so(client, alice, alice_children, leporano_trasporto):
    client.force_login(alice)
    body = client.get(_url("leporano", alice_children[0].pk)).content.decode()
    assert "Non iscritto al trasporto scolastico." in body


def test_another_family_child_answers_404(client, alice, charlie, alice_children, charlie_child, enrol):
    enrol(alice_children[0])
    client.force_login(charlie)
    assert client.get(_url("pulsano", alice_children[0].pk)).status_code == 404
    assert client.get(_url("leporano", alice_children[0].pk)).status_code == 404
    client.force_login(alice)
    assert client.get(_url("leporano", charlie_child.pk)).status_code == 404
    assert client.get(_url("pulsano", charlie_child.pk)).status_code == 404


def test_anonymous_visitors_go_to_the_comune_login(client, alice_children):
    response = client.get(_url("leporano", alice_children[0].pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/leporano/")


def test_the_family_sees_that_its_child_boarded(client, alice, alice_children, enrol, linea):
    iscrizione = _enrol_today(enrol, alice_children[0], linea)
    driver = UserFactory()
    with scope(comune=linea.comune):
        salita_mark(iscrizione=iscrizione, data=timezone.localdate(), tratta=Tratta.ANDATA, salito=True,
                    registrata_da=driver)
    client.force_login(alice)
    body = client.get(_url("leporano", alice_children[0].pk)).content.decode()
    assert "Saliti a bordo" in body
    assert "Andata: salito a bordo" in body


def test_the_page_runs_a_fixed_number_of_queries(client, alice, alice_children, enrol, linea, fermate,
                                                  django_assert_num_queries):
    child = alice_children[0]
    iscrizione = _enrol_today(enrol, child, linea)
    client.force_login(alice)
    url = _url("leporano", child.pk)
    client.get(url)
    # 1 session, 2 user, 3 consumer, 4 enrolments with route, year and stop, 5 recent boardings,
    # 6 transport balance (the comune is cached after the first request).
    with django_assert_num_queries(6):
        client.get(url)
    driver = UserFactory()
    oggi = timezone.localdate()
    with scope(comune=linea.comune):
        for days in range(5):
            for tratta in Tratta.values:
                salita_mark(iscrizione=iscrizione, data=oggi - datetime.timedelta(days=days), tratta=tratta,
                            salito=True, registrata_da=driver)
        mensilita_debit(comune=linea.comune, mese=f"{oggi:%Y-%m}")
    enrol(child, data_inizio=oggi + datetime.timedelta(days=40), fermata=fermate[0])
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count("salito a bordo") == 10


def test_the_partial_renders_for_the_detail_page(alice_children, enrol, leporano_trasporto):
    enrol(alice_children[0])
    with scope(comune=leporano_trasporto):
        iscrizioni = trasporto_for_consumatore(consumatore=alice_children[0], oggi=datetime.date(2026, 4, 20))
        html = render_to_string("trasporto/_dettaglio.html", {"iscrizioni_trasporto": iscrizioni})
    assert "Linea Gandoli" in html and "Gandoli" in html and "07:45" in html


def test_a_neighbour_in_the_same_comune_gets_404(client, alice_children, enrol, leporano_trasporto):
    from tests.factories import ConsumatoreFactory, TutoreFactory

    enrol(alice_children[0])
    neighbour = UserFactory(email="vicina@example.org")
    child = ConsumatoreFactory(comune=leporano_trasporto, nome="Gaia", cognome="Stasi")
    TutoreFactory(comune=leporano_trasporto, consumatore=child, utente=neighbour)
    client.force_login(neighbour)
    assert client.get(_url("leporano", alice_children[0].pk)).status_code == 404
    assert client.get(_url("leporano", child.pk)).status_code == 200


def test_the_consumer_dettaglio_shows_the_bus_only_to_enrolled_children(client, alice, alice_children, enrol, linea):
    enrolled, not_enrolled = alice_children
    _enrol_today(enrol, enrolled, linea)
    client.force_login(alice)

    def dettaglio(child):
        url = reverse("cittadino:consumatore", kwargs={"comune": "leporano", "pk": child.pk})
        return client.get(url).content.decode()

    body = dettaglio(enrolled)
    assert 'id="trasporto-titolo"' in body
    assert linea.nome in body
    assert 'id="trasporto-titolo"' not in dettaglio(not_enrolled)
