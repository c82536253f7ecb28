"""The life of the applications' health and ISEE data, on local disk and on S3 (a local moto server): a replaced
certificate, a withdrawn or refused application's certificate, an erasure request and the comune's retention
remove the files; after the retention the application keeps the administrative fact only."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from comuni.dati_personali import richiesta_cancellazione_decide
from comuni.models import RichiestaCancellazione
from iscrizioni.accoglienza import domande_accogli
from iscrizioni.conservazione import conservazione_applica
from iscrizioni.models import ConservazioneDati, Domanda, StatoDomanda
from mensa.menu.models import CategoriaDieta, DietaConsumatore, TipoDieta
from tests.factories import cf_for

from .conftest import PDF, domanda_inviata

NOVEMBRE = datetime.date(2026, 11, 23)
FINE_ANNO = datetime.date(2027, 6, 9)  # last day of the 2026/27 school year (AnnoScolasticoFactory)
PDF_NUOVO = PDF.replace(b"%%EOF", b"% sostituito\n%%EOF")


def _url(name, **kwargs):
    return reverse(f"iscrizioni:{name}", kwargs={"comune": "leporano", **kwargs})


@pytest.fixture
def celiachia(leporano):
    with scope(comune=leporano):
        return TipoDieta.objects.create(comune=leporano, nome="Senza glutine (celiachia)",
                                        categoria=CategoriaDieta.SANITARIA, allergeni_esclusi=["glutine"])


@pytest.fixture
def chiara(clock, alice, leporano, anno, famiglia, finestre, celiachia, archivio):
    """Chiara's application: ISEE, DSU protocol, a sanitary diet and its certificate, sent on 23/11/2026."""
    domanda = domanda_inviata(utente=alice, anno=anno, scuola=famiglia["classe"].scuola, classe=famiglia["classe"],
                              isee=Decimal("8500"), protocollo_dsu="INPS-ISEE-2026-12345678A-00", dieta="sanitaria",
                              dieta_descrizione="Celiachia: senza glutine", certificato=ContentFile(PDF, name="c.pdf"))
    with scope(comune=leporano):  # the office picks the diet type at review, as on the admin page
        Domanda.objects.filter(pk=domanda.pk).update(tipo_dieta=celiachia)
        domanda.refresh_from_db()
    assert len(archivio.files()) == 1
    return domanda


def _accogli(leporano, domanda, bob):
    with scope(comune=leporano):
        assert domande_accogli(domande=[domanda], da=bob, giorno=NOVEMBRE) == (1, [])
        domanda.refresh_from_db()
    return domanda


def _applica(leporano, giorno):
    with scope(comune=leporano):
        return conservazione_applica(comune=leporano, giorno=giorno)


def test_a_replaced_certificate_is_deleted_at_once(client, clock, alice, leporano, famiglia, finestre, celiachia,
                                                   archivio):
    classe = famiglia["classe"]
    dati = {"chiave": str(uuid.uuid4()), "consumatore": "", "nome": "Chiara", "cognome": "Lacaita",
            "codice_fiscale": cf_for("Lacaita", "Chiara", "F", datetime.date(2020, 4, 15)),
            "data_nascita": "2020-04-15", "scuola": classe.scuola_id, "classe": classe.pk, "mensa": "on",
            "isee": "8500,00", "protocollo_dsu": "INPS-ISEE-2026-12345678A-00", "tipo_dieta": celiachia.pk,
            "dieta_descrizione": "", "consenso_privacy": "on"}
    client.force_login(alice)
    for content in (PDF, PDF_NUOVO):
        upload = SimpleUploadedFile("certificato.pdf", content, content_type="application/pdf")
        assert client.post(_url("nuova"), {**dati, "certificato": upload}).status_code == 302
    [stored] = archivio.files()  # the first file is gone, only the new one is there
    with scope(comune=leporano):
        domanda = Domanda.objects.get()
    assert domanda.certificato.name.endswith(stored.rsplit("/", 1)[-1])
    assert b"".join(client.get(_url("certificato", pk=domanda.pk)).streaming_content) == PDF_NUOVO
    # The same draft without a diet any more: no certificate is kept for it.
    client.post(_url("nuova"), {**dati, "tipo_dieta": ""})
    assert archivio.files() == []


def test_withdrawal_deletes_the_certificate(client, alice, leporano, chiara, archivio):
    client.force_login(alice)
    assert client.post(_url("ritira", pk=chiara.pk)).status_code == 302
    assert archivio.files() == []
    with scope(comune=leporano):
        chiara.refresh_from_db()
    assert chiara.stato == StatoDomanda.RITIRATA and not chiara.certificato and chiara.certificato_eliminato_il
    assert client.get(_url("certificato", pk=chiara.pk)).status_code == 404


def test_refusal_deletes_the_certificate(client, bob, leporano, chiara, archivio):
    client.force_login(bob)
    client.post(reverse("admin:iscrizioni_domanda_changelist"), {
        "action": "respingi", ACTION_CHECKBOX_NAME: [chiara.pk], "conferma": "1",
        "motivazione": "Residenza fuori comune"})
    with scope(comune=leporano):
        chiara.refresh_from_db()
    assert chiara.stato == StatoDomanda.RESPINTA and not chiara.certificato
    assert archivio.files() == []


def test_erasure_covers_the_applications_and_their_files(client, alice, bob, leporano, anno, famiglia, chiara,
                                                         archivio):
    client.force_login(alice)
    export = client.get("/leporano/i-miei-dati/json/").json()
    [esportata] = export["domande_iscrizione"]
    assert esportata["protocollo"] == chiara.protocollo and esportata["isee"] == "8500.00"
    assert esportata["dieta_descrizione"] == "Celiachia: senza glutine" and esportata["certificato_medico"] is True
    assert chiara.protocollo in client.get("/leporano/i-miei-dati/csv/").content.decode()
    # A draft with its own certificate, never sent.
    with scope(comune=leporano):
        from iscrizioni.domande import domanda_salva

        domanda_salva(utente=alice, anno=anno, chiave=uuid.uuid4(), dati={
            "nome": "Marta", "cognome": "Lacaita", "codice_fiscale": cf_for("Lacaita", "Marta", "F",
                                                                            datetime.date(2021, 2, 3)),
            "data_nascita": datetime.date(2021, 2, 3), "scuola": famiglia["classe"].scuola, "mensa": True,
            "dieta": "sanitaria"}, isee=None, certificato=ContentFile(PDF, name="m.pdf"),
            certificato_tipo="application/pdf", giorno=NOVEMBRE)
    assert len(archivio.files()) == 2
    client.post("/leporano/i-miei-dati/cancellazione/")
    with scope(comune=leporano):
        richiesta = RichiestaCancellazione.objects.get()
    richiesta_cancellazione_decide(richiesta=richiesta, staff=bob, accolta=True, motivazione="Richiesta accolta")
    assert archivio.files() == []
    with scope(comune=leporano):
        [domanda] = Domanda.objects.all()  # the draft is gone; the sent application stays, anonymous
    assert domanda.protocollo == chiara.protocollo and domanda.stato == StatoDomanda.RITIRATA
    assert (domanda.nome, domanda.cognome, domanda.codice_fiscale, domanda.data_nascita) == ("", "", "", None)
    assert (domanda.isee, domanda.protocollo_dsu, domanda.dieta, domanda.dieta_descrizione) == (None, "", "", "")
    assert domanda.utente_id is None and domanda.tipo_dieta_id is None and not domanda.certificato
    assert domanda.anonimizzata_il and domanda.anno_scolastico_id == anno.pk and domanda.mensa


def test_an_accepted_certificate_stays_while_its_diet_is_in_force(leporano, bob, chiara, archivio, tariffe_mensa):
    domanda = _accogli(leporano, chiara, bob)
    assert _applica(leporano, FINE_ANNO).certificati == 0 and len(archivio.files()) == 1
    with scope(comune=leporano):  # the office extends the diet to the end of September
        DietaConsumatore.objects.filter(certificato__contains=domanda.protocollo).update(
            data_fine=datetime.date(2027, 9, 30))
        ConservazioneDati.objects.create(comune=leporano, certificati_giorni=10)
    assert _applica(leporano, datetime.date(2027, 10, 10)).certificati == 0 and len(archivio.files()) == 1
    assert _applica(leporano, datetime.date(2027, 10, 11)).certificati == 1 and archivio.files() == []
    with scope(comune=leporano):
        domanda.refresh_from_db()
    assert not domanda.certificato and domanda.certificato_eliminato_il and domanda.nome == "Chiara"


def test_by_default_it_stays_to_the_end_of_the_school_year(leporano, bob, chiara, archivio, tariffe_mensa):
    _accogli(leporano, chiara, bob)
    assert _applica(leporano, FINE_ANNO + datetime.timedelta(days=1)).certificati == 1
    assert archivio.files() == []


def test_a_diet_without_an_end_keeps_its_certificate(leporano, bob, chiara, archivio, tariffe_mensa):
    domanda = _accogli(leporano, chiara, bob)
    with scope(comune=leporano):
        DietaConsumatore.objects.filter(certificato__contains=domanda.protocollo).update(data_fine=None)
    assert _applica(leporano, datetime.date(2031, 1, 1)).certificati == 0 and len(archivio.files()) == 1


def test_after_the_comunes_months_the_application_is_anonymised(leporano, bob, chiara, archivio, tariffe_mensa):
    domanda = _accogli(leporano, chiara, bob)
    with scope(comune=leporano):
        ConservazioneDati.objects.create(comune=leporano, domande_mesi=12)
    esito = _applica(leporano, datetime.date(2028, 6, 9))
    assert (esito.certificati, esito.anonimizzate, esito.isee) == (1, 0, 0)  # the certificate went a year before
    esito = _applica(leporano, datetime.date(2028, 6, 10))
    assert (esito.anonimizzate, esito.isee) == (1, 1) and archivio.files() == []  # the child's ISEE of 2026/27 too
    with scope(comune=leporano):
        domanda.refresh_from_db()
    assert (domanda.nome, domanda.codice_fiscale, domanda.isee, domanda.protocollo_dsu) == ("", "", None, "")
    assert domanda.stato == StatoDomanda.ACCOLTA and domanda.protocollo and domanda.decisa_da_id == bob.pk
    assert _applica(leporano, datetime.date(2028, 6, 11)).anonimizzate == 0  # a second run changes nothing
