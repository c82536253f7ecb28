"""What the switch-over keeps: each registry import (the uploaded workbook until it is applied or a day old)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from comuni.models import Comune


class StatoImportazione(models.TextChoices):
    ANTEPRIMA = "anteprima", _("Anteprima")
    APPLICATA = "applicata", _("Applicata")


class ImportazioneAnagrafe(models.Model):
    """An upload of the registry: previewed, then applied. The file holds personal data: it is kept only
    between the preview and the apply, and `attivazione.tasks.importazioni_pulisci` empties it after a day."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    nome_file = models.CharField(_("file"), max_length=200)
    contenuto = models.BinaryField(_("contenuto"), null=True, blank=True)
    stato = models.CharField(_("stato"), max_length=12, choices=StatoImportazione.choices,
                             default=StatoImportazione.ANTEPRIMA)
    problemi = models.PositiveIntegerField(_("problemi"), default=0)
    conteggi = models.JSONField(_("conteggi"), default=dict)
    creato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    creato_il = models.DateTimeField(_("caricato il"), auto_now_add=True)
    applicato_il = models.DateTimeField(_("applicato il"), null=True, blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("importazione dell'anagrafe")
        verbose_name_plural = _("importazioni dell'anagrafe")
        ordering = ["-creato_il"]

    def __str__(self) -> str:
        return f"{self.nome_file} – {self.creato_il:%d/%m/%Y %H:%M}"


class VerificaCollegamento(models.Model):
    """The outcome of a "Verifica collegamento" to pagoPA (GPD read, Checkout reachable), kept for the checklist."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    eseguita_il = models.DateTimeField(_("eseguita il"), auto_now_add=True)
    eseguita_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    gpd = models.CharField(_("GPD"), max_length=300)
    checkout = models.CharField(_("Checkout"), max_length=300)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("verifica del collegamento a pagoPA")
        verbose_name_plural = _("verifiche del collegamento a pagoPA")
        ordering = ["-eseguita_il"]

    def __str__(self) -> str:
        return f"{self.eseguita_il:%d/%m/%Y %H:%M} GPD {self.gpd}, Checkout {self.checkout}"

    @property
    def riuscita(self) -> bool:
        return self.gpd == "ok" and self.checkout == "ok"
