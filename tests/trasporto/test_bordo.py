"""The phone page of drivers and assistants: only their routes, today's pupils, one tap per boarding."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tests.factories import AnnoScolasticoFactory, UserFactory, totp_activate
from trasporto.models import Percorso, Salita

from .factories import FermataFactory, LineaFactory


def _current_route(linea):
    oggi = timezone.localdate()
    anno = AnnoScolasticoFactory(comune=linea.comune, nome="corrente", data_inizio=oggi - datetime.timedelta(days=100),
                                 data_fine=oggi + datetime.timedelta(days=100))
    with scope(comune=linea.comune):
        linea.anno_scolastico = anno
        linea.save()
    return oggi


def _setup(linea, enrol, alice_children):
    oggi = _current_route(linea)
    driver = UserFactory(email="autista@example.org")
    totp_activate(driver)  # drivers see children's names: second factor, like operators
    with scope(comune=linea.comune):
        linea.accompagnatori.add(driver)
    andata = enrol(alice_children[0], data_inizio=oggi - datetime.timedelta(days=10))
    ritorno = enrol(alice_children[1], data_inizio=oggi - datetime.timedelta(days=10), percorso=Percorso.SOLO_RITORNO)
    return driver, andata, ritorno


def _url(linea):
    return reverse("trasporto:bordo_linea", kwargs={"comune": linea.comune.slug, "pk": linea.pk})


def test_the_driver_lists_his_routes(client, linea, enrol, alice_children):
    driver, *_ = _setup(linea, enrol, alice_children)
    client.force_login(driver)
    body = client.get("/leporano/trasporto/bordo/").content.decode()
    assert "Linea Gandoli" in body
    assert _url(linea) in body


def test_the_driver_marks_who_boarded_at_each_stop(client, linea, enrol, alice_children):
    driver, andata, ritorno = _setup(linea, enrol, alice_children)
    client.force_login(driver)
    body = client.get(_url(linea) + "?tratta=andata").content.decode()
    assert "Leonardo" in body  # andata e ritorno
    assert "Sofia" not in body  # solo ritorno
    assert "0 di 1 a bordo" in body
    response = client.post(_url(linea), {"iscrizione": andata.pk, "tratta": "andata", "salito": "1"})
    assert response.status_code == 302
    client.post(_url(linea), {"iscrizione": andata.pk, "tratta": "andata", "salito": "1"})  # double tap
    with scope(comune=linea.comune):
        salite = list(Salita.objects.all())
    assert len(salite) == 1
    assert salite[0].registrata_da == driver
    assert salite[0].data == timezone.localdate()
    assert "1 di 1 a bordo" in client.get(_url(linea) + "?tratta=andata").content.decode()
    client.post(_url(linea), {"iscrizione": andata.pk, "tratta": "andata", "salito": "0"})
    with scope(comune=linea.comune):
        assert not Salita.objects.exists()


def test_a_pupil_not_on_that_trip_cannot_be_marked(client, linea, enrol, alice_children):
    driver, andata, ritorno = _setup(linea, enrol, alice_children)
    client.force_login(driver)
    response = client.post(_url(linea), {"iscrizione": ritorno.pk, "tratta": "andata", "salito": "1"})
    assert response.status_code == 400


def test_the_return_trip_lists_stops_in_reverse(client, linea, fermate, enrol, alice_children):
    driver, *_ = _setup(linea, enrol, alice_children)
    client.force_login(driver)
    body = client.get(_url(linea) + "?tratta=ritorno").content.decode()
    assert body.index("2. Gandoli") < body.index("1. Piazza Castello")
    assert "Sofia" in body and "Leonardo" in body


def test_other_routes_and_other_people_get_404(client, linea, enrol, alice_children, alice, pulsano, charlie):
    driver, andata, _ritorno = _setup(linea, enrol, alice_children)
    altra = LineaFactory(comune=linea.comune, nome="Linea Lido Silvana")
    FermataFactory(linea=altra)
    client.force_login(driver)
    assert client.get(_url(altra)).status_code == 404
    assert client.post(_url(altra), {"iscrizione": andata.pk, "salito": "1"}).status_code == 404
    # The route id under another comune's URL is not found either.
    url = reverse("trasporto:bordo_linea", kwargs={"comune": "pulsano", "pk": linea.pk})
    assert client.get(url).status_code == 404
    # A parent, or a driver of another comune, is not a driver of this route.
    for user in (alice, charlie):
        client.force_login(user)
        assert client.get(_url(linea)).status_code == 404
        assert client.post(_url(linea), {"iscrizione": andata.pk, "salito": "1"}).status_code == 404


def test_an_enrolment_of_another_route_cannot_be_marked(client, linea, enrol, alice_children, leporano_trasporto):
    driver, *_ = _setup(linea, enrol, alice_children)
    altra = LineaFactory(comune=linea.comune, nome="Linea Lido Silvana", anno_scolastico=linea.anno_scolastico)
    fermata = FermataFactory(linea=altra)
    from tests.factories import ConsumatoreFactory

    other = enrol(ConsumatoreFactory(comune=leporano_trasporto), linea=altra, fermata=fermata,
                  data_inizio=timezone.localdate())
    client.force_login(driver)
    assert client.post(_url(linea), {"iscrizione": other.pk, "salito": "1"}).status_code == 404


def test_the_page_runs_a_fixed_number_of_queries(client, linea, enrol, alice_children, leporano_trasporto,
                                                 django_assert_num_queries):
    from tests.factories import ConsumatoreFactory

    driver, *_ = _setup(linea, enrol, alice_children)
    client.force_login(driver)
    # As after a real login with the TOTP code: allauth records the MFA step in the session, so the
    # second-factor check of the bus-board pages costs no query.
    session = client.session
    session["account_authentication_methods"] = [{"method": "password"}, {"method": "mfa", "type": "totp"}]
    session.save()
    client.get(_url(linea) + "?tratta=andata")
    # session, user, the driver's role in the comune (comuni.access), route, stops, enrolments with
    # pupils, boardings (the comune is cached)
    with django_assert_num_queries(7):
        client.get(_url(linea) + "?tratta=andata")
    for n in range(4):
        enrol(ConsumatoreFactory(comune=leporano_trasporto, nome=f"Bimbo{n}"), data_inizio=timezone.localdate())
    with django_assert_num_queries(7):
        body = client.get(_url(linea) + "?tratta=andata").content.decode()
    assert "0 di 5 a bordo" in body
