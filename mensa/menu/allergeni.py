"""The 14 allergens of Annex II of Regulation (EU) 1169/2011: a fixed list, never edited by staff."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

ALLERGENE_SCONOSCIUTO_ERROR = _(
    "Allergene sconosciuto: «%(valore)s». Sono ammessi solo i 14 allergeni dell'allegato II del "
    "Regolamento (UE) 1169/2011."
)


class Allergene(models.TextChoices):
    """Annex II, in the order of the Regulation (points 1–14)."""

    GLUTINE = "glutine", _("Cereali contenenti glutine")
    CROSTACEI = "crostacei", _("Crostacei")
    UOVA = "uova", _("Uova")
    PESCE = "pesce", _("Pesce")
    ARACHIDI = "arachidi", _("Arachidi")
    SOIA = "soia", _("Soia")
    LATTE = "latte", _("Latte e prodotti a base di latte (incluso lattosio)")
    FRUTTA_GUSCIO = "frutta_a_guscio", _("Frutta a guscio")
    SEDANO = "sedano", _("Sedano")
    SENAPE = "senape", _("Senape")
    SESAMO = "sesamo", _("Semi di sesamo")
    SOLFITI = "solfiti", _("Anidride solforosa e solfiti")
    LUPINI = "lupini", _("Lupini")
    MOLLUSCHI = "molluschi", _("Molluschi")


ORDINE = {code: n for n, code in enumerate(Allergene.values, start=1)}


def allergeni_ordinati(codici: Iterable[str]) -> list[str]:
    """Codes without duplicates, in the Regulation's order (the legend's numbers)."""
    return sorted(set(codici), key=ORDINE.__getitem__)


def allergene_numero(codice: str) -> int:
    return ORDINE[codice]


def allergene_etichetta(codice: str) -> str:
    return str(Allergene(codice).label)


def allergeni_validate(value) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Elenco di allergeni non valido."))
    for code in value:
        if code not in ORDINE:
            raise ValidationError(ALLERGENE_SCONOSCIUTO_ERROR, code="allergene", params={"valore": code})


class AllergeniField(models.JSONField):
    """A list of allergen codes, stored as JSON (SQLite and PostgreSQL), edited as check boxes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, "mensa.menu.allergeni.AllergeniField", args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        allergeni_validate(value)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname) or []
        if all(code in ORDINE for code in value):
            value = allergeni_ordinati(value)
            setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            label=self.verbose_name, choices=Allergene.choices, required=False,
            widget=forms.CheckboxSelectMultiple, help_text=self.help_text,
        )
