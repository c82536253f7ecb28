"""Family pages served from the cache: never stale after the family's own action, a payment or the nightly
debit, never another family's or comune's page, never a message lost, always this request's CSRF token."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from consumatori.models import Tutore
from mensa.addebito import meal_debit_for_day
from pagamenti.pagopa.gateway import RicevutaGateway
from pagamenti.pagopa.services import RigaCarrello, posizione_create, ricevuta_receive
from tests.factories import ConsumatoreFactory, TutoreFactory, UserFactory
from tests.mensa.conftest import MONDAY, TUESDAY, clock, mensa_alice, mensa_charlie, rome  # noqa: F401
from tests.pagamenti.conftest import config_leporano  # noqa: F401  (fixture)

HOME = "/leporano/"
PAGAMENTI = "/leporano/pagamenti/"


def _dettaglio(child, mese="2026-11"):
    return reverse("cittadino:consumatore", kwargs={"comune": child.comune.slug, "pk": child.pk}) + f"?mese={mese}"


def _day(body: str, day: datetime.date) -> str:
    return body.split(f'id="g{day:%Y%m%d}"')[1].split("</li>")[0]


def _saldo_mensa(body: str) -> str:
    return body.split('data-testid="saldo-mensa">')[1].split("</p>")[0]


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def _cached_twice(client, url):
    """Render, then read back from the cache: the page a family sees on its next visit."""
    first = _get(client, url)
    second = _get(client, url)
    assert "X-Omnibus-Cache" not in first and second["X-Omnibus-Cache"] == "hit"
    return second.content.decode()


@pytest.fixture
def family(client, clock, alice, alice_children, mensa_alice):  # noqa: F811
    client.force_login(alice)
    return alice_children[1]  # Sofia


def test_a_hit_costs_the_session_read_only(client, family, django_assert_num_queries):
    for url in (HOME, _dettaglio(family), PAGAMENTI):
        _get(client, url)
        with django_assert_num_queries(1):  # the session (the tests keep sessions in the database)
            assert client.get(url)["X-Omnibus-Cache"] == "hit"


def test_the_family_s_own_absence_shows_at_once(client, family):
    assert "pasto prenotato" in _day(_cached_twice(client, _dettaglio(family)), TUESDAY)
    response = client.post(reverse("mensa:assenza_nuova", kwargs={"comune": "leporano", "pk": family.pk}),
                           {"dal": TUESDAY.isoformat(), "mese": "2026-11"}, follow=True)
    assert "assente" in _day(response.content.decode(), TUESDAY)
    assert "assente" in _day(_get(client, _dettaglio(family)).content.decode(), TUESDAY)


def test_the_absence_of_the_other_guardian_shows_too(client, family, leporano, alice):
    partner = UserFactory(email="partner@example.org")
    TutoreFactory(comune=leporano, consumatore=family, utente=partner)
    assert "pasto prenotato" in _day(_cached_twice(client, _dettaglio(family)), TUESDAY)
    client.force_login(partner)
    client.post(reverse("mensa:assenza_nuova", kwargs={"comune": "leporano", "pk": family.pk}),
                {"dal": TUESDAY.isoformat(), "mese": "2026-11"})
    client.force_login(alice)
    assert "assente" in _day(_get(client, _dettaglio(family)).content.decode(), TUESDAY)


def test_a_credited_payment_updates_the_balance(client, family, leporano, alice, config_leporano):  # noqa: F811
    assert "0,00 €" in _saldo_mensa(_cached_twice(client, _dettaglio(family)))
    assert "Nessun avviso" in _cached_twice(client, PAGAMENTI)
    with scope(comune=leporano):
        righe = [RigaCarrello(family, "mensa", Decimal("25.00"))]
        posizione = posizione_create(comune=leporano, utente=alice, righe=righe, modalita="avviso",
                                     chiave_carrello="c1")[0]
    assert posizione.numero_avviso_formattato in _cached_twice(client, PAGAMENTI)
    with scope(comune=leporano):
        ricevuta_receive(comune=leporano, origine="gpd", ricevuta=RicevutaGateway(
            identificativo="RT-1", numero_avviso=posizione.numero_avviso, importo=Decimal("25.00"), psp="Banca",
            pagata_il=rome(MONDAY, 7, 30)))
    assert "25,00 €" in _saldo_mensa(_get(client, _dettaglio(family)).content.decode())
    body = _get(client, PAGAMENTI).content.decode()
    assert "25,00 €" in body and "Ricevuta" in body


def test_the_nightly_debit_written_in_sql_updates_the_balance(client, family, leporano):
    assert "0,00 €" in _saldo_mensa(_cached_twice(client, _dettaglio(family)))
    assert "Nessun movimento" in _cached_twice(client, PAGAMENTI)
    with scope(comune=leporano):
        assert meal_debit_for_day(comune=leporano, giorno=datetime.date(2026, 11, 20)) == 2
    assert "-4,10 €" in _saldo_mensa(_get(client, _dettaglio(family)).content.decode())
    assert "Pasto consumato" in _get(client, PAGAMENTI).content.decode()


def test_the_cut_off_is_never_served_stale(client, clock, family, alice):  # noqa: F811
    clock.set(MONDAY, 8, 59, 59)
    assert "Disdici" in _day(_cached_twice(client, _dettaglio(family)), MONDAY)
    clock.set(MONDAY, 9, 0)
    assert "Disdici" not in _day(_get(client, _dettaglio(family)).content.decode(), MONDAY)
    clock.set(TUESDAY, 7, 0)
    client.force_login(alice)  # the session of the day before has expired
    body = _get(client, _dettaglio(family)).content.decode()
    assert "Disdici" in _day(body, TUESDAY) and "oggi" in _day(body, TUESDAY) and "oggi" not in _day(body, MONDAY)


def test_another_family_never_gets_this_family_s_page(client, family, leporano, alice_children):
    names = [f"{c.nome} {c.cognome}" for c in alice_children]
    home = _cached_twice(client, HOME)
    assert all(name in home for name in names)
    _cached_twice(client, _dettaglio(family))
    _cached_twice(client, PAGAMENTI)
    neighbour = UserFactory(email="vicina@example.org", first_name="Vicina")
    TutoreFactory(comune=leporano, consumatore=ConsumatoreFactory(comune=leporano, nome="Ettore", cognome="Vicino"),
                  utente=neighbour)
    client.force_login(neighbour)
    home = _get(client, HOME).content.decode()
    assert "Ettore Vicino" in home and not any(name in home for name in names)
    assert client.get(_dettaglio(family)).status_code == 404
    assert not any(name in _get(client, PAGAMENTI).content.decode() for name in names)


def test_another_comune_never_gets_this_comune_s_page(client, family, alice, alice_children, charlie, charlie_child):
    _cached_twice(client, HOME)
    client.force_login(charlie)
    body = _get(client, "/pulsano/").content.decode()
    assert "Tommaso Semeraro" in body and "Lacaita" not in body
    assert client.get(_dettaglio(alice_children[0]).replace("/leporano/", "/pulsano/")).status_code == 404
    client.force_login(alice)
    assert client.get(_dettaglio(charlie_child).replace("/pulsano/", "/leporano/")).status_code == 404


def test_an_unlinked_child_disappears_at_once(client, family, leporano):
    assert f"{family.nome} {family.cognome}" in _cached_twice(client, HOME)
    with scope(comune=leporano):
        Tutore.objects.filter(consumatore=family).delete()
    assert f"{family.nome} {family.cognome}" not in _get(client, HOME).content.decode()
    assert client.get(_dettaglio(family)).status_code == 404


def test_logging_out_is_never_undone_by_the_cache(client, family):
    _cached_twice(client, HOME)
    client.post(reverse("account_logout"))
    response = client.get(HOME)
    assert response.status_code == 302 and "/login/leporano/" in response["Location"]


def test_a_pending_message_is_shown_once_and_never_cached_away(client, family):
    _cached_twice(client, _dettaglio(family))
    client.post(reverse("mensa:assenza_nuova", kwargs={"comune": "leporano", "pk": family.pk}),
                {"dal": TUESDAY.isoformat(), "mese": "2026-11"})
    shown = _get(client, _dettaglio(family))
    assert "Assenza registrata per Sofia" in shown.content.decode() and "X-Omnibus-Cache" not in shown
    assert "Assenza registrata per Sofia" not in _get(client, _dettaglio(family)).content.decode()
    assert "Assenza registrata per Sofia" not in _get(client, _dettaglio(family)).content.decode()


def test_a_message_added_while_rendering_is_not_cached(client, family):
    url = _dettaglio(family, "2026-99")
    assert "Il mese indicato (mese) non è valido" in _get(client, url).content.decode()
    again = _get(client, url)
    assert "Il mese indicato (mese) non è valido" in again.content.decode() and "X-Omnibus-Cache" not in again


def test_a_cached_page_carries_this_request_s_csrf_token(family, alice):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    _cached_twice(browser, _dettaglio(family))
    body = _get(browser, _dettaglio(family)).content.decode()
    assert "omnibus-csrf-placeholder" not in body
    token = body.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = browser.post(reverse("mensa:assenza_nuova", kwargs={"comune": "leporano", "pk": family.pk}),
                            {"dal": TUESDAY.isoformat(), "mese": "2026-11", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_each_language_has_its_own_page(client, family):
    assert 'lang="it"' in _cached_twice(client, HOME)
    client.cookies["django_language"] = "en"
    assert 'lang="en"' in _get(client, HOME).content.decode()


def test_a_changed_name_shows_at_once(client, family, alice):
    assert "Alice Lacaita" in _cached_twice(client, HOME)
    alice.first_name = "Alicia"
    alice.save()
    assert "Alicia Lacaita" in _get(client, HOME).content.decode()


def test_another_family_s_absence_leaves_this_family_s_pages_cached(client, family, leporano, mensa_alice):  # noqa: F811
    from mensa.assenze import assenza_create
    from tests.mensa.factories import IscrizioneMensaFactory

    neighbour = UserFactory(email="vicina@example.org")
    with scope(comune=leporano):
        classe = family.classe
    child = ConsumatoreFactory(comune=leporano, nome="Ettore", cognome="Vicino", classe=classe)
    TutoreFactory(comune=leporano, consumatore=child, utente=neighbour)
    IscrizioneMensaFactory(comune=leporano, consumatore=child, tariffa=mensa_alice)
    _cached_twice(client, _dettaglio(family))
    with scope(comune=leporano):
        assert assenza_create(consumatore=child, dal=TUESDAY, registrata_da=neighbour)
    assert _get(client, _dettaglio(family))["X-Omnibus-Cache"] == "hit"
    client.force_login(neighbour)
    assert "assente" in _day(_get(client, _dettaglio(child)).content.decode(), TUESDAY)
