"""The canteen: calendar, tariffs, enrolments, absences, operator overrides, suspensions.

Bookings are not stored: every service day books a meal for every enrolled consumer. Rows exist only
where something differs from that default (an absence, an operator's override, a suspension).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from comuni.models import Comune
from consumatori.models import AnnoScolastico, Classe, Consumatore, Scuola
from omnibus.formats import euro

PERIODO_ERROR = _("La data di fine precede la data di inizio.")
SCUOLA_COMUNE_ERROR = _("La scuola appartiene a un altro comune.")
CLASSE_SCUOLA_ERROR = _("La classe non appartiene alla scuola indicata.")
ISCRIZIONE_SOVRAPPOSTA_ERROR = _(
    "Il consumatore ha già un'iscrizione in questo periodo: chiudi quella (data «al») prima di aprirne un'altra."
)
FESTA_PATRONALE_ERROR = _("La festa patronale deve cadere nell'anno scolastico.")

# Python weekday() -> field of CalendarioScuola.
WEEKDAY_FIELDS = ("lunedi", "martedi", "mercoledi", "giovedi", "venerdi", "sabato", None)


class Calendario(models.Model):
    """The comune's school calendar for one school year: the patron saint day lives here."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="calendari_mensa")
    anno_scolastico = models.ForeignKey(AnnoScolastico, on_delete=models.CASCADE, related_name="calendari_mensa")
    santo_patrono = models.CharField(_("santo patrono"), max_length=100, blank=True)
    festa_patronale = models.DateField(_("festa patronale"), null=True, blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("calendario scolastico")
        verbose_name_plural = _("calendari scolastici")
        constraints = [models.UniqueConstraint(fields=["comune", "anno_scolastico"], name="calendario_unico")]

    def __str__(self) -> str:
        return f"{_('Calendario')} {self.anno_scolastico}"

    def clean(self) -> None:
        anno = self.anno_scolastico if self.anno_scolastico_id else None
        if anno and self.festa_patronale and not anno.data_inizio <= self.festa_patronale <= anno.data_fine:
            raise ValidationError({"festa_patronale": FESTA_PATRONALE_ERROR})


class CalendarioScuola(models.Model):
    """When one school serves meals: first and last day, and the weekdays with service."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    calendario = models.ForeignKey(Calendario, on_delete=models.CASCADE, related_name="scuole")
    scuola = models.ForeignKey(Scuola, on_delete=models.CASCADE, related_name="calendari_mensa")
    data_inizio = models.DateField(_("primo giorno di mensa"))
    data_fine = models.DateField(_("ultimo giorno di mensa"))
    lunedi = models.BooleanField(_("lunedì"), default=True)
    martedi = models.BooleanField(_("martedì"), default=True)
    mercoledi = models.BooleanField(_("mercoledì"), default=True)
    giovedi = models.BooleanField(_("giovedì"), default=True)
    venerdi = models.BooleanField(_("venerdì"), default=True)
    sabato = models.BooleanField(_("sabato"), default=False)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("calendario della scuola")
        verbose_name_plural = _("calendari delle scuole")
        constraints = [models.UniqueConstraint(fields=["calendario", "scuola"], name="calendario_scuola_unico")]
        indexes = [models.Index(fields=["comune", "data_inizio", "data_fine"])]

    def __str__(self) -> str:
        return f"{self.scuola} ({self.calendario.anno_scolastico})"

    def clean(self) -> None:
        if self.data_inizio and self.data_fine and self.data_fine < self.data_inizio:
            raise ValidationError({"data_fine": PERIODO_ERROR})
        if self.scuola_id and self.comune_id and self.scuola.comune_id != self.comune_id:
            raise ValidationError({"scuola": SCUOLA_COMUNE_ERROR})


class Chiusura(models.Model):
    """A period without service: holidays, strikes, elections, a school or a single class away."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="chiusure_mensa")
    data_inizio = models.DateField(_("dal"))
    data_fine = models.DateField(_("al"))
    motivo = models.CharField(_("motivo"), max_length=200)
    scuola = models.ForeignKey(
        Scuola, on_delete=models.CASCADE, null=True, blank=True, related_name="chiusure_mensa",
        help_text=_("Vuoto = tutte le scuole del comune."),
    )
    classe = models.ForeignKey(
        Classe, on_delete=models.CASCADE, null=True, blank=True, related_name="chiusure_mensa",
        help_text=_("Solo questa classe (per esempio una gita)."),
    )
    creata_il = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("chiusura del servizio")
        verbose_name_plural = _("chiusure del servizio")
        ordering = ["-data_inizio"]
        indexes = [models.Index(fields=["comune", "data_inizio", "data_fine"])]

    def __str__(self) -> str:
        return f"{self.motivo} ({self.data_inizio:%d/%m/%Y}–{self.data_fine:%d/%m/%Y})"

    def clean(self) -> None:
        if self.data_inizio and self.data_fine and self.data_fine < self.data_inizio:
            raise ValidationError({"data_fine": PERIODO_ERROR})
        if self.classe_id and self.scuola_id and self.classe.scuola_id != self.scuola_id:
            raise ValidationError({"classe": CLASSE_SCUOLA_ERROR})


class Tariffa(models.Model):
    """A canteen tariff of the comune: full price, an ISEE bracket, a sibling reduction, an exemption."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="tariffe_mensa")
    nome = models.CharField(_("nome"), max_length=100)
    isee_da = models.DecimalField(_("ISEE da (euro)"), max_digits=12, decimal_places=2, null=True, blank=True)
    isee_a = models.DecimalField(_("ISEE fino a (euro)"), max_digits=12, decimal_places=2, null=True, blank=True)
    riduzione_fratelli = models.BooleanField(_("riduzione per fratelli"), default=False)
    esenzione = models.BooleanField(_("esenzione"), default=False)
    # A derived tariff (the sibling reduction computed by iscrizioni.tariffe) has no prices of its
    # own: mensa.prezzi prices it from its base tariff less the percentage, day by day.
    tariffa_base = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="derivate",
        verbose_name=_("tariffa di partenza"), help_text=_("Solo per le riduzioni calcolate: vuoto per le altre."),
    )
    riduzione_percentuale = models.DecimalField(
        _("riduzione (%)"), max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("tariffa")
        verbose_name_plural = _("tariffe")
        ordering = ["nome"]
        constraints = [
            models.UniqueConstraint(fields=["comune", "nome"], name="tariffa_unica"),
            models.UniqueConstraint(
                fields=["tariffa_base", "riduzione_percentuale"], condition=Q(tariffa_base__isnull=False),
                name="tariffa_derivata_unica",
            ),
        ]

    def __str__(self) -> str:
        return self.nome


class PrezzoTariffa(models.Model):
    """The per-meal amount of a tariff over a validity period: history is kept, never overwritten."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    tariffa = models.ForeignKey(Tariffa, on_delete=models.CASCADE, related_name="prezzi")
    valido_dal = models.DateField(_("valido dal"))
    valido_al = models.DateField(_("valido fino al"), null=True, blank=True)
    importo = models.DecimalField(
        _("importo per pasto"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("importo della tariffa")
        verbose_name_plural = _("importi della tariffa")
        ordering = ["tariffa", "-valido_dal"]
        constraints = [models.UniqueConstraint(fields=["tariffa", "valido_dal"], name="prezzo_tariffa_unico")]

    def __str__(self) -> str:
        return f"{euro(self.importo)} dal {self.valido_dal:%d/%m/%Y}"

    def clean(self) -> None:
        if self.valido_al and self.valido_dal and self.valido_al < self.valido_dal:
            raise ValidationError({"valido_al": PERIODO_ERROR})
        if self.tariffa_id and self.tariffa.esenzione and self.importo:
            raise ValidationError({"importo": _("Una tariffa di esenzione ha importo zero.")})


class IscrizioneMensa(models.Model):
    """A consumer enrolled in the canteen over a period, at a tariff. A new row per change keeps history."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="iscrizioni_mensa")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.CASCADE, related_name="iscrizioni_mensa")
    tariffa = models.ForeignKey(Tariffa, on_delete=models.PROTECT, related_name="iscrizioni")
    data_inizio = models.DateField(_("dal"))
    data_fine = models.DateField(_("al"), null=True, blank=True)
    creata_il = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("iscrizione alla mensa")
        verbose_name_plural = _("iscrizioni alla mensa")
        ordering = ["consumatore", "-data_inizio"]
        indexes = [models.Index(fields=["comune", "data_inizio", "data_fine"])]

    def __str__(self) -> str:
        return f"{self.consumatore} – {self.tariffa} dal {self.data_inizio:%d/%m/%Y}"

    def clean(self) -> None:
        if self.data_fine and self.data_inizio and self.data_fine < self.data_inizio:
            raise ValidationError({"data_fine": PERIODO_ERROR})
        if self.consumatore_id and self.data_inizio:
            overlapping = IscrizioneMensa.objects.filter(consumatore_id=self.consumatore_id).exclude(pk=self.pk)
            overlapping = overlapping.filter(Q(data_fine__isnull=True) | Q(data_fine__gte=self.data_inizio))
            if self.data_fine:
                overlapping = overlapping.filter(data_inizio__lte=self.data_fine)
            if overlapping.exists():
                raise ValidationError({"data_inizio": ISCRIZIONE_SOVRAPPOSTA_ERROR})


class Assenza(models.Model):
    """A day on which the family (or the office) cancelled the meal, with who and when.

    A withdrawn cancellation keeps its row (annullata_il): the booking "as it stood at the cut-off"
    is read from these timestamps.
    """

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="assenze_mensa")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.CASCADE, related_name="assenze_mensa")
    giorno = models.DateField(_("giorno"))
    registrata_il = models.DateTimeField(_("registrata il"))
    registrata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrata da")
    )
    annullata_il = models.DateTimeField(_("ritirata il"), null=True, blank=True)
    annullata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("ritirata da"),
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("assenza")
        verbose_name_plural = _("assenze")
        ordering = ["-giorno"]
        constraints = [
            models.UniqueConstraint(
                fields=["consumatore", "giorno"], condition=Q(annullata_il__isnull=True), name="assenza_attiva_unica"
            )
        ]
        indexes = [models.Index(fields=["comune", "giorno"]), models.Index(fields=["consumatore", "giorno"])]

    def __str__(self) -> str:
        return f"{self.consumatore} assente il {self.giorno:%d/%m/%Y}"


class Presenza(models.Model):
    """An operator's record that overrides the booking of one day: present (True) or absent (False)."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="presenze_mensa")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.CASCADE, related_name="presenze_mensa")
    giorno = models.DateField(_("giorno"))
    presente = models.BooleanField(_("presente"))
    registrata_il = models.DateTimeField(_("registrata il"), auto_now=True)
    registrata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrata da")
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("presenza rilevata")
        verbose_name_plural = _("presenze rilevate")
        constraints = [models.UniqueConstraint(fields=["consumatore", "giorno"], name="presenza_unica")]
        indexes = [models.Index(fields=["comune", "giorno"])]

    def __str__(self) -> str:
        return f"{self.consumatore} {'presente' if self.presente else 'assente'} il {self.giorno:%d/%m/%Y}"


class Sospensione(models.Model):
    """The canteen suspended for a consumer in debit, from `dal` until `al` (open while not lifted).

    `episodio` names the debt episode (the last credit movement before it): a consumer is suspended
    at most once per episode, so a suspension lifted by staff is not re-imposed the next night.
    """

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="sospensioni_mensa")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.CASCADE, related_name="sospensioni_mensa")
    dal = models.DateField(_("sospeso dal"))
    saldo = models.DecimalField(_("saldo alla sospensione"), max_digits=12, decimal_places=2)
    episodio = models.CharField(_("episodio di debito"), max_length=40)
    al = models.DateField(_("ultimo giorno di sospensione"), null=True, blank=True)
    revocata_il = models.DateTimeField(_("revocata il"), null=True, blank=True)
    revocata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("revocata da"),
    )
    motivo_revoca = models.TextField(_("motivo della revoca"), blank=True)
    creata_il = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("sospensione")
        verbose_name_plural = _("sospensioni")
        ordering = ["-dal"]
        constraints = [
            models.UniqueConstraint(fields=["consumatore", "episodio"], name="sospensione_una_per_episodio"),
        ]

    def __str__(self) -> str:
        return f"{self.consumatore} sospeso dal {self.dal:%d/%m/%Y}"


class ConteggioInviato(models.Model):
    """The kitchen count of one day was e-mailed: claimed once per comune and day."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    giorno = models.DateField()
    inviato_il = models.DateTimeField(auto_now_add=True)
    pasti = models.PositiveIntegerField(default=0)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("conteggio inviato alla cucina")
        verbose_name_plural = _("conteggi inviati alla cucina")
        constraints = [models.UniqueConstraint(fields=["comune", "giorno"], name="conteggio_unico")]

    def __str__(self) -> str:
        return f"{self.giorno:%d/%m/%Y}: {self.pasti}"


class AddebitoEseguito(models.Model):
    """The nightly job of one comune and day completed: a second run the same night only checks this row."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    giorno = models.DateField()
    pasti = models.PositiveIntegerField(default=0)
    eseguito_il = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("addebito pasti eseguito")
        verbose_name_plural = _("addebiti pasti eseguiti")
        constraints = [models.UniqueConstraint(fields=["comune", "giorno"], name="addebito_eseguito_unico")]

    def __str__(self) -> str:
        return f"{self.giorno:%d/%m/%Y}: {self.pasti}"


# Menus, dishes, allergens and diets live in their own module; imported here so Django finds them.
from .menu.models import (  # noqa: E402, F401
    CicloMenu,
    DietaConsumatore,
    Ingrediente,
    PastoInBianco,
    PeriodoMenu,
    Piatto,
    PiattoSostitutivo,
    TipoDieta,
    VariazioneMenu,
    VoceMenu,
)
