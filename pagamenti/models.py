"""The ledger: one prepaid account per consumer and service, made of append-only movements.

A balance is never stored: it is the sum of the movements. Every movement carries an idempotency
key unique per (consumer, service), so a meal day, a month's fee or a payment receipt can be
written any number of times, by any number of workers, and counts once. The reads over every account
of a comune (debtors, open debts) start from SaldoConsolidato, a nightly cache of the sums up to a
movement id, and add the movements after it (pagamenti/consolidamento.py).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from comuni.models import Comune
from consumatori.models import Consumatore
from omnibus.formats import euro
from pagamenti.pagopa.avviso_testi import SECONDE_LINGUE


class Servizio(models.TextChoices):
    MENSA = "mensa", _("Refezione scolastica")
    TRASPORTO = "trasporto", _("Trasporto scolastico")


class TipoMovimento(models.TextChoices):
    RICARICA_PAGOPA = "ricarica_pagopa", _("Ricarica pagoPA")
    RICARICA_PUNTOLIS = "ricarica_puntolis", _("Ricarica PuntoLIS")
    PASTO = "pasto", _("Pasto consumato")
    MENSILITA = "mensilita", _("Mensilità trasporto")
    SALDO_INIZIALE = "saldo_iniziale", _("Saldo iniziale")
    RETTIFICA = "rettifica", _("Rettifica dell'ufficio")
    STORNO = "storno", _("Storno")


class Movimento(models.Model):
    """One credit (positive) or debit (negative) on a consumer's account for one service."""

    # The ledger at its floor (README "The ledger's indexes"): indexes are only those a query plan uses
    # (scripts/explain_movimento.py); comune and consumer lead the composite indexes below, so they need
    # none of their own. No database foreign key either: its check locks the comune and consumer row of
    # every meal (FOR KEY SHARE) and cost as much as the insert itself. Rows are written from existing
    # consumers (INSERT … SELECT from their table, or a loaded instance); consumers and comuni are never
    # deleted (anonymised), and PROTECT still refuses a deletion through Django.
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="movimenti", db_index=False,
                               db_constraint=False)
    consumatore = models.ForeignKey(Consumatore, on_delete=models.PROTECT, related_name="movimenti",
                                    db_index=False, db_constraint=False)
    servizio = models.CharField(_("servizio"), max_length=10, choices=Servizio.choices)
    tipo = models.CharField(_("tipo"), max_length=20, choices=TipoMovimento.choices)
    importo = models.DecimalField(_("importo"), max_digits=12, decimal_places=2)
    data_valuta = models.DateField(_("data"))
    # What the movement is about: the meal day, the month "2026-04", the notice number, the LIS id...
    riferimento = models.CharField(_("riferimento"), max_length=100, blank=True)
    descrizione = models.CharField(_("descrizione"), max_length=200, blank=True)
    # Unique per (consumer, service): "pasto:2026-11-23", "mese:2026-04", "avviso:3020…", "lis:<id>".
    chiave = models.CharField(_("chiave di unicità"), max_length=120)
    # No database constraint either: PostgreSQL queued its deferred check trigger for every inserted row,
    # NULL or not (a nightly meal has none), and ran them all at COMMIT (EXPLAIN ANALYZE with the constraints
    # IMMEDIATE: 76 ms of 1.15 s for 94,000 meals). The author is a loaded account; accounts are anonymised,
    # not deleted, and Django's PROTECT (by the partial index below) still refuses deleting one with rows.
    creato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("registrato da"), db_index=False, db_constraint=False,
    )
    motivo = models.TextField(_("motivo"), blank=True, help_text=_("Obbligatorio per le rettifiche."))
    creato_il = models.DateTimeField(_("registrato il"), auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("movimento")
        verbose_name_plural = _("movimenti")
        ordering = ["-data_valuta", "-id"]
        constraints = [
            # The day is in the key because PostgreSQL partitions the ledger by it (pagamenti/partizioni.py): every
            # writer derives it from the key, so (consumatore, servizio, chiave) stays unique on its own.
            models.UniqueConstraint(fields=["consumatore", "servizio", "chiave", "data_valuta"],
                                    name="movimento_unico"),
            models.CheckConstraint(condition=~models.Q(importo=0), name="movimento_importo_non_zero"),
        ]
        indexes = [
            # The nightly job (the day's meals of a comune, their balances) and the debtors of a service.
            # Per consumer, the unique key (consumatore, servizio, chiave) serves balances and movements.
            models.Index(fields=["comune", "servizio", "data_valuta"]),
            # Deleting an account checks PROTECT here: only rows made by someone (never the nightly meals).
            models.Index(fields=["creato_da"], name="movimento_creato_da_parziale",
                         condition=models.Q(creato_da__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} {euro(self.importo)} – {self.consumatore_id} ({self.data_valuta})"


class SaldoConsolidato(models.Model):
    """The sums of one account's movements with id <= ConsolidamentoSaldi.fino_a. A cache for the reads
    over every account of a comune, never the truth: a read adds the movements after fino_a, so it is
    exact at any moment (pagamenti/consolidamento.py); the ledger is append-only, so the sums stay true."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+", db_index=False,
                               db_constraint=False)
    consumatore = models.ForeignKey(Consumatore, on_delete=models.CASCADE, related_name="+", db_index=False,
                                    db_constraint=False)
    servizio = models.CharField(_("servizio"), max_length=10, choices=Servizio.choices)
    saldo = models.DecimalField(_("saldo"), max_digits=14, decimal_places=2)
    # The id of the last credit (a new credit opens a new debt episode) and the day of the last payment.
    ultimo_credito = models.BigIntegerField(null=True)
    ultimo_pagamento = models.DateField(null=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("saldo consolidato")
        verbose_name_plural = _("saldi consolidati")
        constraints = [models.UniqueConstraint(fields=["consumatore", "servizio"], name="saldo_consolidato_unico")]
        # The accounts in debit of a comune: a range of this index, however few they are.
        indexes = [models.Index(fields=["comune", "saldo"], name="saldo_consolidato_debito")]

    def __str__(self) -> str:
        return f"{self.consumatore_id} {self.servizio}: {euro(self.saldo)}"


class ConsolidamentoSaldi(models.Model):
    """How far SaldoConsolidato goes, for every comune: all movements with id <= fino_a. One row."""

    fino_a = models.BigIntegerField(default=0)
    eseguito_il = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"fino al movimento {self.fino_a}"


class TipoGateway(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox interna (sviluppo e dimostrazione)")
    GPD = "gpd", _("pagoPA GPD (Gestione Posizioni Debitorie)")


CBILL_VALIDATOR = RegexValidator(r"^[A-Za-z0-9]{5}$", _("Il codice CBILL ha cinque lettere o cifre."))
CONTO_POSTALE_VALIDATOR = RegexValidator(r"^\d{1,12}$", _("Il conto corrente postale ha fino a 12 cifre."))
AUTORIZZAZIONE_POSTE_VALIDATOR = RegexValidator(
    r"^(?i:AUT\.?\s*DB/)[A-Za-z0-9 /.-]{3,40}\s+(?i:DEL)\s+\d{2}/\d{2}/\d{4}$",
    _("Scrivere l'autorizzazione come rilasciata: AUT. DB/… DEL gg/mm/aaaa."),
)


def validate_logo_avviso_size(file) -> None:
    if file.size > 512 * 1024:
        raise ValidationError(_("Il logo supera 512 KB."))


def validate_logo_avviso_svg(file) -> None:
    """An SVG logo is markup: only drawing, never scripts, event handlers or references to other files."""
    if not file.name.lower().endswith(".svg"):
        return
    from defusedxml import ElementTree

    try:
        file.seek(0)
        root = ElementTree.fromstring(file.read())
    except Exception as error:  # defusedxml raises several kinds for malformed or hostile XML
        raise ValidationError(LOGO_SVG_NON_VALIDO) from error
    finally:
        file.seek(0)
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        hrefs = [v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "href"]
        if tag in {"script", "foreignobject", "iframe"} or any(k.lower().startswith("on") for k in element.attrib) \
                or any(not h.startswith("#") for h in hrefs):
            raise ValidationError(LOGO_SVG_NON_VALIDO)


LOGO_SVG_NON_VALIDO = _("Il logo SVG deve contenere solo disegno: niente script né riferimenti ad altri file.")
LOGO_AVVISO_VALIDATORS = [FileExtensionValidator(["svg", "png", "jpg", "jpeg"]), validate_logo_avviso_size,
                          validate_logo_avviso_svg]


class ConfigurazionePagamenti(models.Model):
    """How one comune is paid: its pagoPA identifiers, the gateway it uses and the PuntoLIS secret."""

    comune = models.OneToOneField(Comune, on_delete=models.CASCADE, related_name="configurazione_pagamenti")
    codice_segregazione = models.CharField(
        _("codice di segregazione"), max_length=2, default="02",
        validators=[RegexValidator(r"^\d{2}$", _("Due cifre."))],
    )
    iban = models.CharField(_("IBAN di accredito"), max_length=34, blank=True)
    tassonomia_mensa = models.CharField(
        _("codice tassonomico refezione"), max_length=140, default="9/0101107TS/",
        help_text=_("datiSpecificiRiscossione del servizio di refezione scolastica."),
    )
    tassonomia_trasporto = models.CharField(
        _("codice tassonomico trasporto"), max_length=140, default="9/0101108TS/",
        help_text=_("datiSpecificiRiscossione del servizio di trasporto scolastico."),
    )
    gateway = models.CharField(_("gateway pagoPA"), max_length=10, choices=TipoGateway.choices,
                               default=TipoGateway.SANDBOX)
    gpd_url = models.URLField(
        _("URL base GPD"), blank=True,
        help_text=_("Servizio «Debt Position», ad es. https://api.platform.pagopa.it/gpd/debt-positions-service/v1"),
    )
    gpd_api_key = models.CharField(_("chiave API GPD"), max_length=200, blank=True)
    checkout_url = models.URLField(
        _("URL API pagoPA Checkout"), blank=True, default="https://api.platform.pagopa.it/checkout/ec/v2",
        help_text=_("Servizio «carts» a cui inviare la famiglia per il pagamento online."),
    )
    gpd_ricevute_url = models.URLField(
        _("URL servizio ricevute GPD"), blank=True,
        help_text=_("Servizio «Payments receipts», ad es. https://api.platform.pagopa.it/gpd/payments-receipts-service/v1:"
                    " se indicato, la ricevuta di ogni pagamento è conservata."),
    )
    lis_segreto = models.CharField(
        _("segreto condiviso PuntoLIS"), max_length=200, blank=True,
        help_text=_("Chiave HMAC con cui LIS firma le notifiche di ricarica."),
    )
    importo_minimo = models.DecimalField(_("ricarica minima"), max_digits=12, decimal_places=2,
                                         default=Decimal("5.00"))
    importo_massimo = models.DecimalField(_("ricarica massima"), max_digits=12, decimal_places=2,
                                          default=Decimal("500.00"))
    giorni_scadenza_avviso = models.PositiveSmallIntegerField(_("validità dell'avviso (giorni)"), default=30)
    # The avviso pagoPA (Avvisi pagoPA 3.x, allegato 2): what the national model prints besides the QR.
    codice_cbill = models.CharField(
        _("codice CBILL"), max_length=5, blank=True, validators=[CBILL_VALIDATOR],
        help_text=_("Codice interbancario dell'ente (codice SIA), cinque caratteri: stampato sull'avviso."),
    )
    logo_avviso = models.FileField(
        _("logo per l'avviso"), upload_to="comuni/avvisi/", blank=True, validators=LOGO_AVVISO_VALIDATORS,
        help_text=_("SVG (vettoriale) oppure PNG/JPG a 300 dpi, su fondo trasparente o bianco; se assente si usa "
                    "lo stemma del comune."),
    )
    conto_postale = models.CharField(
        _("conto corrente postale"), max_length=12, blank=True, validators=[CONTO_POSTALE_VALIDATOR],
        help_text=_("Se indicato, l'avviso riporta il Bollettino Postale PA con il suo Data Matrix."),
    )
    intestatario_conto_postale = models.CharField(_("intestatario del conto postale"), max_length=50, blank=True)
    autorizzazione_poste = models.CharField(
        _("autorizzazione di Poste Italiane alla stampa in proprio"), max_length=60, blank=True,
        validators=[AUTORIZZAZIONE_POSTE_VALIDATOR], help_text=_("Ad es. AUT. DB/SISB/E 12345 DEL 01/02/2024"),
    )
    seconda_lingua = models.CharField(
        _("seconda lingua degli avvisi"), max_length=2, blank=True, choices=SECONDE_LINGUE,
        help_text=_("L'avviso diventa bilingue: italiano e la lingua scelta, come nel modello pagoPA."),
    )
    # The last IUV base handed out: incremented with a row-level UPDATE, never max()+1.
    ultimo_progressivo = models.PositiveBigIntegerField(_("ultimo progressivo IUV"), default=0, editable=False)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("configurazione pagamenti")
        verbose_name_plural = _("configurazioni pagamenti")

    def __str__(self) -> str:
        return f"{_('Pagamenti')} – {self.comune.nome}"

    def clean(self) -> None:
        from django.conf import settings as django_settings

        if self.gateway == TipoGateway.SANDBOX and getattr(django_settings, "PRODUCTION", False):
            raise ValidationError({"gateway": SANDBOX_IN_PRODUCTION_ERROR})
        if self.gateway == TipoGateway.GPD and not (self.gpd_url and self.gpd_api_key):
            raise ValidationError({"gpd_url": GPD_CONFIG_ERROR})
        if self.importo_minimo and self.importo_massimo and self.importo_minimo >= self.importo_massimo:
            raise ValidationError({"importo_massimo": _("Il massimo deve superare il minimo.")})
        self.codice_cbill = self.codice_cbill.strip().upper()
        self.autorizzazione_poste = self.autorizzazione_poste.strip().upper()
        if self.conto_postale:
            campi = ("intestatario_conto_postale", "autorizzazione_poste")
            mancanti = {name: CONTO_POSTALE_INCOMPLETO for name in campi if not getattr(self, name).strip()}
            if mancanti:
                raise ValidationError(mancanti)

    def tassonomia(self, servizio: str) -> str:
        return self.tassonomia_mensa if servizio == Servizio.MENSA else self.tassonomia_trasporto


CONTO_POSTALE_INCOMPLETO = _("Con il conto corrente postale servono intestatario e autorizzazione di Poste Italiane.")
SANDBOX_IN_PRODUCTION_ERROR = _("La sandbox pagoPA non può essere usata in produzione.")
GPD_CONFIG_ERROR = _("Per il gateway GPD servono URL base e chiave API.")


class StatoPosizione(models.TextChoices):
    IN_ATTESA = "in_attesa", _("In attesa di pagamento")
    PAGATA = "pagata", _("Pagata")
    ANNULLATA = "annullata", _("Annullata")
    SCADUTA = "scaduta", _("Scaduta")


class ModalitaPagamento(models.TextChoices):
    ONLINE = "online", _("Pagamento online")
    AVVISO = "avviso", _("Avviso di pagamento")


class Posizione(models.Model):
    """A debt position (posizione debitoria): one cart paid with one notice number."""

    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="posizioni")
    utente = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posizioni",
                               verbose_name=_("pagatore"))
    numero_avviso = models.CharField(_("numero avviso"), max_length=18)
    iuv = models.CharField(_("IUV"), max_length=17)
    # The cart this position was made from: a second click or a second tab finds the same position.
    chiave_carrello = models.CharField(_("chiave carrello"), max_length=64)
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    importo = models.DecimalField(_("importo"), max_digits=12, decimal_places=2)
    stato = models.CharField(_("stato"), max_length=10, choices=StatoPosizione.choices,
                             default=StatoPosizione.IN_ATTESA)
    modalita = models.CharField(_("modalità"), max_length=10, choices=ModalitaPagamento.choices)
    gateway = models.CharField(_("gateway"), max_length=10, choices=TipoGateway.choices)
    pubblicata_il = models.DateTimeField(_("pubblicata il"), null=True, blank=True)
    tentativi = models.PositiveSmallIntegerField(_("tentativi di pubblicazione"), default=0)
    ultimo_errore = models.CharField(_("ultimo errore"), max_length=300, blank=True)
    # The last state read at the gateway (GPD's own word, e.g. VALID, EXPIRED): staff see what pagoPA says.
    stato_remoto = models.CharField(_("stato su pagoPA"), max_length=30, blank=True)
    scadenza = models.DateField(_("scadenza"))
    creata_il = models.DateTimeField(_("creata il"), auto_now_add=True)
    pagata_il = models.DateTimeField(_("pagata il"), null=True, blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("posizione debitoria")
        verbose_name_plural = _("posizioni debitorie")
        ordering = ["-creata_il"]
        constraints = [
            models.UniqueConstraint(fields=["comune", "numero_avviso"], name="posizione_avviso_unico"),
            models.UniqueConstraint(fields=["comune", "chiave_carrello"], name="posizione_carrello_unico"),
            models.CheckConstraint(condition=models.Q(importo__gt=0), name="posizione_importo_positivo"),
        ]
        indexes = [models.Index(fields=["stato", "gateway"])]

    def __str__(self) -> str:
        return f"{_('Avviso')} {self.numero_avviso_formattato} – {euro(self.importo)}"

    @property
    def numero_avviso_formattato(self) -> str:
        """Grouped in fours, as printed on the avviso: 3020 0000 0000 0001 84."""
        n = self.numero_avviso
        return " ".join(n[i:i + 4] for i in range(0, len(n), 4))

    @property
    def centesimi(self) -> int:
        return int(self.importo * 100)

    @property
    def attivo(self) -> bool:
        """Payable at a PSP or online: the sandbox's at once, a GPD position only once GPD has published it."""
        return self.stato == StatoPosizione.IN_ATTESA and (
            self.gateway == TipoGateway.SANDBOX or self.pubblicata_il is not None
        )


class RigaPosizione(models.Model):
    """One top-up of the cart: a consumer's account for one service."""

    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="+")
    posizione = models.ForeignKey(Posizione, on_delete=models.PROTECT, related_name="righe")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.PROTECT, related_name="+")
    servizio = models.CharField(_("servizio"), max_length=10, choices=Servizio.choices)
    importo = models.DecimalField(_("importo"), max_digits=12, decimal_places=2)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("riga della posizione")
        verbose_name_plural = _("righe della posizione")
        constraints = [
            models.UniqueConstraint(fields=["posizione", "consumatore", "servizio"], name="riga_unica"),
            models.CheckConstraint(condition=models.Q(importo__gt=0), name="riga_importo_positivo"),
        ]

    def __str__(self) -> str:
        return f"{self.consumatore} – {self.get_servizio_display()}: {euro(self.importo)}"


class EsitoRicevuta(models.TextChoices):
    ACCREDITATA = "accreditata", _("Accreditata")
    INATTESA = "inattesa", _("Inattesa: da verificare")


class Ricevuta(models.Model):
    """A receipt (RT) from pagoPA, stored whatever it says; only an expected one credits the ledger."""

    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="ricevute")
    posizione = models.ForeignKey(Posizione, on_delete=models.PROTECT, related_name="ricevute",
                                  null=True, blank=True)
    identificativo = models.CharField(_("identificativo ricevuta"), max_length=100)
    numero_avviso = models.CharField(_("numero avviso"), max_length=18)
    importo = models.DecimalField(_("importo"), max_digits=12, decimal_places=2)
    psp = models.CharField(_("PSP"), max_length=200, blank=True)
    pagata_il = models.DateTimeField(_("pagata il"))
    origine = models.CharField(_("origine"), max_length=20)
    esito = models.CharField(_("esito"), max_length=12, choices=EsitoRicevuta.choices)
    motivo = models.CharField(_("motivo"), max_length=300, blank=True)
    ricevuta_il = models.DateTimeField(_("ricevuta il"), auto_now_add=True)
    # The receipt document as pagoPA's receipts service gives it (XML), kept when that service is configured.
    documento = models.TextField(_("documento della ricevuta"), blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("ricevuta pagoPA")
        verbose_name_plural = _("ricevute pagoPA")
        ordering = ["-ricevuta_il"]
        constraints = [
            models.UniqueConstraint(fields=["comune", "identificativo"], name="ricevuta_unica"),
            # At most one receipt credits a position.
            models.UniqueConstraint(fields=["posizione"], condition=models.Q(esito="accreditata"),
                                    name="ricevuta_accreditata_unica"),
        ]

    def __str__(self) -> str:
        return f"{self.identificativo} – {euro(self.importo)} ({self.get_esito_display()})"


class TransazioneLIS(models.Model):
    """A PuntoLIS top-up as notified by LIS: unique per LIS transaction id."""

    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="transazioni_lis")
    identificativo = models.CharField(_("id transazione LIS"), max_length=100)
    consumatore = models.ForeignKey(Consumatore, on_delete=models.PROTECT, related_name="+")
    servizio = models.CharField(_("servizio"), max_length=10, choices=Servizio.choices)
    importo = models.DecimalField(_("importo"), max_digits=12, decimal_places=2)
    pagata_il = models.DateTimeField(_("pagata il"))
    ricevuta_il = models.DateTimeField(_("ricevuta il"), auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("ricarica PuntoLIS")
        verbose_name_plural = _("ricariche PuntoLIS")
        ordering = ["-ricevuta_il"]
        constraints = [models.UniqueConstraint(fields=["comune", "identificativo"], name="transazione_lis_unica")]

    def __str__(self) -> str:
        return f"LIS {self.identificativo} – {euro(self.importo)}"


class Rettifica(Movimento):
    """Staff corrections, seen in the admin as their own list (a proxy of the ledger)."""

    objects = ScopedManager(comune="comune")

    class Meta:
        proxy = True
        verbose_name = _("rettifica del saldo")
        verbose_name_plural = _("rettifiche del saldo")


# Reconciliation models live in their own module; importing them here registers them in this app.
from pagamenti.riconciliazione.models import (  # noqa: E402, F401
    ConfigurazioneRiconciliazione,
    EstrattoLIS,
    FlussoRendicontazione,
    PagamentoRendicontato,
    RigaEstrattoLIS,
)
