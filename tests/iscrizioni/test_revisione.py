"""Staff review in the admin: the queue with counts, bulk acceptance at the computed tariff, refusal."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.base import ContentFile
from django.urls import reverse
from django_scopes import scope

from consumatori.models import Consumatore
from iscrizioni.accoglienza import domande_accogli
from iscrizioni.models import Domanda, SituazioneIsee, StatoDomanda
from mensa.models import IscrizioneMensa
from notifiche.models import Notifica
from trasporto.models import Iscrizione

from .conftest import PDF, domanda_inviata

CHANGELIST = "admin:iscrizioni_domanda_changelist"
DECEMBER = datetime.date(2026, 12, 1)


@pytest.fixture
def domande(clock, alice, leporano, anno, famiglia, bus, finestre, tariffe_mensa):
    scuola, classe = famiglia["classe"].scuola, famiglia["classe"]
    chiara = domanda_inviata(utente=alice, anno=anno, scuola=scuola, classe=classe, isee=Decimal("5000"),
                             protocollo_dsu="INPS-ISEE-2026-12345678A-00",
                             trasporto=(bus["linea"], bus["fermate"][0]), dieta="sanitaria",
                             dieta_descrizione="Celiachia", certificato=ContentFile(PDF, name="c.pdf"))
    marta = domanda_inviata(utente=alice, anno=anno, scuola=scuola, classe=classe, nome="Marta",
                            nascita=datetime.date(2021, 2, 3), isee=Decimal("5000"))
    return chiara, marta


def _action(client, action, domande, **extra):
    return client.post(reverse(CHANGELIST), {"action": action, ACTION_CHECKBOX_NAME: [d.pk for d in domande], **extra})


def test_the_queue_counts_each_state_and_links_the_certificate(client, bob, leporano, domande):
    client.force_login(bob)
    _action(client, "metti_in_istruttoria", domande[1:])
    body = client.get(reverse(CHANGELIST)).content.decode()
    counts = body.split('data-testid="conteggi"')[1].split("</ul>")[0]
    assert "Inviata: 1" in counts and "In istruttoria: 1" in counts and "Accolta: 0" in counts
    assert reverse("iscrizioni:certificato", kwargs={"comune": "leporano", "pk": domande[0].pk}) in body
    filtered = client.get(reverse(CHANGELIST) + "?stato__exact=in_istruttoria").content.decode()
    assert domande[1].protocollo in filtered and domande[0].protocollo not in filtered
    with scope(comune=leporano):
        assert Notifica.objects.filter(titolo__contains="in istruttoria").count() == 1


def test_bulk_acceptance_enrols_at_the_computed_tariff(client, bob, alice, leporano, anno, domande, tariffe_mensa,
                                                       bus):
    client.force_login(bob)
    response = _action(client, "accogli", domande)
    assert response.status_code == 302
    with scope(comune=leporano):
        chiara = Consumatore.objects.get(nome="Chiara", cognome="Lacaita")
        marta = Consumatore.objects.get(nome="Marta")
        mensa = {i.consumatore_id: i for i in IscrizioneMensa.objects.filter(consumatore__in=[chiara, marta])
                 .select_related("tariffa")}
        bus_chiara = Iscrizione.objects.get(consumatore=chiara)
        stati = set(Domanda.objects.values_list("stato", flat=True))
        accolte = Notifica.objects.filter(user=alice, titolo__contains="accolta").count()
        assert SituazioneIsee.objects.get(consumatore=chiara).isee == Decimal("5000.00")
        assert chiara.tutori.get().utente == alice and chiara.classe == domande[0].classe
    # Chiara is the elder: Fascia A in full; Marta, second child: Fascia A less 20 %.
    assert mensa[chiara.pk].tariffa == tariffe_mensa["A"]
    assert mensa[chiara.pk].data_inizio == datetime.date(2026, 11, 23)
    assert mensa[marta.pk].tariffa.tariffa_base == tariffe_mensa["A"]
    assert mensa[marta.pk].tariffa.riduzione_percentuale == Decimal("20")
    assert bus_chiara.fascia == bus["fascia"] and bus_chiara.fermata == bus["fermate"][0]
    assert stati == {StatoDomanda.ACCOLTA} and accolte == 2
    assert chiara.dieta_speciale and "Celiachia" in chiara.note_dieta
    # The family now sees both children in CITTADINO.
    client.force_login(alice)
    home = client.get("/leporano/").content.decode()
    assert "Chiara Lacaita" in home and "Marta Lacaita" in home


def test_accepting_twice_enrols_once(bob, leporano, domande):
    with scope(comune=leporano):
        assert domande_accogli(domande=domande, da=bob) == (2, [])
        assert domande_accogli(domande=domande, da=bob) == (0, [])
        assert IscrizioneMensa.objects.count() == 2 and Iscrizione.objects.count() == 1


def test_refusal_needs_a_reason_the_family_reads(client, bob, alice, leporano, domande):
    client.force_login(bob)
    page = _action(client, "respingi", domande[:1])
    assert page.status_code == 200 and "Motivo del rifiuto" in page.content.decode()
    again = _action(client, "respingi", domande[:1], conferma="1", motivazione="")
    assert again.status_code == 200
    with scope(comune=leporano):
        assert Domanda.objects.get(pk=domande[0].pk).stato == StatoDomanda.INVIATA
    _action(client, "respingi", domande[:1], conferma="1", motivazione="Residenza fuori comune")
    with scope(comune=leporano):
        domanda = Domanda.objects.get(pk=domande[0].pk)
        notifica = Notifica.objects.get(user=alice, titolo__contains="respinta")
    assert domanda.stato == StatoDomanda.RESPINTA and domanda.decisa_da == bob
    assert "Residenza fuori comune" in notifica.testo
    client.force_login(alice)
    page = client.get(reverse("iscrizioni:domanda", kwargs={"comune": "leporano", "pk": domanda.pk})).content.decode()
    assert "Respinta" in page and "Residenza fuori comune" in page and "Ritira la domanda" not in page


def test_another_comunes_staff_gets_404(client, dora, domande):
    client.force_login(dora)
    url = reverse("admin:iscrizioni_domanda_change", args=[domande[0].pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("iscrizioni:certificato", kwargs={"comune": "leporano", "pk": domande[0].pk})) \
        .status_code == 404
