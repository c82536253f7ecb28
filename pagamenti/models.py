"""The ledger: one prepaid account per consumer and service, made of append-only movements.

A balance is never stored: it is the sum of the movements. Every movement carries an idempotency
key unique per (consumer, service), so a meal day, a month's fee or a payment receipt can be
written any number of times, by any number of workers, and counts once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from comuni.models import Comune
from consumatori.models import Consumatore


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

    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="movimenti")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.PROTECT, related_name="movimenti")
    servizio = models.CharField(_("servizio"), max_length=10, choices=Servizio.choices)
    tipo = models.CharField(_("tipo"), max_length=20, choices=TipoMovimento.choices)
    importo = models.DecimalField(_("importo"), max_digits=12, decimal_places=2)
    data_valuta = models.DateField(_("data"))
    # What the movement is about: the meal day, the month "2026-04", the notice number, the LIS id...
    riferimento = models.CharField(_("riferimento"), max_length=100, blank=True)
    descrizione = models.CharField(_("descrizione"), max_length=200, blank=True)
    # Unique per (consumer, service): "pasto:2026-11-23", "mese:2026-04", "avviso:3020…", "lis:<id>".
    chiave = models.CharField(_("chiave di unicità"), max_length=120)
    creato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("registrato da"),
    )
    motivo = models.TextField(_("motivo"), blank=True, help_text=_("Obbligatorio per le rettifiche."))
    creato_il = models.DateTimeField(_("registrato il"), auto_now_add=True, db_index=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("movimento")
        verbose_name_plural = _("movimenti")
        ordering = ["-data_valuta", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["consumatore", "servizio", "chiave"], name="movimento_unico"),
            models.CheckConstraint(condition=~models.Q(importo=0), name="movimento_importo_non_zero"),
        ]
        indexes = [
            models.Index(fields=["consumatore", "servizio", "data_valuta"]),
            models.Index(fields=["comune", "servizio", "data_valuta"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} {self.importo} € – {self.consumatore_id} ({self.data_valuta})"
