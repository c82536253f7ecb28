"""How long the applications' personal data live (the comune's retention settings), and who downloaded which
medical certificate (imported by iscrizioni.models)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from comuni.models import Comune


class ConservazioneDati(models.Model):
    """The comune's retention of the enrolment applications (one row per comune; without it, the defaults).

    The daily job iscrizioni.tasks.conservazione_dati_all applies it (iscrizioni.conservazione)."""

    comune = models.OneToOneField(Comune, on_delete=models.CASCADE, related_name="conservazione_dati")
    certificati_giorni = models.PositiveSmallIntegerField(
        _("giorni di conservazione dei certificati medici"), default=0,
        validators=[MinValueValidator(0), MaxValueValidator(3650)],
        help_text=_("Il certificato di una domanda accolta resta finché la dieta che giustifica è in vigore, e "
                    "almeno fino alla fine dell'anno scolastico della domanda; poi per questi giorni. 0: si "
                    "cancella alla fine della dieta o dell'anno scolastico. I certificati delle domande ritirate "
                    "o respinte si cancellano subito."),
    )
    domande_mesi = models.PositiveSmallIntegerField(
        _("mesi di conservazione delle domande"), default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Dopo la fine dell'anno scolastico (domande accolte) o dopo la decisione o il ritiro (domande "
                    "respinte o ritirate). Poi la domanda è anonimizzata: restano protocollo, anno, servizi, "
                    "scuola, stato e date; si cancellano nome, codice fiscale, data di nascita, ISEE, protocollo "
                    "DSU, dieta e certificato."),
    )
    accessi_mesi = models.PositiveSmallIntegerField(
        _("mesi di conservazione del registro dei download dei certificati"), default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Ogni download di un certificato da parte del personale è registrato (chi, quando, quale "
                    "domanda) e cancellato dopo questi mesi."),
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("conservazione dei dati delle domande")
        verbose_name_plural = _("conservazione dei dati delle domande")

    def __str__(self) -> str:
        return f"{_('Conservazione dei dati')} – {self.comune.nome}"


class AccessoCertificato(models.Model):
    """One download of a medical certificate by staff: who, when, which application."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    domanda = models.ForeignKey("iscrizioni.Domanda", on_delete=models.CASCADE, related_name="accessi_certificato",
                                verbose_name=_("domanda"))
    protocollo = models.CharField(_("protocollo"), max_length=30, blank=True)
    utente = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                               verbose_name=_("scaricato da"))
    scaricato_il = models.DateTimeField(_("scaricato il"), auto_now_add=True, db_index=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("download di un certificato medico")
        verbose_name_plural = _("download dei certificati medici")
        ordering = ["-scaricato_il"]

    def __str__(self) -> str:
        return f"{self.protocollo} – {self.scaricato_il:%d/%m/%Y %H:%M}"
