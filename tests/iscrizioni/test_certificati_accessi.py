"""Certificates are private on every storage, each staff download is recorded and shown to the comune in the
admin, and the daily job applies the retention to drafts and to that log, logging counts and never names."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse
from django_scopes import scope

from iscrizioni.models import AccessoCertificato, ConservazioneDati, Domanda
from iscrizioni.tasks import conservazione_dati_all
from tests.factories import UserFactory, cf_for
from tests.s3_locale import s3_client

from .conftest import PDF, domanda_inviata

CHANGELIST = "admin:iscrizioni_accessocertificato_changelist"


@pytest.fixture
def chiara(clock, alice, leporano, anno, famiglia, finestre):
    return domanda_inviata(utente=alice, anno=anno, scuola=famiglia["classe"].scuola, classe=famiglia["classe"],
                           isee=Decimal("8500"), dieta="sanitaria", dieta_descrizione="Celiachia",
                           certificato=ContentFile(PDF, name="c.pdf"))


def _certificato(client, domanda):
    return client.get(reverse("iscrizioni:certificato", kwargs={"comune": "leporano", "pk": domanda.pk}))


def test_on_s3_the_certificate_is_encrypted_private_and_read_only_through_our_view(client, archivio, bob, leporano,
                                                                                  chiara):
    if archivio.tipo == "locale":
        with pytest.raises(ValueError):
            storages["private"].url(chiara.certificato.name)
        return
    [key] = archivio.files()
    s3 = s3_client(archivio.endpoint)
    head = s3.head_object(Bucket=archivio.bucket, Key=f"private/{key}")
    assert head["ServerSideEncryption"] == "AES256"  # HeadObject: x-amz-server-side-encryption
    grants = s3.get_object_acl(Bucket=archivio.bucket, Key=f"private/{key}")["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only: no public-read grant
    assert all(g["Grantee"].get("URI", "").endswith("AllUsers") is False for g in grants)
    with pytest.raises(ValueError):  # no URL, signed or not, is ever made for a certificate
        storages["private"].url(chiara.certificato.name)
    client.force_login(bob)
    response = _certificato(client, chiara)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"


def test_each_staff_download_is_recorded_and_shown_to_the_comune_only(client, alice, bob, dora, leporano, chiara):
    client.force_login(alice)  # the family reading its own certificate is not a staff access
    assert _certificato(client, chiara).status_code == 200
    client.force_login(bob)
    for _ in range(2):
        assert _certificato(client, chiara).status_code == 200
    with scope(comune=leporano):
        accessi = list(AccessoCertificato.objects.all())
    assert [(a.utente_id, a.domanda_id, a.protocollo) for a in accessi] == [(bob.pk, chiara.pk, chiara.protocollo)] * 2
    page = client.get(reverse(CHANGELIST))
    assert page.status_code == 200 and chiara.protocollo in page.content.decode() and bob.email in page.content.decode()
    change = reverse("admin:iscrizioni_accessocertificato_change", args=[accessi[0].pk])
    assert client.post(change, {"protocollo": "X"}).status_code == 403  # read-only: nobody edits the log
    assert client.get(reverse("admin:iscrizioni_accessocertificato_add")).status_code == 403
    client.force_login(dora)  # another comune's office: nothing of it
    assert chiara.protocollo not in client.get(reverse(CHANGELIST)).content.decode()
    assert client.get(change).status_code in (302, 404)
    assert _certificato(client, chiara).status_code == 404


def test_staff_without_a_second_factor_reach_neither_the_log_nor_the_retention_settings(client, leporano):
    from comuni.models import Ruolo
    from comuni.services import incarico_assign

    nuovo = UserFactory(email="nuovo.impiegato@example.org")
    incarico_assign(user=nuovo, comune=leporano, ruolo=Ruolo.UFFICIO_SCUOLA)
    client.force_login(nuovo)
    for name in (CHANGELIST, "admin:iscrizioni_conservazionedati_changelist",
                 "admin:iscrizioni_conservazionedati_add"):
        assert client.get(reverse(name)).status_code in (302, 403), name


def test_a_draft_is_never_the_offices(client, alice, bob, leporano, anno, famiglia, finestre, clock):
    from iscrizioni.domande import domanda_salva

    with scope(comune=leporano):
        bozza = domanda_salva(utente=alice, anno=anno, chiave="6d2c1f7e-3a4b-4c5d-8e9f-0a1b2c3d4e5f", dati={
            "nome": "Marta", "cognome": "Lacaita",
            "codice_fiscale": cf_for("Lacaita", "Marta", "F", datetime.date(2021, 2, 3)),
            "data_nascita": datetime.date(2021, 2, 3), "scuola": famiglia["classe"].scuola, "mensa": True,
            "dieta": "sanitaria"}, isee=None, certificato=ContentFile(PDF, name="m.pdf"),
            certificato_tipo="application/pdf", giorno=datetime.date(2026, 11, 23))
    client.force_login(bob)
    assert _certificato(client, bozza).status_code == 404


def test_the_retention_settings_are_validated_in_the_admin(client, bob, leporano):
    client.force_login(bob)
    add = reverse("admin:iscrizioni_conservazionedati_add")
    response = client.post(add, {"certificati_giorni": "-1", "domande_mesi": "0", "accessi_mesi": "999"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"certificati_giorni", "domande_mesi", "accessi_mesi"}
    assert client.post(add, {"certificati_giorni": "30", "domande_mesi": "36", "accessi_mesi": "12"}).status_code == 302
    with scope(comune=leporano):
        regole = ConservazioneDati.objects.get()
    assert (regole.comune_id, regole.certificati_giorni, regole.domande_mesi, regole.accessi_mesi) == \
        (leporano.pk, 30, 36, 12)
    assert client.get(add).status_code == 403  # one row per comune


def test_the_daily_job_deletes_old_drafts_and_downloads_and_logs_counts_only(client, archivio, clock, alice, bob,
                                                                           leporano, anno, famiglia, finestre,
                                                                           chiara, caplog):
    from iscrizioni.domande import domanda_salva

    with scope(comune=leporano):
        domanda_salva(utente=alice, anno=anno, chiave="6d2c1f7e-3a4b-4c5d-8e9f-0a1b2c3d4e5f", dati={
            "nome": "Marta", "cognome": "Lacaita",
            "codice_fiscale": cf_for("Lacaita", "Marta", "F", datetime.date(2021, 2, 3)),
            "data_nascita": datetime.date(2021, 2, 3), "scuola": famiglia["classe"].scuola, "mensa": True,
            "dieta": "sanitaria"}, isee=None, certificato=ContentFile(PDF, name="m.pdf"),
            certificato_tipo="application/pdf", giorno=datetime.date(2026, 11, 23))
    client.force_login(bob)
    _certificato(client, chiara)
    assert len(archivio.files()) == 2
    clock.set(datetime.date(2026, 12, 23), 3)  # 30 days later: the draft stays until the 31st day
    conservazione_dati_all.delay()
    assert len(archivio.files()) == 2
    clock.set(datetime.date(2026, 12, 24), 3)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="iscrizioni.conservazione"):
        conservazione_dati_all.delay()
    assert len(archivio.files()) == 1  # Chiara's application is still to be decided: its certificate stays
    with scope(comune=leporano):
        assert list(Domanda.objects.values_list("nome", flat=True)) == ["Chiara"]
        assert AccessoCertificato.objects.count() == 1
    [line] = [r.getMessage() for r in caplog.records if r.name == "iscrizioni.conservazione"]
    assert "comune=leporano" in line and "bozze_cancellate=1" in line
    assert not any(name in caplog.text for name in ("Marta", "Chiara", "Lacaita", "LCT"))
    clock.set(datetime.date(2028, 11, 24), 3)  # the download log's 24 months by default
    conservazione_dati_all.delay()
    with scope(comune=leporano):
        assert not AccessoCertificato.objects.exists()
