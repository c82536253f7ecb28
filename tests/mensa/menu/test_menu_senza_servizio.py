"""A day without service shows that, never dishes: the public menu, its PDF, the week in Dettaglio, the
"pasto in bianco" form and the menu-change notices follow each school's calendar (mensa.calendario).

Tuesday 8 December 2026 is the Immacolata, a national holiday (the `holidays` library); the comune closes
its schools for Christmas from 23 December 2026 to 6 January 2027.
"""

from __future__ import annotations

import datetime

import pypdfium2
import pytest
from django.urls import reverse
from django_scopes import scope

from mensa.menu.models import PastoInBianco
from mensa.menu.variazioni import variazione_notify, variazione_register
from notifiche.models import Notifica

from ..factories import CalendarioScuolaFactory, ChiusuraFactory

LUNEDI = datetime.date(2026, 12, 7)
IMMACOLATA = datetime.date(2026, 12, 8)
MERCOLEDI = datetime.date(2026, 12, 9)
GIOVEDI = datetime.date(2026, 12, 10)
VENERDI = datetime.date(2026, 12, 11)


@pytest.fixture
def natale(leporano, mensa_alice):
    return ChiusuraFactory(comune=leporano, data_inizio=datetime.date(2026, 12, 23),
                           data_fine=datetime.date(2027, 1, 6), motivo="Vacanze di Natale")


def _righe(body: str) -> dict[str, str]:
    """The public table of the primary schools: the day's header → its cell."""
    sezione = body.split('id="menu-primaria"')[1].split("</section>")[0]
    righe = {}
    for riga in sezione.split("<tr>")[2:]:
        giorno = riga.split('class="text-capitalize">')[1].split("</th>")[0]
        righe[giorno.lower()] = riga.split("<td>")[1].split("</td>")[0]
    return righe


def test_the_public_menu_shows_the_immacolata_and_christmas_as_days_without_service(client, clock, menu, natale):
    righe = _righe(client.get("/leporano/menu/?settimana=2026-12-07").content.decode())
    assert "Servizio non disponibile" in righe["martedì 8"] and "Pasta" not in righe["martedì 8"]
    assert "Risotto al pomodoro" in righe["lunedì 7"] and "Risotto al pomodoro" in righe["mercoledì 9"]

    righe = _righe(client.get("/leporano/menu/?settimana=2026-12-21").content.decode())
    assert "Risotto al pomodoro" in righe["lunedì 21"] and "Risotto al pomodoro" in righe["martedì 22"]
    for giorno in ("mercoledì 23", "giovedì 24", "venerdì 25"):
        assert "Servizio non disponibile" in righe[giorno] and "Risotto" not in righe[giorno]


def test_a_level_keeps_its_menu_while_one_of_its_schools_is_open(client, clock, leporano, menu, alice_children,
                                                                  mensa_alice):
    with scope(comune=leporano):
        classe = alice_children[0].classe
        sua, anno = classe.scuola, classe.anno_scolastico
    altra = CalendarioScuolaFactory(comune=leporano, calendario__anno_scolastico=anno,
                                    scuola__nome="Scuola primaria «Plesso Nord»").scuola
    ChiusuraFactory(comune=leporano, scuola=sua, data_inizio=MERCOLEDI, data_fine=MERCOLEDI, motivo="Disinfestazione")
    assert "Risotto" in _righe(client.get("/leporano/menu/?settimana=2026-12-07").content.decode())["mercoledì 9"]
    # Closed in both primary schools (and the patron saint of the calendar): no service for the level.
    ChiusuraFactory(comune=leporano, scuola=altra, data_inizio=MERCOLEDI, data_fine=MERCOLEDI, motivo="Elezioni")
    with scope(comune=leporano):
        calendario = sua.calendari_mensa.first().calendario
        calendario.festa_patronale = GIOVEDI
        calendario.save()
    righe = _righe(client.get("/leporano/menu/?settimana=2026-12-07").content.decode())
    assert "Servizio non disponibile" in righe["mercoledì 9"] and "Servizio non disponibile" in righe["giovedì 10"]
    assert "Risotto" in righe["venerdì 11"]


def test_the_monthly_pdf_prints_the_days_without_service(client, clock, menu, natale):
    response = client.get("/leporano/menu/primaria/2026-12.pdf")
    assert response.status_code == 200
    pdf = pypdfium2.PdfDocument(response.content)
    testo = " ".join(page.get_textpage().get_text_range() for page in pdf).replace("\r\n", " ")
    # The Immacolata and the seven weekdays of December in the Christmas closure.
    assert testo.count("Servizio non disponibile") == 1 + 7
    assert "Martedì 8" in testo and "Pasta al pomodoro" in testo


def _dettaglio(child):
    return reverse("cittadino:consumatore", kwargs={"comune": "leporano", "pk": child.pk}) + "?mese=2026-12"


def _card(body, day):
    return body.split(f'id="menu-{day:%Y%m%d}"')[1].split("</div>\n      </div>")[0]


def test_the_week_in_dettaglio_and_the_bland_meal_follow_the_class_calendar(client, clock, leporano, alice,
                                                                            alice_children, menu, mensa_alice):
    sofia = alice_children[1]
    with scope(comune=leporano):
        classe = sofia.classe
    ChiusuraFactory(comune=leporano, classe=classe, data_inizio=GIOVEDI, data_fine=GIOVEDI, motivo="Gita a Matera")
    clock.set(LUNEDI, 7, 0)
    client.force_login(alice)
    body = client.get(_dettaglio(sofia)).content.decode()
    for giorno in (IMMACOLATA, GIOVEDI):
        card = _card(body, giorno)
        assert "Servizio non disponibile" in card and "Risotto" not in card and "Allergeni" not in card
    assert "Risotto al pomodoro" in _card(body, MERCOLEDI) and "Risotto al pomodoro" in _card(body, VENERDI)
    # The month list offers the bland meal on service days only.
    giorno_8 = body.split('id="g20261208"')[1].split("</li>")[0]
    assert "servizio non disponibile" in giorno_8 and "Pasto in bianco" not in giorno_8
    assert "Pasto in bianco" in body.split('id="g20261209"')[1].split("</li>")[0]
    # Asked anyway (an old page): refused with the day named, nothing stored.
    url = reverse("mensa:in_bianco_nuovo", kwargs={"comune": "leporano", "pk": sofia.pk})
    page = client.post(url, {"giorno": "2026-12-08"}, follow=True).content.decode()
    assert "Il 08/12/2026 il servizio non è disponibile" in page
    with scope(comune=leporano):
        assert not PastoInBianco.objects.filter(consumatore=sofia).exists()


def test_a_menu_change_on_a_day_without_service_tells_nobody(clock, leporano, alice, bob, alice_children, menu,
                                                              mensa_alice, django_capture_on_commit_callbacks):
    with scope(comune=leporano):
        festa = variazione_register(comune=leporano, giorno=IMMACOLATA, livello="primaria", portata="secondo",
                                    piatto=menu.piatti["Merluzzo al forno"], motivo="fornitura", registrata_da=bob)
        assert variazione_notify(variazione=festa) == 0
        assert not Notifica.objects.filter(titolo__contains="08/12/2026").exists()
        feriale = variazione_register(comune=leporano, giorno=MERCOLEDI, livello="primaria", portata="secondo",
                                      piatto=menu.piatti["Merluzzo impanato"], motivo="fornitura", registrata_da=bob)
        assert variazione_notify(variazione=feriale) == len(alice_children)
