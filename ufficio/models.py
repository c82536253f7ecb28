"""The school office's own records: reminder settings, the reminder register and the sending jobs."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from comuni.models import Comune
from consumatori.models import Consumatore
from pagamenti.models import Posizione, Servizio


class Livello(models.TextChoices):
    PRIMO = "primo", _("1° sollecito")
    SECONDO = "secondo", _("2° sollecito")
    MESSA_IN_MORA = "mora", _("Messa in mora")


# The order of the levels: each one needs the previous one in the same debt episode.
LIVELLI = [Livello.PRIMO, Livello.SECONDO, Livello.MESSA_IN_MORA]

# The default letters: the comune's letter on the first page, its avviso on the next (ufficio.lettera).
TESTO_PRIMO = (
    "il conto di {nome} per il servizio di {servizio} presenta un debito di {debito} €. "
    "La invitiamo a saldarlo entro {giorni} giorni con l'avviso di pagamento pagoPA alla pagina seguente, online "
    "o presso un prestatore di servizi di pagamento (banche, uffici postali, tabaccai), oppure ricaricando il "
    "conto dal portale. Se ha già pagato, non tenga conto di questa lettera."
)
TESTO_SECONDO = (
    "nonostante il precedente sollecito, il conto di {nome} per il servizio di {servizio} presenta ancora un "
    "debito di {debito} €. La invitiamo a saldarlo entro {giorni} giorni con l'avviso di pagamento pagoPA alla "
    "pagina seguente. In mancanza il comune procederà con la messa in mora."
)
TESTO_MORA = (
    "il debito di {debito} € per il servizio di {servizio} di {nome} non è stato saldato nonostante i "
    "solleciti. Con la presente La costituiamo formalmente in mora ai sensi dell'art. 1219 del codice civile: "
    "in mancanza di pagamento entro {giorni} giorni il comune procederà alla riscossione coattiva, con "
    "aggravio di spese e interessi."
)


class ImpostazioniSolleciti(models.Model):
    """The comune's reminder texts and the minimum days between two levels."""

    comune = models.OneToOneField(Comune, on_delete=models.CASCADE, related_name="impostazioni_solleciti")
    testo_primo = models.TextField(_("testo del 1° sollecito"), default=TESTO_PRIMO)
    testo_secondo = models.TextField(_("testo del 2° sollecito"), default=TESTO_SECONDO)
    testo_messa_in_mora = models.TextField(_("testo della messa in mora"), default=TESTO_MORA)
    giorni_tra_livelli = models.PositiveSmallIntegerField(
        _("giorni minimi tra due livelli"), default=15, validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    giorni_per_pagare = models.PositiveSmallIntegerField(
        _("giorni concessi per pagare"), default=15, validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("impostazioni dei solleciti")
        verbose_name_plural = _("impostazioni dei solleciti")

    def __str__(self) -> str:
        return f"{_('Solleciti')} – {self.comune.nome}"

    def testo(self, livello: str) -> str:
        return {Livello.PRIMO: self.testo_primo, Livello.SECONDO: self.testo_secondo}.get(
            livello, self.testo_messa_in_mora
        )


class StatoInvio(models.TextChoices):
    IN_CODA = "in_coda", _("In coda")
    IN_CORSO = "in_corso", _("In corso")
    COMPLETATO = "completato", _("Completato")


class InvioSolleciti(models.Model):
    """One sending job started by the office: a level for a list of debtor accounts."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    livello = models.CharField(_("livello"), max_length=10, choices=Livello.choices)
    # [[consumatore_id, servizio], ...]: the accounts the office selected.
    conti = models.JSONField(_("conti selezionati"), default=list)
    totale = models.PositiveIntegerField(_("totale"), default=0)
    elaborati = models.PositiveIntegerField(_("elaborati"), default=0)
    inviati = models.PositiveIntegerField(_("solleciti inviati"), default=0)
    saltati = models.PositiveIntegerField(_("saltati"), default=0)
    stato = models.CharField(_("stato"), max_length=12, choices=StatoInvio.choices, default=StatoInvio.IN_CODA)
    creato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creato_il = models.DateTimeField(_("creato il"), auto_now_add=True)
    completato_il = models.DateTimeField(_("completato il"), null=True, blank=True)
    # When the broker took the job's start (ufficio.invio). Empty while the job waits for a broker that was
    # down when the office clicked: beat's sweeper starts it once the broker is back (omnibus.publish).
    accodato_il = models.DateTimeField(_("accodato il"), null=True, blank=True, editable=False)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("invio di solleciti")
        verbose_name_plural = _("invii di solleciti")
        ordering = ["-creato_il"]
        indexes = [
            models.Index(fields=["creato_il"], condition=models.Q(stato="in_coda", accodato_il__isnull=True),
                         name="invio_in_attesa_del_broker"),
        ]

    def __str__(self) -> str:
        return f"{self.get_livello_display()} – {self.creato_il:%d/%m/%Y %H:%M}"

    @property
    def percentuale(self) -> int:
        return 100 if not self.totale else int(self.elaborati * 100 / self.totale)


class BloccoContato(models.Model):
    """A block of a sending job already counted in its progress (ufficio.invio): the unique key makes a
    redelivered block, a retry or a second worker count it once."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    invio = models.ForeignKey(InvioSolleciti, on_delete=models.CASCADE, related_name="blocchi_contati")
    inizio = models.PositiveIntegerField()  # the block's first index in `InvioSolleciti.conti`

    objects = ScopedManager(comune="comune")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invio", "inizio"], name="blocco_contato_unico")]

    def __str__(self) -> str:
        return f"{self.invio_id}@{self.inizio}"


class EsitoEmail(models.TextChoices):
    INVIATA = "inviata", _("Consegnata")
    RIMBALZATA = "rimbalzata", _("Rimbalzata")
    NESSUNA = "nessuna", _("Senza e-mail: da stampare")


class Sollecito(models.Model):
    """The register: one reminder level sent for one account's debt episode, never twice."""

    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="+")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.PROTECT, related_name="solleciti")
    servizio = models.CharField(_("servizio"), max_length=10, choices=Servizio.choices)
    livello = models.CharField(_("livello"), max_length=10, choices=Livello.choices)
    # The debt episode of mensa.debiti._episodio: "<consumer>:<id of the last credit>".
    episodio = models.CharField(_("episodio di debito"), max_length=40)
    debito = models.DecimalField(_("debito"), max_digits=12, decimal_places=2)
    posizione = models.ForeignKey(Posizione, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("avviso pagoPA"))
    invio = models.ForeignKey(InvioSolleciti, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="solleciti")
    destinatari = models.TextField(_("destinatari"), blank=True)
    esito_email = models.CharField(_("e-mail"), max_length=12, choices=EsitoEmail.choices,
                                   default=EsitoEmail.NESSUNA)
    errore_email = models.CharField(_("errore e-mail"), max_length=300, blank=True)
    inviato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("inviato da"))
    inviato_il = models.DateTimeField(_("inviato il"), auto_now_add=True, db_index=True)
    pagato_il = models.DateTimeField(_("pagato il"), null=True, blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("sollecito")
        verbose_name_plural = _("registro dei solleciti")
        ordering = ["-inviato_il", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["consumatore", "servizio", "episodio", "livello"],
                                    name="sollecito_unico_per_episodio"),
        ]
        indexes = [models.Index(fields=["comune", "consumatore", "servizio"])]

    def __str__(self) -> str:
        return f"{self.get_livello_display()} – {self.consumatore} ({self.debito} €)"


class StatoEsportazione(models.TextChoices):
    IN_CODA = "in_coda", _("In coda")
    IN_CORSO = "in_corso", _("In corso")
    COMPLETATO = "completato", _("Completato")
    ERRORE = "errore", _("Non riuscita")


# An export still to finish: at most one per reminder job at a time (see ufficio.stampa).
ESPORTAZIONE_APERTA = [StatoEsportazione.IN_CODA, StatoEsportazione.IN_CORSO]


class Esportazione(models.Model):
    """A long export prepared in the background: its progress, then the file to download. `report` names
    the kind: one of ufficio.report.REPORTS, or "lettere" (the letters of a reminder job to print)."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    report = models.CharField(_("report"), max_length=20)
    parametri = models.JSONField(_("parametri"), default=dict)
    formato = models.CharField(_("formato"), max_length=5)
    # The reminder job whose letters this prints (kind "lettere" only).
    invio = models.ForeignKey(InvioSolleciti, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="stampe")
    stato = models.CharField(_("stato"), max_length=12, choices=StatoEsportazione.choices,
                             default=StatoEsportazione.IN_CODA)
    percentuale = models.PositiveSmallIntegerField(_("avanzamento"), default=0)
    nome_file = models.CharField(_("nome del file"), max_length=100, blank=True)
    contenuto = models.BinaryField(_("contenuto"), null=True, blank=True)
    errore = models.CharField(_("errore"), max_length=300, blank=True)
    creato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creato_il = models.DateTimeField(_("creato il"), auto_now_add=True)
    completato_il = models.DateTimeField(_("completato il"), null=True, blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("esportazione")
        verbose_name_plural = _("esportazioni")
        ordering = ["-creato_il"]
        constraints = [
            # A second click while the letters are being prepared finds this one (ufficio.stampa).
            models.UniqueConstraint(fields=["invio"], condition=models.Q(stato__in=ESPORTAZIONE_APERTA),
                                    name="una_stampa_aperta_per_invio"),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.formato} – {self.creato_il:%d/%m/%Y %H:%M}"

    @property
    def aperta(self) -> bool:
        return self.stato in ESPORTAZIONE_APERTA


class CorrezionePasto(models.Model):
    """The audit trail of attendance fixed after the fact: who, when, which day, why, and the movement
    it wrote (a reversal or a re-debit), if any."""

    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="+")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.PROTECT, related_name="correzioni_pasto")
    giorno = models.DateField(_("giorno"))
    presente = models.BooleanField(_("presente"))
    motivo = models.CharField(_("motivo"), max_length=300)
    registrata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("registrata da"))
    registrata_il = models.DateTimeField(_("registrata il"), auto_now_add=True)
    # No database key: the ledger is partitioned by day (pagamenti/partizioni.py), its id alone is not a key.
    movimento = models.ForeignKey("pagamenti.Movimento", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("movimento"), db_constraint=False)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("correzione di presenza")
        verbose_name_plural = _("correzioni di presenza")
        ordering = ["-registrata_il", "-id"]

    def __str__(self) -> str:
        return f"{self.consumatore} {self.giorno:%d/%m/%Y}: {'presente' if self.presente else 'assente'}"
