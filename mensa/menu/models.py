"""Menus, dishes with their allergens, diets and the "pasto in bianco".

A dish's allergens are those of its ingredients: nobody types them twice. A menu cycle (winter,
summer) rotates over N weeks; its periods say when it is served, per comune and school level,
without gaps or overlaps inside a school year.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from comuni.models import Comune
from consumatori.models import Consumatore, TipoScuola

from .allergeni import AllergeniField, allergeni_ordinati

PERIODO_ERROR = _("La data di fine precede la data di inizio.")
SETTIMANA_ERROR = _("Il ciclo ha %(n)s settimane: la settimana %(settimana)s non esiste.")
SOSTITUTO_UGUALE_ERROR = _("Il piatto sostitutivo deve essere diverso dal piatto da sostituire.")
SOSTITUTO_ALLERGENE_ERROR = _(
    "Il piatto sostitutivo «%(piatto)s» contiene %(cosa)s, escluso dalla dieta «%(dieta)s»: scegli un altro piatto."
)
DIETA_SOVRAPPOSTA_ERROR = _("Il consumatore ha già la dieta «%(dieta)s» in questo periodo.")
DIETA_COMUNE_ERROR = _("La dieta appartiene a un altro comune.")


class Stagione(models.TextChoices):
    INVERNALE = "invernale", _("Menù invernale")
    ESTIVO = "estivo", _("Menù estivo")


class Portata(models.TextChoices):
    PRIMO = "primo", _("Primo")
    SECONDO = "secondo", _("Secondo")
    CONTORNO = "contorno", _("Contorno")
    FRUTTA = "frutta", _("Frutta o dessert")
    PANE = "pane", _("Pane")


PORTATE_ORDINE = {code: n for n, code in enumerate(Portata.values)}


class GiornoSettimana(models.IntegerChoices):
    LUNEDI = 0, _("lunedì")
    MARTEDI = 1, _("martedì")
    MERCOLEDI = 2, _("mercoledì")
    GIOVEDI = 3, _("giovedì")
    VENERDI = 4, _("venerdì")
    SABATO = 5, _("sabato")


class CategoriaDieta(models.TextChoices):
    SANITARIA = "sanitaria", _("Sanitaria (con certificato medico)")
    ETICO_RELIGIOSA = "etico_religiosa", _("Etica o religiosa")


class Ingrediente(models.Model):
    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="ingredienti")
    nome = models.CharField(_("nome"), max_length=100)
    allergeni = AllergeniField(_("allergeni"), help_text=_("Allegato II del Reg. (UE) 1169/2011."))

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("ingrediente")
        verbose_name_plural = _("ingredienti")
        ordering = ["nome"]
        constraints = [models.UniqueConstraint(fields=["comune", "nome"], name="ingrediente_unico")]

    def __str__(self) -> str:
        return self.nome


class Piatto(models.Model):
    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="piatti")
    nome = models.CharField(_("nome"), max_length=150)
    ingredienti = models.ManyToManyField(Ingrediente, related_name="piatti", verbose_name=_("ingredienti"))

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("piatto")
        verbose_name_plural = _("piatti")
        ordering = ["nome"]
        constraints = [models.UniqueConstraint(fields=["comune", "nome"], name="piatto_unico")]

    def __str__(self) -> str:
        return self.nome

    @property
    def allergeni(self) -> list[str]:
        """The dish's allergens: the union of its ingredients' (prefetch `ingredienti` to read many)."""
        return allergeni_ordinati(code for ingrediente in self.ingredienti.all() for code in ingrediente.allergeni)


class TipoDieta(models.Model):
    """A diet the comune offers: what it excludes, by allergen or by ingredient (e.g. pork)."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="tipi_dieta")
    nome = models.CharField(_("nome"), max_length=100)
    categoria = models.CharField(_("categoria"), max_length=20, choices=CategoriaDieta.choices)
    allergeni_esclusi = AllergeniField(_("allergeni esclusi"))
    ingredienti_esclusi = models.ManyToManyField(
        Ingrediente, blank=True, related_name="+", verbose_name=_("ingredienti esclusi")
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("tipo di dieta")
        verbose_name_plural = _("tipi di dieta")
        ordering = ["categoria", "nome"]
        constraints = [models.UniqueConstraint(fields=["comune", "nome"], name="tipo_dieta_unico")]

    def __str__(self) -> str:
        return self.nome

    @property
    def sanitaria(self) -> bool:
        return self.categoria == CategoriaDieta.SANITARIA


class PiattoSostitutivo(models.Model):
    """What a diet eats instead of a dish. Refused when the substitute holds what the diet excludes."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    piatto = models.ForeignKey(Piatto, on_delete=models.CASCADE, related_name="sostituti")
    dieta = models.ForeignKey(TipoDieta, on_delete=models.CASCADE, related_name="sostituti")
    sostituto = models.ForeignKey(
        Piatto, on_delete=models.PROTECT, related_name="+", verbose_name=_("piatto sostitutivo")
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("piatto sostitutivo")
        verbose_name_plural = _("piatti sostitutivi")
        constraints = [models.UniqueConstraint(fields=["piatto", "dieta"], name="sostituto_unico")]

    def __str__(self) -> str:
        return f"{self.piatto} → {self.sostituto} ({self.dieta})"

    def clean(self) -> None:
        from .diete import dieta_conflicts

        if self.piatto_id and self.piatto_id == self.sostituto_id:
            raise ValidationError({"sostituto": SOSTITUTO_UGUALE_ERROR})
        if self.sostituto_id and self.dieta_id:
            conflitti = dieta_conflicts(dieta=self.dieta, piatto=self.sostituto)
            if conflitti:
                raise ValidationError({"sostituto": ValidationError(
                    SOSTITUTO_ALLERGENE_ERROR, code="sostituto",
                    params={"piatto": self.sostituto, "cosa": ", ".join(conflitti), "dieta": self.dieta},
                )})


class CicloMenu(models.Model):
    """A rotating menu (e.g. the 4-week winter menu of the primary schools)."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="cicli_menu")
    nome = models.CharField(_("nome"), max_length=100)
    livello = models.CharField(_("ordine di scuola"), max_length=20, choices=TipoScuola.choices)
    stagione = models.CharField(_("stagione"), max_length=20, choices=Stagione.choices)
    settimane = models.PositiveSmallIntegerField(
        _("settimane del ciclo"), default=4, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("ciclo del menù")
        verbose_name_plural = _("cicli del menù")
        ordering = ["livello", "stagione", "nome"]
        constraints = [models.UniqueConstraint(fields=["comune", "nome"], name="ciclo_menu_unico")]

    def __str__(self) -> str:
        return self.nome


def _ciclo_of(row) -> CicloMenu | None:
    """The row's cycle, also when it is still unsaved (an inline of the cycle being added in the admin)."""
    try:
        return row.ciclo
    except CicloMenu.DoesNotExist:
        return None


class PeriodoMenu(models.Model):
    """When a cycle is served: from its start date the weeks rotate from `settimana_iniziale`."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    ciclo = models.ForeignKey(CicloMenu, on_delete=models.CASCADE, related_name="periodi")
    livello = models.CharField(max_length=20, choices=TipoScuola.choices, editable=False)
    data_inizio = models.DateField(_("dal"))
    data_fine = models.DateField(_("al"))
    settimana_iniziale = models.PositiveSmallIntegerField(
        _("settimana iniziale"), default=1, validators=[MinValueValidator(1)]
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("periodo del menù")
        verbose_name_plural = _("periodi del menù")
        ordering = ["livello", "data_inizio"]
        indexes = [models.Index(fields=["comune", "livello", "data_inizio"])]

    def __str__(self) -> str:
        return f"{self.ciclo}: {self.data_inizio:%d/%m/%Y}–{self.data_fine:%d/%m/%Y}"

    def clean(self) -> None:
        from .cicli import periodo_validate

        ciclo = _ciclo_of(self)
        if ciclo is not None:
            self.livello = ciclo.livello
            periodo_validate(periodo=self)


class VoceMenu(models.Model):
    """One course of one day of a cycle: week 2, Tuesday, primo = pasta al pomodoro."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    ciclo = models.ForeignKey(CicloMenu, on_delete=models.CASCADE, related_name="voci")
    settimana = models.PositiveSmallIntegerField(_("settimana"), validators=[MinValueValidator(1)])
    giorno_settimana = models.PositiveSmallIntegerField(_("giorno"), choices=GiornoSettimana.choices)
    portata = models.CharField(_("portata"), max_length=20, choices=Portata.choices)
    piatto = models.ForeignKey(Piatto, on_delete=models.PROTECT, related_name="voci")

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("piatto del menù")
        verbose_name_plural = _("piatti del menù")
        ordering = ["settimana", "giorno_settimana"]
        constraints = [
            models.UniqueConstraint(fields=["ciclo", "settimana", "giorno_settimana", "portata"], name="voce_unica")
        ]

    def __str__(self) -> str:
        return f"{self.settimana}ª settimana, {self.get_giorno_settimana_display()}: {self.piatto}"

    def clean(self) -> None:
        ciclo = _ciclo_of(self)
        if ciclo is not None and self.settimana and self.settimana > ciclo.settimane:
            raise ValidationError({"settimana": ValidationError(
                SETTIMANA_ERROR, code="settimana", params={"n": ciclo.settimane, "settimana": self.settimana}
            )})


class DietaConsumatore(models.Model):
    """A consumer follows a diet over a period (a sanitary one from a medical certificate)."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.CASCADE, related_name="diete")
    tipo = models.ForeignKey(TipoDieta, on_delete=models.PROTECT, related_name="consumatori", verbose_name=_("dieta"))
    data_inizio = models.DateField(_("dal"))
    data_fine = models.DateField(_("al"), null=True, blank=True)
    note = models.TextField(_("note per la cucina"), blank=True)
    certificato = models.CharField(
        _("certificato"), max_length=200, blank=True, help_text=_("Riferimento del certificato medico.")
    )
    creata_il = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("dieta del consumatore")
        verbose_name_plural = _("diete dei consumatori")
        ordering = ["consumatore", "-data_inizio"]
        indexes = [models.Index(fields=["comune", "data_inizio"])]

    def __str__(self) -> str:
        return f"{self.consumatore}: {self.tipo}"

    def clean(self) -> None:
        if self.data_inizio and self.data_fine and self.data_fine < self.data_inizio:
            raise ValidationError({"data_fine": PERIODO_ERROR})
        if self.tipo_id and self.consumatore_id and self.tipo.comune_id != self.consumatore.comune_id:
            raise ValidationError({"tipo": DIETA_COMUNE_ERROR})
        if self.consumatore_id and self.tipo_id and self.data_inizio:
            overlapping = DietaConsumatore.objects.filter(consumatore_id=self.consumatore_id, tipo_id=self.tipo_id)
            overlapping = overlapping.exclude(pk=self.pk).filter(
                Q(data_fine__isnull=True) | Q(data_fine__gte=self.data_inizio)
            )
            if self.data_fine:
                overlapping = overlapping.filter(data_inizio__lte=self.data_fine)
            if overlapping.exists():
                raise ValidationError({"data_inizio": ValidationError(
                    DIETA_SOVRAPPOSTA_ERROR, code="sovrapposta", params={"dieta": self.tipo}
                )})


class PastoInBianco(models.Model):
    """A bland meal asked for one day, like an absence: until the cut-off, withdrawable (row kept)."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.CASCADE, related_name="pasti_in_bianco")
    giorno = models.DateField(_("giorno"))
    registrato_il = models.DateTimeField(_("chiesto il"))
    registrato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("chiesto da")
    )
    annullato_il = models.DateTimeField(_("ritirato il"), null=True, blank=True)
    annullato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("ritirato da"),
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("pasto in bianco")
        verbose_name_plural = _("pasti in bianco")
        ordering = ["-giorno"]
        constraints = [
            models.UniqueConstraint(
                fields=["consumatore", "giorno"], condition=Q(annullato_il__isnull=True), name="in_bianco_attivo_unico"
            )
        ]
        indexes = [models.Index(fields=["comune", "giorno"])]

    def __str__(self) -> str:
        return f"{self.consumatore}: pasto in bianco il {self.giorno:%d/%m/%Y}"


class VariazioneMenu(models.Model):
    """A dish changed on the day (the supplier lacks an ingredient), with the new dish's allergens."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="variazioni_menu")
    giorno = models.DateField(_("giorno"))
    livello = models.CharField(_("ordine di scuola"), max_length=20, choices=TipoScuola.choices)
    portata = models.CharField(_("portata"), max_length=20, choices=Portata.choices)
    piatto = models.ForeignKey(Piatto, on_delete=models.PROTECT, related_name="+", verbose_name=_("nuovo piatto"))
    allergeni = AllergeniField(_("allergeni del nuovo piatto"), editable=False)
    motivo = models.CharField(_("motivo"), max_length=200)
    registrata_il = models.DateTimeField(_("registrata il"), auto_now_add=True)
    registrata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("registrata da"),
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("variazione del menù")
        verbose_name_plural = _("variazioni del menù")
        ordering = ["-giorno"]
        constraints = [
            models.UniqueConstraint(fields=["comune", "giorno", "livello", "portata"], name="variazione_unica")
        ]

    def __str__(self) -> str:
        return f"{self.giorno:%d/%m/%Y} {self.get_livello_display()}: {self.piatto}"
