"""Class history: each consumer's class per school year; a past month shows the class of that time."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django_scopes import scope

from consumatori.models import ClasseConsumatore, Consumatore
from consumatori.storico import classe_del_periodo, storico_classi_sync
from tests.factories import AnnoScolasticoFactory, ClasseFactory
from tests.mensa.conftest import clock, mensa_alice  # noqa: F401  (fixtures)


def _url(child, mese):
    return reverse("cittadino:consumatore", kwargs={"comune": "leporano", "pk": child.pk}) + f"?mese={mese}"


def _dl(body: str) -> str:
    return body.split('<dl class="row">')[1].split("</dl>")[0]


def _promote(comune, child) -> None:
    """What the rollover does to one child: record this year's class, move to 4ª B of 2027/28."""
    with scope(comune=comune):
        storico_classi_sync(comune=comune)
        child.refresh_from_db()
        anno = AnnoScolasticoFactory(comune=comune, nome="2027/28", data_inizio=datetime.date(2027, 9, 13),
                                     data_fine=datetime.date(2028, 6, 8))
        nuova = ClasseFactory(comune=comune, scuola=child.classe.scuola, anno_scolastico=anno, anno=4, sezione="B")
        Consumatore.objects.filter(pk=child.pk).update(classe=nuova)
        storico_classi_sync(comune=comune)


def test_sync_records_one_row_per_year_and_follows_a_change_of_class(leporano, alice_children):
    sofia, leonardo = alice_children[1], alice_children[0]
    with scope(comune=leporano):
        assert storico_classi_sync(comune=leporano) == 2
        assert storico_classi_sync(comune=leporano) == 0  # nothing changed, nothing written
        altra = ClasseFactory(comune=leporano, scuola=sofia.classe.scuola, anno_scolastico=sofia.classe.anno_scolastico,
                              anno=3, sezione="C")
        Consumatore.objects.filter(pk=sofia.pk).update(classe=altra)
        assert storico_classi_sync(comune=leporano, consumatore_ids=[sofia.pk]) == 1
        rows = {r.consumatore_id: r.classe_id for r in ClasseConsumatore.objects.all()}
    assert rows == {sofia.pk: altra.pk, leonardo.pk: leonardo.classe_id}


def test_sync_of_one_comune_leaves_the_other_alone(leporano, pulsano, alice_children, charlie_child):
    with scope(comune=leporano):
        storico_classi_sync(comune=leporano)
    with scope(comune=pulsano):
        assert not ClasseConsumatore.objects.exists()


def test_a_past_month_shows_the_class_of_that_school_year(client, clock, leporano, alice, alice_children,  # noqa: F811
                                                         mensa_alice):  # noqa: F811
    leonardo = alice_children[0]
    _promote(leporano, leonardo)
    client.force_login(alice)
    past = client.get(_url(leonardo, "2026-11")).content.decode()
    assert "3ª" in _dl(past) and "2026/27" in _dl(past) and "4ª" not in _dl(past)
    # The days of that month follow the calendar of that year's school: a Monday had service.
    assert "pasto prenotato" in past.split('id="g20261130"')[1].split("</li>")[0]
    now = client.get(_url(leonardo, "2027-10")).content.decode()
    assert "4ª" in _dl(now) and "2027/28" in _dl(now)


def test_the_history_costs_one_query_only_for_a_past_year(client, clock, leporano, alice, alice_children,  # noqa: F811
                                                         mensa_alice, django_assert_num_queries, settings):  # noqa: F811
    settings.FAMILY_PAGE_CACHE_SECONDS = 0  # the render path; hits: tests/consumatori/test_page_cache.py
    leonardo = alice_children[0]
    _promote(leporano, leonardo)
    client.force_login(alice)
    # The Dettaglio of the current year (as tests/mensa/test_dettaglio.py counts it), plus the class of the past year.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(_url(leonardo, "2027-10"))  # the comune is cached after the first request
    with CaptureQueriesContext(connection) as now:
        assert client.get(_url(leonardo, "2027-10")).status_code == 200
    with django_assert_num_queries(len(now.captured_queries) + 1):
        assert client.get(_url(leonardo, "2026-11")).status_code == 200


def test_without_history_today_s_class_is_shown(leporano, alice_children):
    leonardo = alice_children[0]
    with scope(comune=leporano):
        leonardo = Consumatore.objects.select_related("classe__anno_scolastico").get(pk=leonardo.pk)
        classe = classe_del_periodo(consumatore=leonardo, dal=datetime.date(2020, 1, 1), al=datetime.date(2020, 1, 31))
    assert classe == leonardo.classe


def test_another_family_cannot_read_the_history(client, leporano, alice_children, charlie):
    _promote(leporano, alice_children[0])
    client.force_login(charlie)
    assert client.get(_url(alice_children[0], "2026-11")).status_code == 404


def test_staff_changing_the_class_in_the_admin_updates_the_history(client, bob, leporano, alice_children):
    sofia = alice_children[1]
    with scope(comune=leporano):
        storico_classi_sync(comune=leporano)
        altra = ClasseFactory(comune=leporano, scuola=sofia.classe.scuola, anno_scolastico=sofia.classe.anno_scolastico,
                              anno=3, sezione="C")
        tutore = sofia.tutori.get()
    client.force_login(bob)
    data = {
        "nome": sofia.nome, "cognome": sofia.cognome, "codice_fiscale": sofia.codice_fiscale,
        "data_nascita": sofia.data_nascita.isoformat(), "classe": altra.pk, "note_dieta": "", "attivo": "on",
        "tutori-TOTAL_FORMS": "1", "tutori-INITIAL_FORMS": "1", "tutori-0-id": tutore.pk,
        "tutori-0-consumatore": sofia.pk, "tutori-0-nome": tutore.nome, "tutori-0-cognome": tutore.cognome,
        "tutori-0-codice_fiscale": "", "tutori-0-relazione": tutore.relazione, "tutori-0-email": "",
        "tutori-0-telefono": "",
        "storico_classi-TOTAL_FORMS": "1", "storico_classi-INITIAL_FORMS": "1",
    }
    with scope(comune=leporano):
        data["storico_classi-0-id"] = ClasseConsumatore.objects.get(consumatore=sofia).pk
    data["storico_classi-0-consumatore"] = sofia.pk
    response = client.post(reverse("admin:consumatori_consumatore_change", args=[sofia.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    with scope(comune=leporano):
        assert list(ClasseConsumatore.objects.filter(consumatore=sofia).values_list("classe_id", flat=True)) == [
            altra.pk
        ]
