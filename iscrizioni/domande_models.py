"""Enrolment windows and the families' applications (imported by iscrizioni.models)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from comuni.models import Comune
from comuni.validators import validate_codice_fiscale
from consumatori.models import AnnoScolastico, Classe, Consumatore, Scuola
from omnibus.storage import private_storage
from pagamenti.models import Servizio
from trasporto.models import Fermata, Linea, Percorso

FINESTRA_DATE_ERROR = _("La chiusura deve seguire l'apertura.")


def certificati_storage() -> Storage:
    """STORAGES["private"] (local disk under PRIVATE_MEDIA_ROOT, or object storage), looked up at each use:
    no URL, only the permission-checked view iscrizioni.views.domanda_certificato reads the files."""
    return private_storage()


def certificato_path(instance, filename: str) -> str:
    # Never the family's file name: a random one, with the extension of the sniffed type.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"certificati/{instance.comune_id}/{uuid.uuid4().hex}.{extension}"


class FinestraIscrizione(models.Model):
    """The period in which families apply for a service and a school year, and what happens to
    last year's enrolments (renewed by themselves, or a new application is needed)."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="finestre_iscrizione")
    anno_scolastico = models.ForeignKey(AnnoScolastico, on_delete=models.PROTECT, related_name="finestre_iscrizione")
    servizio = models.CharField(_("servizio"), max_length=20, choices=Servizio.choices)
    apre_il = models.DateField(_("apre il"))
    chiude_il = models.DateField(_("chiude il"))
    documenti_richiesti = models.TextField(
        _("documenti richiesti"), blank=True, help_text=_("Mostrati alla famiglia, per esempio «Attestazione ISEE».")
    )
    rinnovo_automatico = models.BooleanField(
        _("rinnovo automatico"), default=False,
        help_text=_("Sì: le iscrizioni dell'anno precedente proseguono nel nuovo anno senza una nuova domanda."),
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("finestra di iscrizione")
        verbose_name_plural = _("finestre di iscrizione")
        ordering = ["-apre_il", "servizio"]
        constraints = [
            models.UniqueConstraint(fields=["anno_scolastico", "servizio"], name="finestra_unica_per_anno"),
        ]

    def __str__(self) -> str:
        return f"{self.get_servizio_display()} {self.anno_scolastico} ({self.apre_il:%d/%m}–{self.chiude_il:%d/%m/%Y})"

    def clean(self) -> None:
        if self.apre_il and self.chiude_il and self.chiude_il < self.apre_il:
            raise ValidationError({"chiude_il": FINESTRA_DATE_ERROR})

    def aperta(self, oggi) -> bool:
        return self.apre_il <= oggi <= self.chiude_il


class StatoDomanda(models.TextChoices):
    BOZZA = "bozza", _("Da inviare")
    INVIATA = "inviata", _("Inviata")
    IN_ISTRUTTORIA = "in_istruttoria", _("In istruttoria")
    ACCOLTA = "accolta", _("Accolta")
    RESPINTA = "respinta", _("Respinta")
    RITIRATA = "ritirata", _("Ritirata")


class TipoDieta(models.TextChoices):
    NESSUNA = "", _("Nessuna")
    SANITARIA = "sanitaria", _("Per motivi di salute (con certificato medico)")
    ETICO_RELIGIOSA = "etico_religiosa", _("Per motivi etici o religiosi")
    RELIGIOSA = "religiosa", _("Per motivi religiosi")
    ETICA = "etica", _("Per scelta etica (per esempio vegetariana)")


class Domanda(models.Model):
    """A family's application for a child (linked, or new) for a school year's canteen and/or bus.

    The diet request is a diet type of the comune (or "altra" in words, typed by staff at review) plus
    the certificate; acceptance gives the consumer that diet (iscrizioni.accoglienza.dieta_da_domanda).
    """

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="domande_iscrizione")
    anno_scolastico = models.ForeignKey(AnnoScolastico, on_delete=models.PROTECT, related_name="domande_iscrizione")
    # None once anonymised (iscrizioni.conservazione): the administrative fact stays, the person goes.
    utente = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="domande_iscrizione")
    chiave = models.UUIDField(_("chiave del modulo"), default=uuid.uuid4, editable=False)
    protocollo = models.CharField(_("protocollo"), max_length=30, blank=True)
    stato = models.CharField(_("stato"), max_length=20, choices=StatoDomanda.choices, default=StatoDomanda.BOZZA)
    # The child: linked already, or described for a new consumer.
    consumatore = models.ForeignKey(Consumatore, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="domande_iscrizione")
    nome = models.CharField(_("nome"), max_length=100)
    cognome = models.CharField(_("cognome"), max_length=100)
    codice_fiscale = models.CharField(_("codice fiscale"), max_length=16, validators=[validate_codice_fiscale])
    data_nascita = models.DateField(_("data di nascita"), null=True, blank=True)
    scuola = models.ForeignKey(Scuola, on_delete=models.PROTECT, related_name="+")
    classe = models.ForeignKey(Classe, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Services.
    mensa = models.BooleanField(_("refezione scolastica"), default=False)
    trasporto = models.BooleanField(_("trasporto scolastico"), default=False)
    linea = models.ForeignKey(Linea, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    fermata = models.ForeignKey(Fermata, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    percorso = models.CharField(_("tratte"), max_length=20, choices=Percorso.choices, blank=True)
    # ISEE: value and DSU protocol, or not presented (the highest tariff).
    isee = models.DecimalField(_("valore ISEE"), max_digits=12, decimal_places=2, null=True, blank=True)
    protocollo_dsu = models.CharField(_("protocollo DSU"), max_length=40, blank=True)
    # Diet: one of the comune's diet types (mensa.TipoDieta), or "altra" described in words (the motive
    # in `dieta`) for staff to pick the type at review.
    tipo_dieta = models.ForeignKey("mensa.TipoDieta", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("tipo di dieta"))
    dieta = models.CharField(_("dieta"), max_length=20, choices=TipoDieta.choices, blank=True)
    dieta_descrizione = models.TextField(_("dieta richiesta"), blank=True, max_length=2000)
    certificato = models.FileField(_("certificato medico"), storage=certificati_storage, upload_to=certificato_path,
                                   blank=True, max_length=200)
    certificato_tipo = models.CharField(max_length=40, blank=True)
    consenso_privacy_il = models.DateTimeField(_("consenso al trattamento dei dati"), null=True, blank=True)
    # Lifecycle.
    creata_il = models.DateTimeField(_("creata il"), auto_now_add=True)
    inviata_il = models.DateTimeField(_("inviata il"), null=True, blank=True)
    decisa_il = models.DateTimeField(_("decisa il"), null=True, blank=True)
    decisa_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("decisa da"))
    motivazione = models.TextField(_("motivazione"), blank=True)
    # Data life (iscrizioni.conservazione): when the certificate file was deleted, when the rest went.
    certificato_eliminato_il = models.DateTimeField(_("certificato cancellato il"), null=True, blank=True)
    anonimizzata_il = models.DateTimeField(_("anonimizzata il"), null=True, blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("domanda di iscrizione")
        verbose_name_plural = _("domande di iscrizione")
        ordering = ["-inviata_il", "-creata_il"]
        constraints = [
            models.UniqueConstraint(fields=["utente", "chiave"], name="domanda_chiave_unica"),
            models.UniqueConstraint(fields=["comune", "protocollo"], condition=~Q(protocollo=""),
                                    name="domanda_protocollo_unico"),
        ]
        indexes = [models.Index(fields=["comune", "stato"]), models.Index(fields=["comune", "utente"])]

    def __str__(self) -> str:
        if self.anonimizzata_il:
            return f"{self.protocollo} – {_('anonimizzata')}"
        return f"{self.protocollo or _('bozza')} – {self.nome} {self.cognome}"

    @property
    def servizi(self) -> list[str]:
        return [s for s, asked in ((Servizio.MENSA, self.mensa), (Servizio.TRASPORTO, self.trasporto)) if asked]

    @property
    def ritirabile(self) -> bool:
        return self.stato in (StatoDomanda.INVIATA, StatoDomanda.IN_ISTRUTTORIA)


class ProseguimentoScuola(models.Model):
    """Where the pupils finishing a school go next in the same comune (e.g. the infanzia → the primaria,
    the primaria → the secondaria). Without a row, the pupils of the last year leave at the rollover."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    scuola = models.OneToOneField(Scuola, on_delete=models.CASCADE, related_name="proseguimento",
                                  verbose_name=_("dalla scuola"))
    scuola_successiva = models.ForeignKey(Scuola, on_delete=models.CASCADE, related_name="+",
                                          verbose_name=_("alla scuola"))

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("proseguimento degli studi")
        verbose_name_plural = _("proseguimenti degli studi (passaggio d'anno)")

    def __str__(self) -> str:
        return f"{self.scuola} → {self.scuola_successiva}"

    def clean(self) -> None:
        if self.scuola_id and self.scuola_successiva_id and self.scuola_id == self.scuola_successiva_id:
            raise ValidationError({"scuola_successiva": _("Scegli una scuola diversa.")})
