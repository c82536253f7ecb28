"""Enrolment for a school year: the comune's tariff rules (ISEE, siblings, exemptions).

Every row belongs to one comune (ScopedManager). The tariff itself is computed by
iscrizioni.tariffe from these rows and the tariffs of mensa and trasporto (their ISEE brackets).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from comuni.models import Comune
from consumatori.models import AnnoScolastico, Consumatore
from pagamenti.models import Servizio

ISEE_MASSIMO = Decimal("1000000")  # beyond any real household's ISEE: a typo, refused
ISEE_NEGATIVO_ERROR = _("L'ISEE non può essere negativo.")
ISEE_ASSURDO_ERROR = _("L'ISEE indicato non è plausibile (oltre 1.000.000 €): controlla il valore.")
MOTIVO_ESENZIONE_ERROR = _("Indica il motivo dell'esenzione.")
ANNO_COMUNE_ERROR = _("L'anno scolastico appartiene a un altro comune.")
CONSUMATORE_COMUNE_ERROR = _("Il consumatore appartiene a un altro comune.")

PERCENTUALE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def validate_isee(value: Decimal | None) -> None:
    if value is None:
        return
    if value < 0:
        raise ValidationError(ISEE_NEGATIVO_ERROR)
    if value > ISEE_MASSIMO:
        raise ValidationError(ISEE_ASSURDO_ERROR)


class RegolaFratelli(models.Model):
    """The comune's sibling reduction for a service: the second child and the third and later ones.

    Siblings are the children sharing a guardian, enrolled in the same service in the same school
    year, counted from the eldest.
    """

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="regole_fratelli")
    servizio = models.CharField(_("servizio"), max_length=20, choices=Servizio.choices)
    riduzione_secondo = models.DecimalField(
        _("riduzione del secondo figlio (%)"), max_digits=5, decimal_places=2, default=Decimal("20"),
        validators=PERCENTUALE,
    )
    riduzione_successivi = models.DecimalField(
        _("riduzione dal terzo figlio (%)"), max_digits=5, decimal_places=2, default=Decimal("40"),
        validators=PERCENTUALE,
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("riduzione per fratelli")
        verbose_name_plural = _("riduzioni per fratelli")
        constraints = [models.UniqueConstraint(fields=["comune", "servizio"], name="regola_fratelli_unica")]

    def __str__(self) -> str:
        return f"{self.get_servizio_display()}: −{self.riduzione_secondo} % / −{self.riduzione_successivi} %"

    def riduzione(self, rango: int) -> Decimal:
        """The reduction of the rango-th child (1 = the eldest, who pays in full)."""
        if rango <= 1:
            return Decimal("0")
        return self.riduzione_secondo if rango == 2 else self.riduzione_successivi


class SituazioneIsee(models.Model):
    """The ISEE a family declared for a child and a school year; no value = "non presento l'ISEE"."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.CASCADE, related_name="situazioni_isee")
    anno_scolastico = models.ForeignKey(AnnoScolastico, on_delete=models.PROTECT, related_name="+")
    isee = models.DecimalField(
        _("valore ISEE (euro)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[validate_isee],
        help_text=_("Vuoto: ISEE non presentato, si applica la tariffa più alta."),
    )
    protocollo_dsu = models.CharField(_("protocollo DSU"), max_length=40, blank=True)
    aggiornata_il = models.DateTimeField(_("aggiornata il"), auto_now=True)
    aggiornata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("aggiornata da"),
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("ISEE per l'anno scolastico")
        verbose_name_plural = _("ISEE per anno scolastico")
        constraints = [
            models.UniqueConstraint(fields=["consumatore", "anno_scolastico"], name="situazione_isee_unica"),
        ]

    def __str__(self) -> str:
        valore = f"{self.isee} €" if self.isee is not None else _("non presentato")
        return f"{self.consumatore} – {self.anno_scolastico}: ISEE {valore}"

    def clean(self) -> None:
        _check_comune(self)


class Esenzione(models.Model):
    """Staff exempt a child from a service's fee for a school year, always with a reason."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.CASCADE, related_name="esenzioni")
    anno_scolastico = models.ForeignKey(AnnoScolastico, on_delete=models.PROTECT, related_name="+")
    servizio = models.CharField(_("servizio"), max_length=20, choices=Servizio.choices)
    motivo = models.TextField(_("motivo"))
    creata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("decisa da"),
    )
    creata_il = models.DateTimeField(_("decisa il"), auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("esenzione")
        verbose_name_plural = _("esenzioni")
        constraints = [
            models.UniqueConstraint(fields=["consumatore", "anno_scolastico", "servizio"], name="esenzione_unica"),
        ]

    def __str__(self) -> str:
        return f"{self.consumatore} – {self.get_servizio_display()} {self.anno_scolastico}"

    def clean(self) -> None:
        if not (self.motivo or "").strip():
            raise ValidationError({"motivo": MOTIVO_ESENZIONE_ERROR})
        _check_comune(self)


def _check_comune(row) -> None:
    errors = {}
    if row.anno_scolastico_id and row.comune_id and row.anno_scolastico.comune_id != row.comune_id:
        errors["anno_scolastico"] = ANNO_COMUNE_ERROR
    if row.consumatore_id and row.comune_id and row.consumatore.comune_id != row.comune_id:
        errors["consumatore"] = CONSUMATORE_COMUNE_ERROR
    if errors:
        raise ValidationError(errors)


from .conservazione_models import AccessoCertificato, ConservazioneDati  # noqa: E402, F401
from .domande_models import (  # noqa: E402, F401
    Domanda,
    FinestraIscrizione,
    ProseguimentoScuola,
    StatoDomanda,
    TipoDieta,
)
