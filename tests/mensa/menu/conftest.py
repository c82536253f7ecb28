"""A small real menu for Leporano's primary school: dishes, ingredients, diets, one 2-week cycle.

The tests of mensa/menu live beside this conftest.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django_scopes import scope

from mensa.menu.models import (
    CategoriaDieta,
    CicloMenu,
    Ingrediente,
    PeriodoMenu,
    Piatto,
    PiattoSostitutivo,
    Portata,
    Stagione,
    TipoDieta,
    VoceMenu,
)
from tests.factories import AnnoScolasticoFactory


@dataclass
class MenuDiProva:
    ciclo: CicloMenu
    periodo: PeriodoMenu
    piatti: dict[str, Piatto]
    ingredienti: dict[str, Ingrediente]
    senza_glutine: TipoDieta
    senza_maiale: TipoDieta


INGREDIENTI = {
    "pasta di semola": ["glutine"], "pasta senza glutine": [], "pomodoro": [], "parmigiano": ["latte"],
    "merluzzo": ["pesce"], "pangrattato": ["glutine"], "uova": ["uova"], "prosciutto cotto": [],
    "patate": [], "mela": [], "pane di grano": ["glutine"], "pane senza glutine": [], "riso": [],
}
PIATTI = {
    "Pasta al pomodoro": ["pasta di semola", "pomodoro", "parmigiano"],
    "Pasta senza glutine al pomodoro": ["pasta senza glutine", "pomodoro"],
    "Pasta al prosciutto": ["pasta di semola", "prosciutto cotto"],
    "Risotto al pomodoro": ["riso", "pomodoro"],
    "Merluzzo impanato": ["merluzzo", "pangrattato", "uova"],
    "Merluzzo al forno": ["merluzzo"],
    "Patate al forno": ["patate"],
    "Mela": ["mela"],
    "Pane": ["pane di grano"],
    "Pane senza glutine": ["pane senza glutine"],
}


def build_menu(comune, livello: str = "primaria") -> MenuDiProva:
    AnnoScolasticoFactory(comune=comune)  # the 2026/27 school year the periods must fall in
    with scope(comune=comune):
        ingredienti = {
            nome: Ingrediente.objects.create(comune=comune, nome=nome, allergeni=allergeni)
            for nome, allergeni in INGREDIENTI.items()
        }
        piatti = {}
        for nome, elenco in PIATTI.items():
            piatto = Piatto.objects.create(comune=comune, nome=nome)
            piatto.ingredienti.set([ingredienti[i] for i in elenco])
            piatti[nome] = piatto
        senza_glutine = TipoDieta.objects.create(
            comune=comune, nome="Senza glutine", categoria=CategoriaDieta.SANITARIA, allergeni_esclusi=["glutine"]
        )
        senza_maiale = TipoDieta.objects.create(
            comune=comune, nome="Senza maiale", categoria=CategoriaDieta.ETICO_RELIGIOSA
        )
        senza_maiale.ingredienti_esclusi.set([ingredienti["prosciutto cotto"]])
        for piatto, sostituto in (("Pasta al pomodoro", "Pasta senza glutine al pomodoro"),
                                  ("Merluzzo impanato", "Merluzzo al forno"), ("Pane", "Pane senza glutine")):
            PiattoSostitutivo.objects.create(comune=comune, piatto=piatti[piatto], dieta=senza_glutine,
                                             sostituto=piatti[sostituto])
        ciclo = CicloMenu.objects.create(comune=comune, nome=f"Invernale {livello}", livello=livello,
                                         stagione=Stagione.INVERNALE, settimane=2)
        periodo = PeriodoMenu(comune=comune, ciclo=ciclo, data_inizio=datetime.date(2026, 11, 2),
                              data_fine=datetime.date(2027, 3, 31))
        periodo.full_clean()
        periodo.save()
        week1 = [(Portata.PRIMO, "Pasta al pomodoro"), (Portata.SECONDO, "Merluzzo impanato"),
                 (Portata.CONTORNO, "Patate al forno"), (Portata.FRUTTA, "Mela"), (Portata.PANE, "Pane")]
        week2 = [(Portata.PRIMO, "Risotto al pomodoro"), (Portata.SECONDO, "Merluzzo al forno"),
                 (Portata.FRUTTA, "Mela"), (Portata.PANE, "Pane")]
        for settimana, voci in ((1, week1), (2, week2)):
            for giorno in range(5):
                for portata, nome in voci:
                    VoceMenu.objects.create(comune=comune, ciclo=ciclo, settimana=settimana,
                                            giorno_settimana=giorno, portata=portata, piatto=piatti[nome])
    return MenuDiProva(ciclo, periodo, piatti, ingredienti, senza_glutine, senza_maiale)


@pytest.fixture
def menu(leporano):
    return build_menu(leporano)
