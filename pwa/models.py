"""Taps made on an operator's device (canteen attendance, bus boarding), kept as an audit trail.

Each tap carries an id made on the device, so a queue replayed twice is recorded once; for one
child, day (and trip) the tap with the latest device time is the one applied, and every tap stays
here with its outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from comuni.models import Comune
from consumatori.models import Consumatore


class ServizioTocco(models.TextChoices):
    MENSA = "mensa", _("Presenza in mensa")
    TRASPORTO = "trasporto", _("Salita a bordo")


class EsitoTocco(models.TextChoices):
    APPLICATO = "applicato", _("applicato")
    SUPERATO = "superato", _("superato da un tocco successivo")


class Tocco(models.Model):
    """One tap of an operator, as the device recorded it."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="tocchi")
    uuid = models.UUIDField(_("identificativo del dispositivo"), unique=True)
    servizio = models.CharField(_("servizio"), max_length=10, choices=ServizioTocco.choices)
    consumatore = models.ForeignKey(Consumatore, on_delete=models.CASCADE, related_name="tocchi")
    giorno = models.DateField(_("giorno"))
    tratta = models.CharField(_("tratta"), max_length=10, blank=True)
    valore = models.BooleanField(_("presente / salito"))
    dispositivo_il = models.DateTimeField(_("ora sul dispositivo"))
    ricevuto_il = models.DateTimeField(_("ricevuto il"), auto_now_add=True)
    registrato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrato da")
    )
    esito = models.CharField(_("esito"), max_length=10, choices=EsitoTocco.choices)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("tocco dal dispositivo")
        verbose_name_plural = _("tocchi dai dispositivi (presenze e salite)")
        ordering = ["-dispositivo_il"]
        indexes = [models.Index(fields=["consumatore", "giorno", "servizio"])]

    def __str__(self) -> str:
        return f"{self.get_servizio_display()} {self.consumatore} {self.giorno:%d/%m/%Y} ({self.esito})"


class DichiarazioneAccessibilita(models.Model):
    """The comune's accessibility statement for this portal (AgID guidelines), written by its staff."""

    comune = models.OneToOneField(Comune, on_delete=models.CASCADE, related_name="dichiarazione_accessibilita")
    testo = models.TextField(
        _("testo della dichiarazione"),
        help_text=_("Stato di conformità, contenuti non accessibili, modalità di segnalazione (meccanismo di "
                    "feedback) e procedura di attuazione, come nel modello AgID."),
    )
    url_feedback = models.URLField(_("indirizzo per le segnalazioni"), blank=True)
    aggiornata_il = models.DateField(_("ultimo aggiornamento"), auto_now=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("dichiarazione di accessibilità")
        verbose_name_plural = _("dichiarazione di accessibilità")

    def __str__(self) -> str:
        return f"Dichiarazione di accessibilità – {self.comune}"
