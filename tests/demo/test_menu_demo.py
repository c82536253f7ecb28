"""The demo's menus, diets and bland meal: what a new user tries on `make run` (issue 13, "Done when")."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from comuni.models import Comune, User
from mensa.menu.models import CicloMenu, DietaConsumatore, PastoInBianco, PiattoSostitutivo, VoceMenu
from mensa.selectors import conteggio_cucina

MONDAY_8 = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Europe/Rome"))


@pytest.fixture
def seeded(db, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_8)
    call_command("seed_demo")
    return Comune.objects.get(slug="leporano")


def test_the_menus_are_seeded_once_and_every_substitute_fits_its_diet(seeded):
    with scopes_disabled():
        counts = (CicloMenu.objects.count(), VoceMenu.objects.count(), PiattoSostitutivo.objects.count(),
                  DietaConsumatore.objects.count(), PastoInBianco.objects.count())
    call_command("seed_demo")
    with scopes_disabled():
        assert (CicloMenu.objects.count(), VoceMenu.objects.count(), PiattoSostitutivo.objects.count(),
                DietaConsumatore.objects.count(), PastoInBianco.objects.count()) == counts
        assert CicloMenu.objects.filter(comune__slug="leporano").count() == 6  # winter, summer × 3 levels
        assert CicloMenu.objects.filter(comune__slug="pulsano").exists()
        for sostituto in PiattoSostitutivo.objects.select_related("piatto", "dieta", "sostituto"):
            sostituto.full_clean()  # refused if the substitute held what the diet excludes


def test_the_public_menu_of_leporano_shows_this_week_with_allergens(client, seeded):
    body = client.get("/leporano/menu/").content.decode()
    assert "Scuola primaria" in body and "Scuola dell&#x27;infanzia" in body
    assert "<sup" in body and 'id="legenda-allergeni"' in body
    # Issue 20: the week of the Immacolata shows Tuesday 8 December as a day without service, in every level.
    body = client.get("/leporano/menu/?settimana=2026-12-07").content.decode()
    for livello in ("infanzia", "primaria", "secondaria"):
        sezione = body.split(f'id="menu-{livello}"')[1].split("</section>")[0]
        martedi = sezione.split("Martedì 8</th>")[1].split("</td>")[0]
        assert "Servizio non disponibile" in martedi and "<sup" not in martedi
        assert "<sup" in sezione.split("Lunedì 7</th>")[1].split("</td>")[0]


def test_lucia_de_bellis_sees_the_gluten_free_substitute(client, seeded):
    user = User.objects.get(email="lucia.debellis@leporano.example")
    with scope(comune=seeded):
        dieta = DietaConsumatore.objects.select_related("consumatore").get(
            consumatore__tutori__utente=user, tipo__nome__startswith="Senza glutine")
    client.force_login(user)
    body = client.get(f"/leporano/consumatori/{dieta.consumatore_id}/").content.decode()
    assert "Senza glutine (celiachia)" in body
    assert "Pasta senza glutine al pomodoro" in body or "Pane senza glutine" in body
    assert "al posto di" in body


def test_the_kitchen_count_of_a_demo_day_shows_diets_and_the_bland_meal(seeded):
    with scope(comune=seeded):
        righe = conteggio_cucina(comune=seeded, giorno=MONDAY_8.date())
    diete = {r.dieta for r in righe}
    assert any("in bianco" in d for d in diete)
    assert any(d.startswith("Senza glutine") or "Senza glutine" in d for d in diete)
    assert any(r.nomi for r in righe)
