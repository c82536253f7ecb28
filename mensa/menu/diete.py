"""Diets: what a diet excludes from a dish, and a consumer's diets (the service enrolment will call)."""

from __future__ import annotations

import datetime

from django.db import transaction

from consumatori.models import Consumatore

from .allergeni import allergene_etichetta
from .models import DietaConsumatore, Piatto, TipoDieta


def dieta_conflicts(*, dieta: TipoDieta, piatto: Piatto) -> list[str]:
    """What in `piatto` the diet excludes (allergen labels, ingredient names); empty when it fits.

    Checked on the dish's ingredients, so a substitute cannot hide an allergen by its name.
    """
    esclusi_ingredienti = {i.pk for i in dieta.ingredienti_esclusi.all()}
    esclusi_allergeni = set(dieta.allergeni_esclusi)
    conflitti: list[str] = []
    for ingrediente in piatto.ingredienti.all():
        if ingrediente.pk in esclusi_ingredienti:
            conflitti.append(ingrediente.nome)
    conflitti.extend(str(allergene_etichetta(a)).lower() for a in piatto.allergeni if a in esclusi_allergeni)
    return conflitti


@transaction.atomic
def dieta_consumatore_assign(
    *,
    consumatore: Consumatore,
    tipo: TipoDieta,
    data_inizio: datetime.date,
    data_fine: datetime.date | None = None,
    note: str = "",
    certificato: str = "",
) -> DietaConsumatore:
    """Give a consumer a diet over a period (e.g. from the medical certificate of an enrolment).

    Refused (ValidationError naming the field) if the same diet already covers part of the period or
    the diet belongs to another comune.
    """
    dieta = DietaConsumatore(
        comune=consumatore.comune, consumatore=consumatore, tipo=tipo, data_inizio=data_inizio,
        data_fine=data_fine, note=note, certificato=certificato,
    )
    dieta.full_clean()
    dieta.save()
    return dieta
