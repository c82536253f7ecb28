"""Dishes, allergens, diets, substitutes and menu cycles: the rules staff meet in the admin."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from mensa.menu.allergeni import ALLERGENE_SCONOSCIUTO_ERROR, Allergene
from mensa.menu.cicli import BUCO_ERROR, FUORI_ANNO_ERROR, SOVRAPPOSTO_ERROR, settimana_del_ciclo
from mensa.menu.diete import dieta_consumatore_assign
from mensa.menu.models import (
    DIETA_COMUNE_ERROR,
    DIETA_SOVRAPPOSTA_ERROR,
    CicloMenu,
    DietaConsumatore,
    Ingrediente,
    PeriodoMenu,
    PiattoSostitutivo,
    Stagione,
    TipoDieta,
    VoceMenu,
)


def test_the_fourteen_allergens_of_annex_ii():
    assert len(Allergene.values) == 14
    assert Allergene.values[0] == "glutine" and Allergene.values[-1] == "molluschi"


def test_an_unknown_allergen_is_refused(leporano):
    with scope(comune=leporano):
        ingrediente = Ingrediente(comune=leporano, nome="Kiwi", allergeni=["kiwi"])
        with pytest.raises(ValidationError) as error:
            ingrediente.full_clean()
    assert str(ALLERGENE_SCONOSCIUTO_ERROR % {"valore": "kiwi"}) in str(error.value)


def test_a_dish_has_the_allergens_of_its_ingredients(menu, leporano):
    with scope(comune=leporano):
        assert menu.piatti["Merluzzo impanato"].allergeni == ["glutine", "uova", "pesce"]
        assert menu.piatti["Pasta senza glutine al pomodoro"].allergeni == []


def test_a_substitute_holding_the_excluded_allergen_is_refused(menu, leporano):
    with scope(comune=leporano):
        # "Risotto" looks safe by its name; one of its ingredients now holds gluten.
        menu.ingredienti["riso"].allergeni = ["glutine"]
        menu.ingredienti["riso"].save()
        sostituto = PiattoSostitutivo(comune=leporano, piatto=menu.piatti["Pasta al prosciutto"],
                                      dieta=menu.senza_glutine, sostituto=menu.piatti["Risotto al pomodoro"])
        with pytest.raises(ValidationError) as error:
            sostituto.full_clean()
        assert "contiene cereali contenenti glutine" in str(error.value)
        assert "Senza glutine" in str(error.value)
        sostituto = PiattoSostitutivo(comune=leporano, piatto=menu.piatti["Pasta al pomodoro"],
                                      dieta=menu.senza_maiale, sostituto=menu.piatti["Pasta al prosciutto"])
        with pytest.raises(ValidationError, match="prosciutto cotto"):
            sostituto.full_clean()


def test_a_fitting_substitute_is_accepted(menu, leporano):
    with scope(comune=leporano):
        sostituto = PiattoSostitutivo(comune=leporano, piatto=menu.piatti["Pasta al prosciutto"],
                                      dieta=menu.senza_maiale, sostituto=menu.piatti["Pasta al pomodoro"])
        sostituto.full_clean()


def _periodo(comune, ciclo, dal, al):
    return PeriodoMenu(comune=comune, ciclo=ciclo, data_inizio=dal, data_fine=al)


def test_periods_may_neither_overlap_nor_leave_a_gap(menu, leporano):
    with scope(comune=leporano):
        estivo = CicloMenu.objects.create(comune=leporano, nome="Estivo primaria", livello="primaria",
                                          stagione=Stagione.ESTIVO, settimane=4)
        with pytest.raises(ValidationError) as error:
            _periodo(leporano, estivo, datetime.date(2027, 3, 1), datetime.date(2027, 6, 4)).full_clean()
        assert str(SOVRAPPOSTO_ERROR).split("«")[0] in str(error.value)
        with pytest.raises(ValidationError) as error:
            _periodo(leporano, estivo, datetime.date(2027, 4, 7), datetime.date(2027, 6, 4)).full_clean()
        assert str(BUCO_ERROR).split("«")[0] in str(error.value) and "06/04/2027" in str(error.value)
        # 31/03/2027 is a Wednesday: the next day is contiguous. Before the winter menu: a weekend only.
        _periodo(leporano, estivo, datetime.date(2027, 4, 1), datetime.date(2027, 6, 4)).full_clean()
        _periodo(leporano, estivo, datetime.date(2026, 9, 14), datetime.date(2026, 10, 30)).full_clean()
        with pytest.raises(ValidationError) as error:
            _periodo(leporano, estivo, datetime.date(2027, 6, 1), datetime.date(2027, 7, 30)).full_clean()
        assert str(FUORI_ANNO_ERROR).split("(")[0] in str(error.value)


def test_another_school_level_has_its_own_calendar(menu, leporano):
    with scope(comune=leporano):
        infanzia = CicloMenu.objects.create(comune=leporano, nome="Invernale infanzia", livello="infanzia",
                                            stagione=Stagione.INVERNALE, settimane=4)
        _periodo(leporano, infanzia, datetime.date(2026, 11, 2), datetime.date(2027, 3, 31)).full_clean()


def test_a_week_beyond_the_cycle_is_refused(menu, leporano):
    with scope(comune=leporano):
        voce = VoceMenu(comune=leporano, ciclo=menu.ciclo, settimana=3, giorno_settimana=0, portata="primo",
                        piatto=menu.piatti["Mela"])
        with pytest.raises(ValidationError, match="la settimana 3 non esiste"):
            voce.full_clean()


def test_the_weeks_rotate_from_the_start_of_the_period(menu):
    periodo = menu.periodo
    assert [settimana_del_ciclo(periodo=periodo, settimane=2, giorno=datetime.date(2026, 11, d))
            for d in (2, 6, 9, 16, 23, 30)] == [1, 1, 2, 1, 2, 1]


def test_a_consumer_gets_a_diet_with_dates_once(menu, leporano, alice_children, pulsano):
    sofia = alice_children[1]
    with scope(comune=leporano):
        dieta = dieta_consumatore_assign(consumatore=sofia, tipo=menu.senza_glutine,
                                         data_inizio=datetime.date(2026, 9, 1), certificato="ASL TA n. 123")
        assert dieta.comune == leporano
        with pytest.raises(ValidationError) as error:
            dieta_consumatore_assign(consumatore=sofia, tipo=menu.senza_glutine,
                                     data_inizio=datetime.date(2027, 1, 1))
        assert str(DIETA_SOVRAPPOSTA_ERROR % {"dieta": "Senza glutine"}) in str(error.value)
    with scope(comune=pulsano):
        altra = TipoDieta.objects.create(comune=pulsano, nome="Vegetariana", categoria="etico_religiosa")
    with scope(comune=leporano), pytest.raises(ValidationError) as error:
        dieta_consumatore_assign(consumatore=sofia, tipo=altra, data_inizio=datetime.date(2026, 9, 1))
    assert str(DIETA_COMUNE_ERROR) in str(error.value)
    with scope(comune=leporano):
        assert DietaConsumatore.objects.count() == 1


def test_the_old_diet_flag_moves_into_diets(leporano, alice_children):
    migration = importlib.import_module("mensa.migrations.0003_diete_dal_flag_consumatore")
    sofia, leonardo = alice_children[1], alice_children[0]
    with scope(comune=leporano):
        sofia.dieta_speciale, sofia.note_dieta = True, "Celiachia: dieta senza glutine"
        sofia.save()
        leonardo.dieta_speciale, leonardo.note_dieta = True, "Dieta senza carne di maiale (motivi religiosi)"
        leonardo.save()
    migration.forward(apps, None)
    migration.forward(apps, None)  # twice: nothing doubles
    with scopes_disabled():
        diete = {d.consumatore_id: d for d in DietaConsumatore.objects.select_related("tipo")}
    assert len(diete) == 2
    assert diete[sofia.pk].tipo.categoria == "sanitaria" and diete[sofia.pk].tipo.allergeni_esclusi == ["glutine"]
    assert diete[sofia.pk].note == "Celiachia: dieta senza glutine"
    assert diete[leonardo.pk].tipo.categoria == "etico_religiosa"


@pytest.mark.parametrize("model", ["ingrediente", "piatto", "tipodieta", "ciclomenu", "dietaconsumatore",
                                   "pastoinbianco", "variazionemenu"])
def test_the_office_opens_every_menu_list(client, bob, menu, model):
    client.force_login(bob)
    assert client.get(f"/admin/mensa/{model}/").status_code == 200


def test_the_office_sees_the_substitute_refused_and_nothing_saved(client, bob, menu, leporano):
    client.force_login(bob)
    piatto = menu.piatti["Pasta al prosciutto"]
    url = f"/admin/mensa/piatto/{piatto.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "nome": piatto.nome, "ingredienti": [menu.ingredienti["pasta di semola"].pk,
                                             menu.ingredienti["prosciutto cotto"].pk],
        "sostituti-TOTAL_FORMS": "1", "sostituti-INITIAL_FORMS": "0",
        "sostituti-0-dieta": menu.senza_glutine.pk, "sostituti-0-sostituto": menu.piatti["Pane"].pk,
    })
    assert response.status_code == 200
    assert "contiene cereali contenenti glutine" in response.content.decode()
    with scope(comune=leporano):
        assert not PiattoSostitutivo.objects.filter(piatto=piatto).exists()
    response = client.post(url, {
        "nome": piatto.nome, "ingredienti": [menu.ingredienti["pasta di semola"].pk],
        "sostituti-TOTAL_FORMS": "1", "sostituti-INITIAL_FORMS": "0",
        "sostituti-0-dieta": menu.senza_glutine.pk,
        "sostituti-0-sostituto": menu.piatti["Pasta senza glutine al pomodoro"].pk,
    })
    assert response.status_code == 302
    with scope(comune=leporano):
        assert PiattoSostitutivo.objects.get(piatto=piatto).comune == leporano


def test_the_office_adds_an_ingredient_with_allergens(client, bob, leporano):
    client.force_login(bob)
    response = client.post("/admin/mensa/ingrediente/add/", {"nome": "Sedano", "allergeni": ["sedano"]})
    assert response.status_code == 302
    response = client.post("/admin/mensa/ingrediente/add/", {"nome": "Kiwi", "allergeni": ["kiwi"]})
    assert response.status_code == 200 and "kiwi" in response.content.decode()
    with scope(comune=leporano):
        assert list(Ingrediente.objects.values_list("nome", "allergeni")) == [("Sedano", ["sedano"])]


def test_another_comunes_staff_gets_404_on_dishes(client, dora, menu):
    client.force_login(dora)
    assert client.get(f"/admin/mensa/piatto/{menu.piatti['Mela'].pk}/change/").status_code == 404
    assert client.get(f"/admin/mensa/ciclomenu/{menu.ciclo.pk}/change/").status_code == 404


def _ciclo_post(nome, dal, al, settimana=1):
    return {
        "nome": nome, "livello": "primaria", "stagione": "estivo", "settimane": "2",
        "periodi-TOTAL_FORMS": "1", "periodi-INITIAL_FORMS": "0",
        "periodi-0-data_inizio": dal, "periodi-0-data_fine": al, "periodi-0-settimana_iniziale": "1",
        "voci-TOTAL_FORMS": "1", "voci-INITIAL_FORMS": "0",
        "voci-0-settimana": str(settimana), "voci-0-giorno_settimana": "0", "voci-0-portata": "primo",
    }


def test_the_office_adds_a_cycle_with_its_period_and_overlaps_are_refused(client, bob, leporano, menu):
    client.force_login(bob)
    post = _ciclo_post("Estivo primaria", "2027-03-01", "2027-06-04")
    post["voci-0-piatto"] = menu.piatti["Mela"].pk
    response = client.post("/admin/mensa/ciclomenu/add/", post)
    assert response.status_code == 200
    assert "si sovrappone" in response.content.decode()
    post.update({"periodi-0-data_inizio": "2027-04-01", "voci-0-settimana": "3"})
    response = client.post("/admin/mensa/ciclomenu/add/", post)
    assert "la settimana 3 non esiste" in response.content.decode()
    post["voci-0-settimana"] = "2"
    assert client.post("/admin/mensa/ciclomenu/add/", post).status_code == 302
    with scope(comune=leporano):
        periodo = PeriodoMenu.objects.get(ciclo__nome="Estivo primaria")
        assert periodo.livello == "primaria" and periodo.comune == leporano


def test_two_overlapping_periods_typed_together_are_refused(client, bob, leporano, menu):
    client.force_login(bob)
    post = _ciclo_post("Invernale infanzia", "2026-11-02", "2027-01-29")
    post.update({"livello": "infanzia", "voci-0-piatto": menu.piatti["Mela"].pk, "periodi-TOTAL_FORMS": "2",
                 "periodi-1-data_inizio": "2027-01-15", "periodi-1-data_fine": "2027-03-31",
                 "periodi-1-settimana_iniziale": "1"})
    response = client.post("/admin/mensa/ciclomenu/add/", post)
    assert response.status_code == 200 and "Due periodi del ciclo si sovrappongono" in response.content.decode()
    with scope(comune=leporano):
        assert not CicloMenu.objects.filter(nome="Invernale infanzia").exists()


def test_a_diet_is_deleted_a_year_after_it_ended(menu, leporano, alice_children, settings, monkeypatch):
    """Health data has a life: the daily job deletes a diet DIETE_CONSERVAZIONE_GIORNI after its end, and
    keeps the diets in force or ended more recently."""
    from mensa import tasks

    settings.DIETE_CONSERVAZIONE_GIORNI = 365
    sofia, leonardo = alice_children[1], alice_children[0]
    with scope(comune=leporano):
        dieta_consumatore_assign(consumatore=sofia, tipo=menu.senza_glutine, certificato="ASL TA n. 9",
                                 data_inizio=datetime.date(2024, 9, 1), data_fine=datetime.date(2025, 6, 30))
        recente = dieta_consumatore_assign(consumatore=sofia, tipo=menu.senza_glutine,
                                           data_inizio=datetime.date(2025, 9, 1), data_fine=datetime.date(2026, 6, 30))
        in_corso = dieta_consumatore_assign(consumatore=leonardo, tipo=menu.senza_glutine,
                                            data_inizio=datetime.date(2026, 9, 1))
    monkeypatch.setattr(tasks, "_today", lambda: datetime.date(2026, 7, 2))  # 367 days after the first ended

    assert tasks.diete_scadute_elimina.delay().get() == 1
    with scope(comune=leporano):
        assert set(DietaConsumatore.objects.values_list("pk", flat=True)) == {recente.pk, in_corso.pk}
