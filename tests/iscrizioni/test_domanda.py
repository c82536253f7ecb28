"""The family's application at /<comune>/iscrizioni/: form, summary, "Invia", receipt, withdrawal."""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from iscrizioni.forms import DomandaForm
from iscrizioni.models import Domanda, FinestraIscrizione, StatoDomanda
from notifiche.models import Notifica
from tests.factories import ClasseFactory, ScuolaFactory, UserFactory, cf_for

from .conftest import PDF

NASCITA = datetime.date(2020, 4, 15)


def _url(name, **kwargs):
    return reverse(f"iscrizioni:{name}", kwargs={"comune": "leporano", **kwargs})


@pytest.fixture
def dati(famiglia, bus):
    classe = famiglia["classe"]
    return {
        "chiave": str(uuid.uuid4()), "consumatore": "", "nome": "Chiara", "cognome": "Lacaita",
        "codice_fiscale": cf_for("Lacaita", "Chiara", "F", NASCITA), "data_nascita": NASCITA.isoformat(),
        "scuola": classe.scuola_id, "classe": classe.pk, "mensa": "on", "trasporto": "on",
        "linea": bus["linea"].pk, "fermata": bus["fermate"][1].pk, "percorso": "andata_ritorno",
        "isee": "8500,00", "protocollo_dsu": "INPS-ISEE-2026-12345678A-00", "tipo_dieta": "altra", "dieta": "sanitaria",
        "dieta_descrizione": "Celiachia: senza glutine", "consenso_privacy": "on",
    }


def _post(client, dati, certificato=(("certificato.pdf", PDF),)):
    data = dict(dati)
    if certificato:
        name, content = certificato[0]
        data["certificato"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(_url("nuova"), data)


def _private_files(settings) -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_cittadino_shows_iscrizioni_only_while_a_window_is_open(client, clock, alice, leporano, finestre):
    client.force_login(alice)
    home = reverse("cittadino:home", args=["leporano"])
    assert 'data-testid="iscrizioni-aperte"' in client.get(home).content.decode()
    clock.set(datetime.date(2026, 12, 1), 9)
    assert "iscrizioni-aperte" not in client.get(reverse("cittadino:home", args=["leporano"])).content.decode()
    assert client.get(_url("nuova")).status_code == 302  # nothing open: back to the list


def test_a_family_applies_for_a_new_child_with_isee_and_certificate(client, clock, alice, leporano, finestre, dati,
                                                                    settings, django_capture_on_commit_callbacks):
    client.force_login(alice)
    page = client.get(_url("nuova")).content.decode()
    assert "Non presento l&#x27;ISEE" in page or "Non presento l'ISEE" in page
    response = _post(client, dati)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    with scope(comune=leporano):
        domanda = Domanda.objects.get()
    assert domanda.stato == StatoDomanda.BOZZA and response["Location"] == _url("riepilogo", pk=domanda.pk)
    riepilogo = client.get(response["Location"]).content.decode()
    assert "Chiara Lacaita" in riepilogo and "INPS-ISEE-2026-12345678A-00" in riepilogo and ">Invia<" in riepilogo
    # The certificate is private: outside MEDIA_ROOT, under a random name with the sniffed extension.
    [stored] = _private_files(settings)
    assert stored.suffix == ".pdf" and "certificato" not in stored.name and stored.read_bytes() == PDF
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("invia", pk=domanda.pk))
    assert response["Location"] == _url("domanda", pk=domanda.pk)
    with scope(comune=leporano):
        domanda.refresh_from_db()
        notifiche = list(Notifica.objects.filter(user=alice))
    assert domanda.stato == StatoDomanda.INVIATA and domanda.protocollo == f"ISC-2026-{domanda.pk:06d}"
    assert len(notifiche) == 1 and domanda.protocollo in notifiche[0].titolo
    assert len(mail.outbox) == 1 and domanda.protocollo in mail.outbox[0].subject + mail.outbox[0].body
    dettaglio = client.get(_url("domanda", pk=domanda.pk)).content.decode()
    assert domanda.protocollo in dettaglio and "Inviata" in dettaglio
    ricevuta = client.get(_url("ricevuta", pk=domanda.pk))
    assert ricevuta["Content-Type"] == "application/pdf" and ricevuta.content.startswith(b"%PDF")
    certificato = client.get(_url("certificato", pk=domanda.pk))
    assert certificato["Content-Type"] == "application/pdf" and b"".join(certificato.streaming_content) == PDF


def test_double_submission_makes_one_application(client, clock, alice, leporano, finestre, dati):
    client.force_login(alice)
    _post(client, dati)
    _post(client, dati)
    with scope(comune=leporano):
        domanda = Domanda.objects.get()
    client.post(_url("invia", pk=domanda.pk))
    client.post(_url("invia", pk=domanda.pk))
    assert _post(client, dati)["Location"] == _url("domanda", pk=domanda.pk)  # the form again, after Invia
    with scope(comune=leporano):
        assert Domanda.objects.count() == 1 and Notifica.objects.filter(user=alice).count() == 1


def test_a_linked_child_needs_no_personal_data(client, clock, alice, alice_children, leporano, finestre, dati):
    client.force_login(alice)
    sofia = alice_children[1]
    dati = {**dati, "consumatore": sofia.pk, "nome": "", "cognome": "", "codice_fiscale": "", "data_nascita": "",
            "tipo_dieta": "", "dieta": "", "dieta_descrizione": "", "trasporto": ""}
    assert _post(client, dati, certificato=()).status_code == 302
    with scope(comune=leporano):
        domanda = Domanda.objects.get()
    assert domanda.consumatore == sofia and domanda.codice_fiscale == sofia.codice_fiscale and not domanda.trasporto


BAD = [
    ("codice_fiscale", {"codice_fiscale": "RSSMRA80A01H501X"}, "carattere di controllo"),
    ("codice_fiscale", {"codice_fiscale": "NOTACODE"}, "formato non valido"),
    ("isee", {"isee": "-10"}, "negativo"),
    ("isee", {"isee": "5000000"}, "plausibile"),
    ("isee", {"isee": "", "protocollo_dsu": ""}, "non presento"),
    ("isee", {"isee_non_presentato": "on"}, "una delle due"),
    ("protocollo_dsu", {"protocollo_dsu": "INPS-2026-123"}, "INPS-ISEE-2026-12345678A-00"),
    ("consenso_privacy", {"consenso_privacy": ""}, "consenso"),
    ("percorso", {"percorso": ""}, "andata"),
    ("dieta_descrizione", {"dieta_descrizione": ""}, "descrivi"),
    ("dieta", {"dieta": ""}, "motivi di salute"),
    ("data_nascita", {"data_nascita": "9999-01-01"}, "plausibile"),
]


@pytest.mark.parametrize(("field", "change", "text"), BAD)
def test_bad_input_names_the_field_and_saves_nothing(client, clock, alice, leporano, finestre, dati, settings, field,
                                                     change, text):
    client.force_login(alice)
    response = _post(client, {**dati, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and text in " ".join(errors[field]), errors
    with scope(comune=leporano):
        assert not Domanda.objects.exists()
    assert not _private_files(settings)


def test_a_stop_of_another_route_and_a_class_of_another_school_are_refused(client, clock, alice, leporano, finestre,
                                                                           dati, bus, anno):
    altra_classe = ClasseFactory(comune=leporano, anno_scolastico=anno, scuola=ScuolaFactory(comune=leporano))
    client.force_login(alice)
    response = _post(client, {**dati, "fermata": bus["altra_fermata"].pk, "classe": altra_classe.pk})
    errors = response.context["form"].errors
    assert "linea indicata" in errors["fermata"][0] and "non è della scuola" in errors["classe"][0]


@pytest.mark.parametrize(("name", "content", "text"), [
    ("certificato.pdf", b"", "vuoto"),
    ("certificato.pdf", b"MZ\x90\x00 not a pdf at all", "PDF, JPEG o PNG"),
    ("foto.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "PDF, JPEG o PNG"),
    ("grande.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "5 MB"),
])
def test_bad_certificates_are_refused_and_nothing_is_stored(client, clock, alice, leporano, finestre, dati, settings,
                                                            name, content, text):
    client.force_login(alice)
    response = _post(client, dati, certificato=((name, content),))
    errors = response.context["form"].errors
    assert "certificato" in errors and text in errors["certificato"][0], errors
    assert not _private_files(settings)
    with scope(comune=leporano):
        assert not Domanda.objects.exists()


def test_a_file_name_with_a_path_is_refused(leporano, anno, alice, finestre, dati):
    from consumatori.models import Consumatore

    upload = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    # Django's multipart parser and UploadedFile strip directories; the form refuses what gets through anyway.
    upload._name = "../../x.pdf"
    with scope(comune=leporano):
        form = DomandaForm(dati, {"certificato": upload}, consumatori=Consumatore.objects.none(), anno=anno,
                           servizi_aperti=["mensa", "trasporto"])
        assert not form.is_valid() and "nome del file" in form.errors["certificato"][0]


def test_jpeg_and_png_are_sniffed_from_the_content(client, clock, alice, leporano, finestre, dati, settings):
    client.force_login(alice)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    assert _post(client, dati, certificato=(("scansione.pdf", png),)).status_code == 302  # named .pdf, it is a PNG
    [stored] = _private_files(settings)
    assert stored.suffix == ".png"
    with scope(comune=leporano):
        assert Domanda.objects.get().certificato_tipo == "image/png"


def test_a_window_closing_while_the_form_was_open_refuses_the_submission(client, clock, alice, leporano, finestre,
                                                                         dati):
    client.force_login(alice)
    _post(client, dati)
    with scope(comune=leporano):
        domanda = Domanda.objects.get()
        FinestraIscrizione.objects.filter(servizio="trasporto").update(chiude_il=datetime.date(2026, 11, 22))
    response = client.post(_url("invia", pk=domanda.pk), follow=True)
    assert "sono chiuse" in response.content.decode()
    with scope(comune=leporano):
        domanda.refresh_from_db()
    assert domanda.stato == StatoDomanda.BOZZA and not domanda.protocollo


def test_the_family_withdraws_until_decided(client, clock, alice, leporano, finestre, dati):
    client.force_login(alice)
    _post(client, dati)
    with scope(comune=leporano):
        domanda = Domanda.objects.get()
    client.post(_url("invia", pk=domanda.pk))
    client.post(_url("ritira", pk=domanda.pk))
    with scope(comune=leporano):
        domanda.refresh_from_db()
    assert domanda.stato == StatoDomanda.RITIRATA
    response = client.post(_url("ritira", pk=domanda.pk), follow=True)
    assert "non si può più ritirare" in response.content.decode()


def test_another_family_and_another_comune_get_404(client, clock, alice, charlie, leporano, finestre, dati, bob, dora):
    client.force_login(alice)
    _post(client, dati)
    with scope(comune=leporano):
        domanda = Domanda.objects.get()
    client.post(_url("invia", pk=domanda.pk))
    elena = UserFactory(email="elena@example.org")
    for intruder in (elena, charlie, dora):
        client.force_login(intruder)
        for name in ("domanda", "riepilogo", "ricevuta", "certificato"):
            assert client.get(_url(name, pk=domanda.pk)).status_code == 404, (intruder, name)
        assert client.post(_url("ritira", pk=domanda.pk)).status_code == 404
        assert client.get(reverse("iscrizioni:domanda", kwargs={"comune": "pulsano", "pk": domanda.pk})).status_code \
            == 404
    client.force_login(bob)  # the comune's school office reads the certificate
    assert client.get(_url("certificato", pk=domanda.pk)).status_code == 200


def test_the_list_runs_a_fixed_number_of_queries(client, clock, alice, leporano, finestre, dati,
                                                 django_assert_num_queries):
    client.force_login(alice)
    for _n in range(3):
        _post(client, {**dati, "chiave": str(uuid.uuid4())})
    # session, user, open windows, applications (the comune is cached after the first request)
    with django_assert_num_queries(4):
        assert client.get(_url("home")).status_code == 200
