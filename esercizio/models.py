"""What the service's jobs did last: one row per job and comune (or the platform), and the alerts sent."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune


class Lavoro(models.TextChoices):
    ADDEBITO_PASTI = "addebito_pasti", _("Addebito notturno dei pasti")
    MENSILITA_TRASPORTO = "mensilita_trasporto", _("Addebito mensile del trasporto")
    VERIFICA_RICEVUTE = "verifica_ricevute", _("Verifica delle ricevute pagoPA")
    IMPORT_FDR = "import_fdr", _("Importazione dei flussi di rendicontazione")


class Esecuzione(models.Model):
    """The last completion of a job, for one comune or (comune empty) for the platform's beat entry point.

    Written by the Celery task_success signal (esercizio.signals): the jobs' apps know nothing of it. Not
    tenant data a family or a clerk reads: platform bookkeeping, so no scoped manager."""

    lavoro = models.CharField(_("lavoro"), max_length=30, choices=Lavoro.choices)
    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    completato_il = models.DateTimeField(_("completato il"))

    class Meta:
        verbose_name = _("esecuzione di un lavoro")
        verbose_name_plural = _("esecuzioni dei lavori")
        constraints = [
            models.UniqueConstraint(fields=["lavoro", "comune"], name="esecuzione_una_per_comune",
                                    nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return f"{self.get_lavoro_display()} – {self.comune or 'piattaforma'}: {self.completato_il:%d/%m/%Y %H:%M}"


class Incidente(models.Model):
    """A job not completed by its deadline: opened (and the platform admins e-mailed) once, closed when the
    job completes. The comune's cruscotto shows a red banner while one is open."""

    lavoro = models.CharField(_("lavoro"), max_length=30, choices=Lavoro.choices)
    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    scadenza = models.DateTimeField(_("scadenza"))
    aperto_il = models.DateTimeField(_("aperto il"))
    chiuso_il = models.DateTimeField(_("chiuso il"), null=True, blank=True)
    avvisati = models.PositiveSmallIntegerField(_("amministratori avvisati"), default=0)

    class Meta:
        verbose_name = _("incidente")
        verbose_name_plural = _("incidenti")
        ordering = ["-aperto_il"]
        constraints = [
            # One open incident per job and comune, and one per job and deadline: e-mailed once.
            models.UniqueConstraint(fields=["lavoro", "comune", "scadenza"], name="incidente_uno_per_scadenza",
                                    nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return f"{self.get_lavoro_display()} – {self.comune or 'piattaforma'} (scadenza {self.scadenza:%d/%m %H:%M})"
