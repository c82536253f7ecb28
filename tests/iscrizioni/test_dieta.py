"""The diet asked in the application lands in the canteen's diet model: the family picks one of the
comune's diet types (or describes another one, typed by staff at review); acceptance gives the child
that diet from the start of the enrolment to the end of the school year, and the kitchen count shows it."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from consumatori.models import Consumatore
from iscrizioni.accoglienza import domande_accogli
from iscrizioni.models import Domanda, StatoDomanda
from mensa.menu.models import CategoriaDieta, DietaConsumatore, TipoDieta
from mensa.selectors import conteggio_cucina
from tests.factories import cf_for

from .conftest import PDF, domanda_inviata

NASCITA = datetime.date(2020, 4, 15)
NOVEMBRE = datetime.date(2026, 11, 23)


@pytest.fixture
def diete(leporano, pulsano):
    with scope(comune=leporano):
        celiachia = TipoDieta.objects.create(comune=leporano, nome="Senza glutine (celiachia)",
                                             categoria=CategoriaDieta.SANITARIA, allergeni_esclusi=["glutine"])
        maiale = TipoDieta.objects.create(comune=leporano, nome="Senza carne di maiale",
                                          categoria=CategoriaDieta.ETICO_RELIGIOSA, allergeni_esclusi=[])
    with scope(comune=pulsano):
        altrove = TipoDieta.objects.create(comune=pulsano, nome="Vegetariana", categoria=CategoriaDieta.ETICO_RELIGIOSA,
                                           allergeni_esclusi=[])
    return {"celiachia": celiachia, "maiale": maiale, "pulsano": altrove}


@pytest.fixture
def dati(famiglia, diete):
    classe = famiglia["classe"]
    return {
        "chiave": str(uuid.uuid4()), "consumatore": "", "nome": "Chiara", "cognome": "Lacaita",
        "codice_fiscale": cf_for("Lacaita", "Chiara", "F", NASCITA), "data_nascita": NASCITA.isoformat(),
        "scuola": classe.scuola_id, "classe": classe.pk, "mensa": "on", "isee": "8500,00",
        "protocollo_dsu": "INPS-ISEE-2026-12345678A-00", "tipo_dieta": diete["celiachia"].pk,
        "dieta_descrizione": "", "consenso_privacy": "on",
    }


def _post(client, dati, certificato=True):
    data = dict(dati)
    if certificato:
        data["certificato"] = SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf")
    return client.post(reverse("iscrizioni:nuova", kwargs={"comune": "leporano"}), data)


def test_the_form_offers_the_comunes_diet_types_only(client, clock, alice, leporano, finestre, dati, diete):
    client.force_login(alice)
    page = client.get(reverse("iscrizioni:nuova", kwargs={"comune": "leporano"})).content.decode()
    assert "Senza glutine (celiachia)" in page and "Senza carne di maiale" in page and "Altra dieta" in page
    assert "Vegetariana" not in page
    response = _post(client, {**dati, "tipo_dieta": diete["pulsano"].pk})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "tipo_dieta" in errors and "Dieta:" in " ".join(errors["tipo_dieta"])
    with scope(comune=leporano):
        assert not Domanda.objects.exists()


def test_a_sanitary_diet_needs_the_certificate_an_ethical_one_does_not(client, clock, alice, leporano, finestre,
                                                                        dati, diete):
    client.force_login(alice)
    response = _post(client, dati, certificato=False)
    assert response.status_code == 200 and "certificato" in response.context["form"].errors
    response = _post(client, {**dati, "tipo_dieta": diete["maiale"].pk}, certificato=False)
    assert response.status_code == 302, response.context["form"].errors
    with scope(comune=leporano):
        domanda = Domanda.objects.get()
    assert domanda.tipo_dieta == diete["maiale"] and domanda.dieta == "etico_religiosa" and not domanda.certificato


def test_acceptance_gives_the_diet_and_the_kitchen_counts_it(client, clock, alice, bob, leporano, anno, finestre,
                                                             dati, diete, tariffe_mensa):
    client.force_login(alice)
    assert _post(client, dati).status_code == 302
    with scope(comune=leporano):
        domanda = Domanda.objects.get()
    client.post(reverse("iscrizioni:invia", kwargs={"comune": "leporano", "pk": domanda.pk}))
    with scope(comune=leporano):
        assert domande_accogli(domande=[domanda], da=bob, giorno=NOVEMBRE) == (1, [])
        domanda.refresh_from_db()
        chiara = Consumatore.objects.get(codice_fiscale=dati["codice_fiscale"])
        dieta = DietaConsumatore.objects.get(consumatore=chiara)
        # Accepting again (already decided) adds nothing.
        assert domande_accogli(domande=[domanda], da=bob, giorno=NOVEMBRE) == (0, [])
        assert DietaConsumatore.objects.count() == 1
        righe = conteggio_cucina(comune=leporano, giorno=datetime.date(2026, 11, 25))
    assert dieta.tipo == diete["celiachia"]
    assert (dieta.data_inizio, dieta.data_fine) == (NOVEMBRE, anno.data_fine)
    assert domanda.protocollo and domanda.protocollo in dieta.certificato
    [riga] = [r for r in righe if r.dieta]
    assert riga.dieta == "Senza glutine (celiachia)" and riga.pasti == 1 and "Lacaita Chiara" in riga.nomi


def test_staff_pick_the_type_of_another_diet_at_review(client, clock, alice, bob, leporano, anno, famiglia, finestre,
                                                       diete, tariffe_mensa):
    domanda = domanda_inviata(utente=alice, anno=anno, scuola=famiglia["classe"].scuola, classe=famiglia["classe"],
                              isee=Decimal("5000"), protocollo_dsu="INPS-ISEE-2026-12345678A-00", dieta="sanitaria",
                              dieta_descrizione="Celiachia", certificato=ContentFile(PDF, name="c.pdf"))
    client.force_login(bob)
    change = reverse("admin:iscrizioni_domanda_change", args=[domanda.pk])
    page = client.get(change).content.decode()
    assert "Senza glutine (celiachia)" in page and "Vegetariana" not in page  # another comune's type
    client.post(change, {"tipo_dieta": diete["celiachia"].pk, "motivazione": ""})
    with scope(comune=leporano):
        domanda.refresh_from_db()
        assert domanda.tipo_dieta == diete["celiachia"]
        assert domande_accogli(domande=[domanda], da=bob, giorno=NOVEMBRE) == (1, [])
        dieta = DietaConsumatore.objects.select_related("consumatore").get()
        assert Domanda.objects.get().stato == StatoDomanda.ACCOLTA
    assert dieta.tipo == diete["celiachia"] and dieta.consumatore.nome == "Chiara" and dieta.note == "Celiachia"
