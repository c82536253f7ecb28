"""Reconciliation rows: the FdR flows the PSPs send and each payment they list.

Registered in the `pagamenti` app (imported at the bottom of `pagamenti/models.py`). A flow is
stored once per comune and flow id; each payment row keeps the classification computed when it
was matched against our receipts (and recomputed while it is still an anomaly).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from comuni.models import Comune

FDR_API_URL_DEFAULT = "https://api.platform.pagopa.it/fdr-org/service/v1"


class ConfigurazioneRiconciliazione(models.Model):
    """Per comune: how long a receipt may wait for its flow, and the FdR REST API access."""

    comune = models.OneToOneField(Comune, on_delete=models.CASCADE, related_name="configurazione_riconciliazione")
    giorni_attesa_flusso = models.PositiveSmallIntegerField(
        _("giorni di attesa del flusso"), default=5, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Dopo quanti giorni una ricevuta che non compare in alcun flusso diventa un'anomalia."),
    )
    fdr_api_url = models.URLField(_("URL base API FdR"), blank=True, default=FDR_API_URL_DEFAULT)
    fdr_api_key = models.CharField(
        _("chiave API FdR"), max_length=200, blank=True,
        help_text=_("Ocp-Apim-Subscription-Key del servizio «FdR per gli enti»; vuoto = non usare l'API."),
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("configurazione riconciliazione")
        verbose_name_plural = _("configurazioni riconciliazione")

    def __str__(self) -> str:
        return f"{_('Riconciliazione')} – {self.comune.nome}"


class OrigineFlusso(models.TextChoices):
    CARICAMENTO = "caricamento", _("Caricato dall'ufficio")
    CARTELLA = "cartella", _("Cartella del gateway")
    API = "api", _("API FdR pagoPA")


class FlussoRendicontazione(models.Model):
    """One FlussoRiversamento (or REST FdR) received by the comune."""

    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="flussi_rendicontazione")
    identificativo = models.CharField(_("identificativo flusso"), max_length=35)
    revisione = models.PositiveIntegerField(_("revisione"), default=1)
    data_ora_flusso = models.DateTimeField(_("data e ora del flusso"))
    identificativo_regolamento = models.CharField(_("identificativo regolamento (bonifico)"), max_length=35)
    data_regolamento = models.DateField(_("data regolamento"))
    psp_id = models.CharField(_("PSP mittente"), max_length=35)
    psp_nome = models.CharField(_("denominazione PSP"), max_length=70, blank=True)
    codice_bic = models.CharField(_("BIC banca di riversamento"), max_length=35, blank=True)
    ente_ricevente = models.CharField(_("ente ricevente"), max_length=35)
    numero_dichiarato = models.PositiveIntegerField(_("numero pagamenti dichiarato"))
    importo_dichiarato = models.DecimalField(_("importo dichiarato"), max_digits=14, decimal_places=2)
    numero_calcolato = models.PositiveIntegerField(_("numero pagamenti nel flusso"))
    importo_calcolato = models.DecimalField(_("importo dei pagamenti nel flusso"), max_digits=14, decimal_places=2)
    origine = models.CharField(_("origine"), max_length=12, choices=OrigineFlusso.choices)
    nome_file = models.CharField(_("file"), max_length=200, blank=True)
    impronta = models.CharField(_("impronta SHA-256"), max_length=64)
    anomalie = models.PositiveIntegerField(_("anomalie"), default=0)
    importato_il = models.DateTimeField(_("importato il"), auto_now_add=True)
    importato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("importato da"))

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("flusso di rendicontazione")
        verbose_name_plural = _("flussi di rendicontazione")
        ordering = ["-data_regolamento", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["comune", "identificativo"], name="flusso_unico_per_comune"),
        ]

    def __str__(self) -> str:
        return f"{self.identificativo} ({self.data_regolamento:%d/%m/%Y})"

    @property
    def totali_quadrano(self) -> bool:
        return self.numero_dichiarato == self.numero_calcolato and self.importo_dichiarato == self.importo_calcolato


class EsitoPagamento(models.TextChoices):
    """codiceEsitoSingoloPagamento of the XML flow; the REST payStatus is mapped onto it."""

    ESEGUITO = "0", _("Eseguito")
    REVOCATO = "3", _("Revocato")
    STAND_IN = "4", _("Eseguito in stand-in")
    STAND_IN_SENZA_RPT = "8", _("Eseguito in stand-in senza RPT")
    SENZA_RPT = "9", _("Eseguito senza RPT")


class StatoRiconciliazione(models.TextChoices):
    RICONCILIATO = "riconciliato", _("Riconciliato")
    SENZA_RICEVUTA = "senza_ricevuta", _("Pagato, ma nessuna ricevuta qui")
    IMPORTO_DIVERSO = "importo_diverso", _("Importo diverso dalla ricevuta")
    REVOCATO = "revocato", _("Pagamento revocato dal PSP")
    DOPPIO = "doppio", _("Già rendicontato in un altro flusso")


class PagamentoRendicontato(models.Model):
    """One datiSingoliPagamenti entry of a flow, matched to our position of the same IUV."""

    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="+")
    flusso = models.ForeignKey(FlussoRendicontazione, on_delete=models.PROTECT, related_name="pagamenti")
    posizione = models.ForeignKey("pagamenti.Posizione", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="rendicontazioni")
    progressivo = models.PositiveIntegerField(_("n. nel flusso"))
    iuv = models.CharField(_("IUV"), max_length=35)
    iur = models.CharField(_("identificativo riscossione (IUR)"), max_length=35)
    indice = models.PositiveSmallIntegerField(_("indice del trasferimento"), default=1)
    importo = models.DecimalField(_("importo"), max_digits=12, decimal_places=2)
    esito = models.CharField(_("esito"), max_length=1, choices=EsitoPagamento.choices)
    data_esito = models.DateField(_("data esito"))
    stato = models.CharField(_("riconciliazione"), max_length=16, choices=StatoRiconciliazione.choices,
                             db_index=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("pagamento rendicontato")
        verbose_name_plural = _("pagamenti rendicontati")
        ordering = ["flusso", "progressivo"]
        constraints = [
            models.UniqueConstraint(fields=["flusso", "iuv", "iur", "indice"], name="pagamento_rendicontato_unico"),
            models.CheckConstraint(condition=models.Q(importo__gt=Decimal("0")), name="rendicontato_importo_positivo"),
        ]
        indexes = [models.Index(fields=["comune", "iuv"]), models.Index(fields=["comune", "data_esito"])]

    def __str__(self) -> str:
        return f"IUV {self.iuv} – {self.importo} € ({self.get_stato_display()})"

    @property
    def anomalo(self) -> bool:
        return self.stato != StatoRiconciliazione.RICONCILIATO


class StatoRigaLIS(models.TextChoices):
    RICONCILIATO = "riconciliato", _("Riconciliato")
    SENZA_RICARICA = "senza_ricarica", _("Nell'estratto, ma nessuna ricarica qui")
    IMPORTO_DIVERSO = "importo_diverso", _("Importo diverso dalla ricarica")
    DOPPIO = "doppio", _("Già in un altro estratto")


class EstrattoLIS(models.Model):
    """The PuntoLIS daily statement of one comune (our CSV format, see README)."""

    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="estratti_lis")
    data = models.DateField(_("giorno"))
    numero_dichiarato = models.PositiveIntegerField(_("ricariche dichiarate"))
    importo_dichiarato = models.DecimalField(_("importo dichiarato"), max_digits=14, decimal_places=2)
    numero_calcolato = models.PositiveIntegerField(_("ricariche nell'estratto"))
    importo_calcolato = models.DecimalField(_("importo delle ricariche"), max_digits=14, decimal_places=2)
    anomalie = models.PositiveIntegerField(_("anomalie"), default=0)
    nome_file = models.CharField(_("file"), max_length=200, blank=True)
    impronta = models.CharField(_("impronta SHA-256"), max_length=64)
    importato_il = models.DateTimeField(_("importato il"), auto_now_add=True)
    importato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("importato da"))

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("estratto giornaliero PuntoLIS")
        verbose_name_plural = _("estratti giornalieri PuntoLIS")
        ordering = ["-data"]
        constraints = [models.UniqueConstraint(fields=["comune", "data"], name="estratto_lis_unico_per_giorno")]

    def __str__(self) -> str:
        return f"PuntoLIS {self.data:%d/%m/%Y}"

    @property
    def totali_quadrano(self) -> bool:
        return self.numero_dichiarato == self.numero_calcolato and self.importo_dichiarato == self.importo_calcolato


class RigaEstrattoLIS(models.Model):
    """One top-up listed by the LIS statement, matched to our TransazioneLIS of the same id."""

    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="+")
    estratto = models.ForeignKey(EstrattoLIS, on_delete=models.PROTECT, related_name="righe")
    transazione = models.ForeignKey("pagamenti.TransazioneLIS", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="righe_estratto")
    riga = models.PositiveIntegerField(_("riga del file"))
    transaction_id = models.CharField(_("id transazione LIS"), max_length=100)
    codice_pagamento = models.CharField(_("codice pagamento"), max_length=40)
    importo = models.DecimalField(_("importo"), max_digits=12, decimal_places=2)
    servizio = models.CharField(_("servizio"), max_length=10)
    pagata_il = models.DateTimeField(_("pagata il"))
    stato = models.CharField(_("riconciliazione"), max_length=16, choices=StatoRigaLIS.choices, db_index=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("riga dell'estratto PuntoLIS")
        verbose_name_plural = _("righe dell'estratto PuntoLIS")
        ordering = ["estratto", "riga"]
        constraints = [
            models.UniqueConstraint(fields=["estratto", "transaction_id"], name="riga_estratto_lis_unica"),
            models.CheckConstraint(condition=models.Q(importo__gt=Decimal("0")), name="riga_lis_importo_positivo"),
        ]
        indexes = [models.Index(fields=["comune", "transaction_id"])]

    def __str__(self) -> str:
        return f"LIS {self.transaction_id} – {self.importo} € ({self.get_stato_display()})"

    @property
    def anomalo(self) -> bool:
        return self.stato != StatoRigaLIS.RICONCILIATO
