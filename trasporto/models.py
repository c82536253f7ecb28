"""School bus: per-comune settings, routes with ordered stops, tariffs, enrolments, boardings, reminders.

Every row belongs to one comune (ScopedManager). Monthly fees are not stored here: they are
movements of the shared ledger (pagamenti.Movimento, servizio "trasporto", key "mese:YYYY-MM").
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from comuni.models import Comune
from consumatori.models import AnnoScolastico, Consumatore, Scuola
from omnibus.formats import euro

ANNO_COMUNE_ERROR = _("L'anno scolastico appartiene a un altro comune.")
LINEA_COMUNE_ERROR = _("La linea appartiene a un altro comune.")
FERMATA_LINEA_ERROR = _("La fermata non appartiene alla linea scelta.")
CONSUMATORE_COMUNE_ERROR = _("Il consumatore appartiene a un altro comune.")
FASCIA_COMUNE_ERROR = _("La fascia ISEE appartiene a un altro comune.")
DATE_ORDER_ERROR = _("La data di fine non può precedere la data di inizio.")
DATE_FUORI_ANNO_ERROR = _("Le date devono cadere nell'anno scolastico della linea (%(inizio)s – %(fine)s).")
ISCRIZIONE_SOVRAPPOSTA_ERROR = _("Il consumatore è già iscritto al trasporto in un periodo che si sovrappone.")
TARIFFA_SOVRAPPOSTA_ERROR = _("Esiste già una tariffa per lo stesso percorso e la stessa fascia in quel periodo.")
MESI_SERVIZIO_ERROR = _(
    "Indicare i mesi come numeri da 1 a 12 separati da virgole, per esempio 9,10,11,12,1,2,3,4,5,6."
)
SOGLIE_ERROR = _("Indicare le soglie in euro separate da virgole, per esempio 25,50,100.")

validate_mesi = RegexValidator(r"^\s*(1[0-2]|[1-9])(\s*,\s*(1[0-2]|[1-9]))*\s*$", MESI_SERVIZIO_ERROR)
validate_soglie = RegexValidator(r"^\s*\d+(\.\d{1,2})?(\s*,\s*\d+(\.\d{1,2})?)*\s*$", SOGLIE_ERROR)


class RegolaMeseParziale(models.TextChoices):
    INTERO = "intero", _("Mese intero")
    PRO_RATA = "pro_rata", _("In proporzione ai giorni di servizio")


class ImpostazioniTrasporto(models.Model):
    """The comune's rules for the bus fees: months of service, debit day, partial months, reminders."""

    comune = models.OneToOneField(Comune, on_delete=models.CASCADE, related_name="impostazioni_trasporto")
    mesi_servizio = models.CharField(
        _("mesi di servizio"), max_length=40, default="9,10,11,12,1,2,3,4,5,6", validators=[validate_mesi],
        help_text=_("Mesi in cui si addebita la mensilità, per esempio 9,10,11,12,1,2,3,4,5,6 (settembre–giugno)."),
    )
    giorno_addebito = models.PositiveSmallIntegerField(
        _("giorno dell'addebito"), default=5, validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Giorno del mese in cui si addebita la mensilità del mese."),
    )
    regola_mese_parziale = models.CharField(
        _("mese parziale"), max_length=10, choices=RegolaMeseParziale.choices, default=RegolaMeseParziale.INTERO,
        help_text=_("Per chi inizia o lascia il servizio a metà mese."),
    )
    soglie_sollecito = models.CharField(
        _("soglie di sollecito (euro di debito)"), max_length=60, default="25,50,100", validators=[validate_soglie],
        help_text=_("A ogni soglia superata la famiglia riceve un promemoria via e-mail."),
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("impostazioni del trasporto")
        verbose_name_plural = _("impostazioni del trasporto")

    def __str__(self) -> str:
        return f"Trasporto – {self.comune.nome}"

    @property
    def mesi(self) -> set[int]:
        return {int(m) for m in self.mesi_servizio.split(",") if m.strip()}

    @property
    def soglie(self) -> list[Decimal]:
        return sorted(Decimal(s.strip()).quantize(Decimal("0.01")) for s in self.soglie_sollecito.split(",")
                      if s.strip())


class Linea(models.Model):
    """A bus route of one school year."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="linee")
    anno_scolastico = models.ForeignKey(AnnoScolastico, on_delete=models.PROTECT, related_name="linee")
    nome = models.CharField(_("nome"), max_length=100)
    mezzo = models.CharField(
        _("mezzo"), max_length=100, blank=True, help_text=_("Targa o descrizione dello scuolabus.")
    )
    autista = models.CharField(_("autista"), max_length=100, blank=True)
    telefono_autista = models.CharField(_("telefono dell'autista"), max_length=30, blank=True)
    scuole = models.ManyToManyField(Scuola, blank=True, related_name="linee", verbose_name=_("scuole servite"))
    accompagnatori = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="linee_accompagnate",
        verbose_name=_("autisti e accompagnatori"),
        help_text=_("Account che segnano le salite a bordo dal telefono."),
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("linea")
        verbose_name_plural = _("linee")
        ordering = ["anno_scolastico__data_inizio", "nome"]
        constraints = [models.UniqueConstraint(fields=["anno_scolastico", "nome"], name="linea_unica_per_anno")]

    def __str__(self) -> str:
        return f"{self.nome} ({self.anno_scolastico})"

    def clean(self) -> None:
        if self.anno_scolastico_id and self.comune_id and self.anno_scolastico.comune_id != self.comune_id:
            raise ValidationError({"anno_scolastico": ANNO_COMUNE_ERROR})


class Fermata(models.Model):
    """A stop of a route, in order; times are the pick-up (andata) and drop-off (ritorno)."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="fermate")
    linea = models.ForeignKey(Linea, on_delete=models.CASCADE, related_name="fermate")
    ordine = models.PositiveSmallIntegerField(_("ordine"))
    nome = models.CharField(_("nome"), max_length=100)
    indirizzo = models.CharField(_("indirizzo"), max_length=200, blank=True)
    ora_andata = models.TimeField(_("ora di salita (andata)"), null=True, blank=True)
    ora_ritorno = models.TimeField(_("ora di discesa (ritorno)"), null=True, blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("fermata")
        verbose_name_plural = _("fermate")
        ordering = ["linea", "ordine"]
        constraints = [models.UniqueConstraint(fields=["linea", "ordine"], name="fermata_ordine_unico")]

    def __str__(self) -> str:
        return f"{self.ordine}. {self.nome}"

    def clean(self) -> None:
        if self.linea_id and self.comune_id and self.linea.comune_id != self.comune_id:
            raise ValidationError({"linea": LINEA_COMUNE_ERROR})


class Percorso(models.TextChoices):
    ANDATA_RITORNO = "andata_ritorno", _("Andata e ritorno")
    SOLO_ANDATA = "solo_andata", _("Solo andata")
    SOLO_RITORNO = "solo_ritorno", _("Solo ritorno")


class FasciaIsee(models.Model):
    """An ISEE bracket the comune prices differently."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="fasce_isee_trasporto")
    nome = models.CharField(_("nome"), max_length=60)
    isee_da = models.DecimalField(_("ISEE da"), max_digits=12, decimal_places=2, default=Decimal("0"))
    isee_a = models.DecimalField(_("ISEE fino a"), max_digits=12, decimal_places=2, null=True, blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("fascia ISEE (trasporto)")
        verbose_name_plural = _("fasce ISEE (trasporto)")
        ordering = ["isee_da"]
        constraints = [models.UniqueConstraint(fields=["comune", "nome"], name="fascia_isee_trasporto_unica")]

    def __str__(self) -> str:
        return self.nome


class TariffaTrasporto(models.Model):
    """Monthly fee for a kind of trip and an ISEE bracket (none = the full tariff), valid in a period."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="tariffe_trasporto")
    percorso = models.CharField(_("percorso"), max_length=20, choices=Percorso.choices)
    fascia = models.ForeignKey(
        FasciaIsee, on_delete=models.PROTECT, null=True, blank=True, related_name="tariffe",
        verbose_name=_("fascia ISEE"), help_text=_("Vuoto: tariffa piena."),
    )
    importo_mensile = models.DecimalField(
        _("importo mensile"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    riduzione_fratelli = models.DecimalField(
        _("riduzione fratelli (%)"), max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Sconto per il secondo figlio iscritto e i successivi."),
    )
    valido_dal = models.DateField(_("valida dal"))
    valido_al = models.DateField(_("valida fino al"), null=True, blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("tariffa del trasporto")
        verbose_name_plural = _("tariffe del trasporto")
        ordering = ["-valido_dal", "percorso"]
        constraints = [
            models.CheckConstraint(condition=Q(valido_al__isnull=True) | Q(valido_al__gte=F("valido_dal")),
                                   name="tariffa_trasporto_date"),
            models.CheckConstraint(condition=Q(importo_mensile__gte=0), name="tariffa_trasporto_non_negativa"),
        ]

    def __str__(self) -> str:
        fascia = self.fascia.nome if self.fascia_id else _("tariffa piena")
        return f"{self.get_percorso_display()} – {fascia}: {euro(self.importo_mensile)}"

    def clean(self) -> None:
        if self.valido_al and self.valido_dal and self.valido_al < self.valido_dal:
            raise ValidationError({"valido_al": DATE_ORDER_ERROR})
        if self.fascia_id and self.comune_id and self.fascia.comune_id != self.comune_id:
            raise ValidationError({"fascia": FASCIA_COMUNE_ERROR})
        if not (self.comune_id and self.valido_dal):
            return
        others = TariffaTrasporto.objects.filter(
            comune_id=self.comune_id, percorso=self.percorso, fascia_id=self.fascia_id
        ).exclude(pk=self.pk)
        others = others.filter(Q(valido_al__isnull=True) | Q(valido_al__gte=self.valido_dal))
        if self.valido_al:
            others = others.filter(valido_dal__lte=self.valido_al)
        if others.exists():
            raise ValidationError(TARIFFA_SOVRAPPOSTA_ERROR)


class Iscrizione(models.Model):
    """A consumer enrolled on a route at a stop, for a trip kind, from a date to a date."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="iscrizioni_trasporto")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.PROTECT, related_name="iscrizioni_trasporto")
    linea = models.ForeignKey(Linea, on_delete=models.PROTECT, related_name="iscrizioni")
    fermata = models.ForeignKey(Fermata, on_delete=models.PROTECT, related_name="iscrizioni")
    percorso = models.CharField(_("percorso"), max_length=20, choices=Percorso.choices,
                                default=Percorso.ANDATA_RITORNO)
    data_inizio = models.DateField(_("dal"))
    data_fine = models.DateField(_("al"))
    fascia = models.ForeignKey(
        FasciaIsee, on_delete=models.PROTECT, null=True, blank=True, related_name="iscrizioni",
        verbose_name=_("fascia ISEE"), help_text=_("Vuoto: tariffa piena."),
    )
    esente = models.BooleanField(_("esente"), default=False)
    riduzione_fratelli = models.BooleanField(
        _("riduzione fratelli"), default=False, help_text=_("Secondo figlio iscritto o successivo.")
    )
    riduzione_percentuale = models.DecimalField(
        _("riduzione calcolata (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Riduzione per fratelli calcolata dalla regola del comune; se indicata prevale su quella "
                    "della tariffa."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    creato_il = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("iscrizione al trasporto")
        verbose_name_plural = _("iscrizioni al trasporto")
        ordering = ["-data_inizio"]
        constraints = [
            models.CheckConstraint(condition=Q(data_fine__gte=F("data_inizio")), name="iscrizione_date_ordinate"),
        ]
        indexes = [
            models.Index(fields=["comune", "data_inizio", "data_fine"]),
            models.Index(fields=["consumatore", "data_inizio"]),
        ]

    def __str__(self) -> str:
        return f"{self.consumatore} – {self.linea.nome}, {self.fermata.nome}"

    @property
    def andata(self) -> bool:
        return self.percorso in (Percorso.ANDATA_RITORNO, Percorso.SOLO_ANDATA)

    @property
    def ritorno(self) -> bool:
        return self.percorso in (Percorso.ANDATA_RITORNO, Percorso.SOLO_RITORNO)

    def clean(self) -> None:
        """Every rule of a valid enrolment; the service and the admin both run it."""
        errors: dict[str, list] = {}
        if self.consumatore_id and self.comune_id and self.consumatore.comune_id != self.comune_id:
            errors.setdefault("consumatore", []).append(CONSUMATORE_COMUNE_ERROR)
        if self.linea_id and self.comune_id and self.linea.comune_id != self.comune_id:
            errors.setdefault("linea", []).append(LINEA_COMUNE_ERROR)
        if self.fermata_id and self.linea_id and self.fermata.linea_id != self.linea_id:
            errors.setdefault("fermata", []).append(FERMATA_LINEA_ERROR)
        if self.fascia_id and self.comune_id and self.fascia.comune_id != self.comune_id:
            errors.setdefault("fascia", []).append(FASCIA_COMUNE_ERROR)
        if self.data_inizio and self.data_fine:
            if self.data_fine < self.data_inizio:
                errors.setdefault("data_fine", []).append(DATE_ORDER_ERROR)
            elif self.linea_id and "linea" not in errors:
                anno = self.linea.anno_scolastico
                if self.data_inizio < anno.data_inizio or self.data_fine > anno.data_fine:
                    errors.setdefault("data_inizio", []).append(ValidationError(
                        DATE_FUORI_ANNO_ERROR,
                        params={"inizio": anno.data_inizio.strftime("%d/%m/%Y"),
                                "fine": anno.data_fine.strftime("%d/%m/%Y")},
                    ))
            if self.consumatore_id and not errors:
                overlapping = Iscrizione.objects.filter(
                    consumatore_id=self.consumatore_id, data_inizio__lte=self.data_fine,
                    data_fine__gte=self.data_inizio,
                ).exclude(pk=self.pk)
                if overlapping.exists():
                    errors.setdefault("data_inizio", []).append(ISCRIZIONE_SOVRAPPOSTA_ERROR)
        if errors:
            raise ValidationError(errors)


class Tratta(models.TextChoices):
    ANDATA = "andata", _("Andata")
    RITORNO = "ritorno", _("Ritorno")


class Salita(models.Model):
    """A pupil boarded the bus on a day and trip, marked by the driver or the assistant."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="salite_trasporto")
    iscrizione = models.ForeignKey(Iscrizione, on_delete=models.CASCADE, related_name="salite")
    data = models.DateField(_("data"))
    tratta = models.CharField(_("tratta"), max_length=10, choices=Tratta.choices)
    registrata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrata da")
    )
    registrata_il = models.DateTimeField(_("registrata il"), auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("salita a bordo")
        verbose_name_plural = _("salite a bordo")
        ordering = ["-data", "tratta"]
        constraints = [
            models.UniqueConstraint(fields=["iscrizione", "data", "tratta"], name="salita_unica"),
        ]

    def __str__(self) -> str:
        return f"{self.iscrizione.consumatore} – {self.data} {self.get_tratta_display()}"


class SollecitoTrasporto(models.Model):
    """A debt threshold a family crossed and was told about; closed when the debt falls below it again."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="solleciti_trasporto")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.CASCADE, related_name="solleciti_trasporto")
    soglia = models.DecimalField(_("soglia"), max_digits=12, decimal_places=2)
    debito = models.DecimalField(_("debito al momento dell'invio"), max_digits=12, decimal_places=2)
    destinatari = models.TextField(_("destinatari"), blank=True)
    inviato_il = models.DateTimeField(_("inviato il"), auto_now_add=True)
    chiuso_il = models.DateTimeField(_("rientrato il"), null=True, blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("sollecito trasporto")
        verbose_name_plural = _("solleciti trasporto")
        ordering = ["-inviato_il"]
        constraints = [
            models.UniqueConstraint(fields=["consumatore", "soglia"], condition=Q(chiuso_il__isnull=True),
                                    name="sollecito_trasporto_aperto_unico"),
        ]

    def __str__(self) -> str:
        return f"{self.consumatore} – {euro(self.soglia)}"


class AddebitoMensilita(models.Model):
    """A month's fees debited for a comune, with the fingerprint of everything the debit read (enrolments,
    tariffs, routes, school years, settings): a later run that finds the same fingerprint has nothing to
    write and returns without reading the ledger (trasporto.services.mensilita_debit)."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    mese = models.CharField(_("mese"), max_length=7)
    impronta = models.CharField(_("impronta dei dati letti"), max_length=64)
    eseguito_il = models.DateTimeField(_("eseguito il"), auto_now=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("addebito mensile eseguito")
        verbose_name_plural = _("addebiti mensili eseguiti")
        constraints = [models.UniqueConstraint(fields=["comune", "mese"], name="addebito_mensilita_unico")]

    def __str__(self) -> str:
        return f"{self.comune} – {self.mese}"
