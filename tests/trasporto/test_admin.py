"""Staff: routes in the admin, the debtors list with its CSV, the enrolment import with a preview."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from trasporto.importazione import iscrizioni_import
from trasporto.models import Iscrizione, Linea
from trasporto.services import mensilita_debit

from .factories import LineaFactory


def test_staff_see_only_their_routes(client, bob, dora, linea, pulsano):
    altra = LineaFactory(comune=pulsano, nome="Linea Pulsano Marina")
    client.force_login(bob)
    body = client.get(reverse("admin:trasporto_linea_changelist")).content.decode()
    assert "Linea Gandoli" in body and "Linea Pulsano Marina" not in body
    assert client.get(reverse("admin:trasporto_linea_change", args=[altra.pk])).status_code == 404
    assert client.get(reverse("admin:trasporto_linea_change", args=[linea.pk])).status_code == 200


def test_staff_add_a_route_with_its_stops(client, bob, leporano_trasporto, linea):
    client.force_login(bob)
    data = {
        "anno_scolastico": linea.anno_scolastico_id, "nome": "Linea Lido Silvana", "mezzo": "", "autista": "",
        "telefono_autista": "",
        "fermate-TOTAL_FORMS": "2", "fermate-INITIAL_FORMS": "0", "fermate-MIN_NUM_FORMS": "0",
        "fermate-MAX_NUM_FORMS": "1000",
        "fermate-0-ordine": "1", "fermate-0-nome": "Lido Silvana", "fermate-0-indirizzo": "Via Lido Silvana",
        "fermate-0-ora_andata": "07:30", "fermate-0-ora_ritorno": "14:00",
        "fermate-1-ordine": "2", "fermate-1-nome": "Via Aldo Moro", "fermate-1-indirizzo": "",
        "fermate-1-ora_andata": "07:40", "fermate-1-ora_ritorno": "13:50",
    }
    response = client.post(reverse("admin:trasporto_linea_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    with scope(comune=leporano_trasporto):
        nuova = Linea.objects.get(nome="Linea Lido Silvana")
        assert [f.nome for f in nuova.fermate.order_by("ordine")] == ["Lido Silvana", "Via Aldo Moro"]
        assert {f.comune_id for f in nuova.fermate.all()} == {leporano_trasporto.pk}


def test_staff_see_transport_debtors_and_export_them(client, bob, dora, alice_children, enrol, leporano_trasporto):
    enrol(alice_children[0])
    with scope(comune=leporano_trasporto):
        mensilita_debit(comune=leporano_trasporto, mese="2026-04")
    client.force_login(bob)
    body = client.get(reverse("admin:trasporto_debitori")).content.decode()
    assert "Lacaita Leonardo" in body
    assert "25" in body
    response = client.get(reverse("admin:trasporto_debitori") + "?formato=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "cognome;nome;codice_fiscale;codice_pagamento;debito;email"
    assert lines[1].startswith("Lacaita;Leonardo;")
    assert ";25,00;alice@example.org" in lines[1]
    client.force_login(dora)
    assert "Lacaita" not in client.get(reverse("admin:trasporto_debitori")).content.decode()


def test_families_cannot_open_the_debtors_list(client, alice):
    client.force_login(alice)
    response = client.get(reverse("admin:trasporto_debitori"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def _csv(alice_children, fermata="Gandoli", dal="01/04/2026"):
    rows = ["codice_fiscale;linea;fermata;percorso;dal;al;fascia_isee;esente;riduzione_fratelli"]
    rows.append(f"{alice_children[0].codice_fiscale};Linea Gandoli;{fermata};andata_ritorno;{dal};;;;")
    rows.append(f"{alice_children[1].codice_fiscale};linea gandoli;Piazza Castello;solo_andata;01/04/2026;"
                "30/04/2026;;no;si")
    return "\n".join(rows) + "\n"


def test_import_preview_saves_nothing_then_confirm_saves_all(client, bob, alice_children, fermate, leporano_trasporto):
    client.force_login(bob)
    url = reverse("admin:trasporto_iscrizione_import")
    upload = SimpleUploadedFile("iscrizioni.csv", _csv(alice_children).encode())
    body = client.post(url, {"file": upload}).content.decode()
    assert "Anteprima: 2 iscrizioni valide, nessuna salvata" in body
    with scope(comune=leporano_trasporto):
        assert Iscrizione.objects.count() == 0
    upload = SimpleUploadedFile("iscrizioni.csv", _csv(alice_children).encode())
    body = client.post(url, {"file": upload, "conferma": "on"}).content.decode()
    assert "2 iscrizioni salvate" in body
    with scope(comune=leporano_trasporto):
        sofia = Iscrizione.objects.get(consumatore=alice_children[1])
    assert sofia.riduzione_fratelli and sofia.data_fine == datetime.date(2026, 4, 30)


def test_import_with_a_bad_row_saves_nothing_and_names_the_row(alice_children, fermate, leporano_trasporto):
    with scope(comune=leporano_trasporto):
        esito = iscrizioni_import(comune=leporano_trasporto, file=_csv(alice_children, fermata="Lido"),
                                  dry_run=False)
        assert Iscrizione.objects.count() == 0
    assert esito.errori == ["Riga 2: fermata: la linea «Linea Gandoli» non ha la fermata «Lido»."]
    assert esito.create == 0


def test_import_refuses_dates_outside_the_school_year(alice_children, fermate, leporano_trasporto):
    with scope(comune=leporano_trasporto):
        esito = iscrizioni_import(comune=leporano_trasporto, file=_csv(alice_children, dal="01/08/2025"),
                                  dry_run=False)
        assert Iscrizione.objects.count() == 0
    assert esito.errori[0].startswith("Riga 2: data_inizio: Le date devono cadere nell'anno scolastico")


def test_import_refuses_a_wrong_header(leporano_trasporto):
    with scope(comune=leporano_trasporto):
        esito = iscrizioni_import(comune=leporano_trasporto, file="cf;linea\nX;Y\n", dry_run=True)
    assert "Intestazione del file non valida" in esito.errori[0]


def test_every_bus_admin_page_opens_for_staff(client, bob, alice_children, enrol, leporano_trasporto):
    iscrizione = enrol(alice_children[0])
    client.force_login(bob)
    for model in ("impostazionitrasporto", "linea", "fasciaisee", "tariffatrasporto", "iscrizione", "salita",
                  "sollecitotrasporto"):
        assert client.get(reverse(f"admin:trasporto_{model}_changelist")).status_code == 200, model
    for model in ("impostazionitrasporto", "linea", "fasciaisee", "tariffatrasporto", "iscrizione"):
        assert client.get(reverse(f"admin:trasporto_{model}_add")).status_code == 200, model
    with scope(comune=leporano_trasporto):
        from trasporto.services import impostazioni_for

        impostazioni_for(comune=leporano_trasporto)
    # One settings row per comune: no second one.
    assert client.get(reverse("admin:trasporto_impostazionitrasporto_add")).status_code == 403
    assert client.get(reverse("admin:trasporto_iscrizione_change", args=[iscrizione.pk])).status_code == 200
    assert client.get(reverse("admin:trasporto_iscrizione_import")).status_code == 200


def test_staff_enrol_in_the_admin_and_get_the_rule_messages(client, bob, alice_children, linea, fermate,
                                                            leporano_trasporto):
    from trasporto.models import FERMATA_LINEA_ERROR

    from .factories import FermataFactory

    altra = FermataFactory(linea=LineaFactory(comune=leporano_trasporto, nome="Linea Lido Silvana"))
    client.force_login(bob)
    data = {"consumatore": alice_children[0].pk, "linea": linea.pk, "fermata": altra.pk,
            "percorso": "andata_ritorno", "data_inizio": "01/04/2026", "data_fine": "10/06/2026", "note": ""}
    response = client.post(reverse("admin:trasporto_iscrizione_add"), data)
    assert response.status_code == 200
    assert str(FERMATA_LINEA_ERROR) in response.content.decode()
    data["fermata"] = fermate[0].pk
    assert client.post(reverse("admin:trasporto_iscrizione_add"), data).status_code == 302
    with scope(comune=leporano_trasporto):
        assert Iscrizione.objects.get().comune_id == leporano_trasporto.pk
