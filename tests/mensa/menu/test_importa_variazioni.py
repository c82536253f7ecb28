"""Import a cycle from CSV/XLSX with a preview, all or nothing; a dish changed on the day tells families."""

from __future__ import annotations

import pytest
import tablib
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from mensa.menu.importa import COLONNA_SCONOSCIUTA_ERROR, menu_import_parse
from mensa.menu.models import VoceMenu
from mensa.menu.variazioni import variazione_register
from notifiche.models import Notifica
from tests.factories import TutoreFactory, UserFactory

from ..conftest import MONDAY, TUESDAY

CSV = (
    "settimana;giorno;portata;piatto\n"
    "1;lunedì;primo;Risotto al pomodoro\n"
    "1;Lunedi;secondo;merluzzo al forno\n"
    "2;3;frutta;Mela\n"
)


def _voci(comune, ciclo):
    with scope(comune=comune):
        return sorted(VoceMenu.objects.filter(ciclo=ciclo).values_list("settimana", "giorno_settimana", "portata",
                                                                       "piatto__nome"))


def _upload(client, ciclo, content: bytes, name="menu.csv"):
    return client.post(f"/admin/mensa/ciclomenu/{ciclo.pk}/importa/",
                       {"file": SimpleUploadedFile(name, content)})


def test_the_office_previews_then_replaces_the_cycle(client, bob, leporano, menu):
    client.force_login(bob)
    before = _voci(leporano, menu.ciclo)
    response = _upload(client, menu.ciclo, CSV.encode())
    body = response.content.decode()
    assert "Anteprima: 3 piatti" in body and "Merluzzo al forno" in body
    assert _voci(leporano, menu.ciclo) == before  # the preview writes nothing
    response = client.post(f"/admin/mensa/ciclomenu/{menu.ciclo.pk}/importa/", {"applica": "1"})
    assert response.status_code == 302
    assert _voci(leporano, menu.ciclo) == [(1, 0, "primo", "Risotto al pomodoro"),
                                           (1, 0, "secondo", "Merluzzo al forno"), (2, 2, "frutta", "Mela")]


def test_an_xlsx_file_is_read_too(leporano, menu):
    dataset = tablib.Dataset(headers=["settimana", "giorno", "portata", "piatto"])
    dataset.append([2, "venerdì", "pane", "Pane"])
    with scope(comune=leporano):
        anteprima = menu_import_parse(ciclo=menu.ciclo, content=dataset.export("xlsx"), filename="m.xlsx")
    assert anteprima.valida and anteprima.voci[0][:3] == (2, 4, "pane")


def test_a_wrong_column_is_refused_naming_it_and_nothing_changes(client, bob, leporano, menu):
    client.force_login(bob)
    before = _voci(leporano, menu.ciclo)
    body = _upload(client, menu.ciclo, CSV.replace("portata", "porzione").encode()).content.decode()
    assert str(COLONNA_SCONOSCIUTA_ERROR % {"colonna": "porzione"}) in body.replace("&laquo;", "«").replace(
        "&raquo;", "»")
    assert "«portata»" in body
    assert client.post(f"/admin/mensa/ciclomenu/{menu.ciclo.pk}/importa/", {"applica": "1"}).status_code == 302
    assert _voci(leporano, menu.ciclo) == before


def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_saved(leporano, menu):
    content = (CSV + "3;lunedì;primo;Mela\n1;domenica;primo;Mela\n1;martedì;antipasto;Mela\n"
               "1;martedì;primo;Pizza ai funghi\n1;lunedì;primo;Mela\n").encode()
    with scope(comune=leporano):
        anteprima = menu_import_parse(ciclo=menu.ciclo, content=content, filename="menu.csv")
    assert not anteprima.valida
    assert [(e.riga, e.colonna) for e in anteprima.errori] == [
        (5, "settimana"), (6, "giorno"), (7, "portata"), (8, "piatto"), (9, "portata")]
    assert "Pizza ai funghi" in anteprima.errori[3].messaggio
    assert "riga 2" in anteprima.errori[4].messaggio


def test_an_unreadable_file_gets_a_message(leporano, menu):
    with scope(comune=leporano):
        anteprima = menu_import_parse(ciclo=menu.ciclo, content=b"\x00\xff\xfe", filename="menu.xlsx")
    assert anteprima.errori[0].colonna == "file"


def test_another_comunes_staff_cannot_import_into_it(client, dora, menu):
    client.force_login(dora)
    assert _upload(client, menu.ciclo, CSV.encode()).status_code == 404


@pytest.fixture
def genitori(leporano, alice, alice_children, mensa_alice):
    # A second guardian with an account for Sofia; a guardian without an account gets nothing.
    TutoreFactory(comune=leporano, consumatore=alice_children[1], utente=UserFactory(email="papa@example.org"),
                  nome="Giovanni", cognome="Lacaita")
    TutoreFactory(comune=leporano, consumatore=alice_children[1], utente=None, nome="Nonna", cognome="Lacaita")
    return alice


def test_a_dish_changed_on_the_day_tells_each_family_once(leporano, clock, bob, genitori, alice_children, menu,
                                                          django_capture_on_commit_callbacks):
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=True):
        variazione = variazione_register(comune=leporano, giorno=TUESDAY, livello="primaria", portata="secondo",
                                         piatto=menu.piatti["Merluzzo impanato"], motivo="manca il merluzzo fresco",
                                         registrata_da=bob)
    assert variazione.allergeni == ["glutine", "uova", "pesce"]
    with scope(comune=leporano):
        notifiche = Notifica.objects.filter(chiave__startswith="variazione-menu:")
        assert notifiche.count() == 3  # alice for two children, the father for Sofia
        from mensa.menu.variazioni import variazione_notify

        assert variazione_notify(variazione=variazione) == 0  # idempotent key: nobody told twice
        assert notifiche.count() == 3
    assert len(mail.outbox) == 3
    assert "Uova" in mail.outbox[0].body or "uova" in mail.outbox[0].body
    assert "manca il merluzzo fresco" in mail.outbox[0].body


def test_children_of_another_level_or_absent_are_not_told(leporano, clock, bob, alice, alice_children, menu,
                                                          mensa_alice, django_capture_on_commit_callbacks):
    from mensa.assenze import assenza_create

    with scope(comune=leporano):
        assenza_create(consumatore=alice_children[0], dal=TUESDAY, registrata_da=alice)
        assenza_create(consumatore=alice_children[1], dal=TUESDAY, registrata_da=alice)
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=True):
        variazione_register(comune=leporano, giorno=TUESDAY, livello="primaria", portata="primo",
                            piatto=menu.piatti["Risotto al pomodoro"], motivo="x", registrata_da=bob)
        variazione_register(comune=leporano, giorno=MONDAY, livello="infanzia", portata="primo",
                            piatto=menu.piatti["Risotto al pomodoro"], motivo="x", registrata_da=bob)
    with scope(comune=leporano):
        assert not Notifica.objects.filter(chiave__startswith="variazione-menu:").exists()


def test_the_office_records_a_variation_in_the_admin(client, clock, bob, leporano, genitori, menu,
                                                     django_capture_on_commit_callbacks):
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/mensa/variazionemenu/add/", {
            "giorno": TUESDAY.isoformat(), "livello": "primaria", "portata": "secondo",
            "piatto": menu.piatti["Merluzzo impanato"].pk, "motivo": "fornitore senza merluzzo fresco",
        }, follow=True)
    assert "le famiglie dei bambini che mangiano quel giorno ricevono un messaggio" in response.content.decode()
    with scope(comune=leporano):
        from mensa.menu.models import VariazioneMenu

        assert VariazioneMenu.objects.get().allergeni == ["glutine", "uova", "pesce"]
        assert Notifica.objects.filter(chiave__startswith="variazione-menu:").count() == 3
    response = client.post("/admin/mensa/variazionemenu/add/", {
        "giorno": TUESDAY.isoformat(), "livello": "primaria", "portata": "secondo",
        "piatto": menu.piatti["Merluzzo al forno"].pk, "motivo": "di nuovo",
    })
    assert response.status_code == 200  # the same course twice on a day: refused by the form
    assert "esiste già" in response.content.decode()
    response = client.post("/admin/mensa/ingrediente/add/", {"nome": "uova", "allergeni": ["uova"]})
    assert response.status_code == 200 and "esiste già" in response.content.decode()
