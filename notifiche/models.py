"""Messages to families: stored in the portal and sent by e-mail, each at most once per key."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from comuni.models import Comune
from consumatori.models import Consumatore


class Notifica(models.Model):
    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="notifiche")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifiche", verbose_name=_("destinatario")
    )
    consumatore = models.ForeignKey(
        Consumatore, on_delete=models.CASCADE, null=True, blank=True, related_name="notifiche"
    )
    titolo = models.CharField(_("titolo"), max_length=200)
    testo = models.TextField(_("testo"))
    letta = models.BooleanField(_("letta"), default=False)
    # "Once" warnings carry a key: the same key for the same user is never stored (nor sent) twice.
    chiave = models.CharField(_("chiave"), max_length=150, blank=True)
    email_inviata_il = models.DateTimeField(_("e-mail inviata il"), null=True, blank=True)
    # A document attached to the e-mail, "<kind>:<reference>", rendered when sent (see notifiche.allegati).
    allegato = models.CharField(_("allegato"), max_length=100, blank=True, default="", db_default="", editable=False)
    creata_il = models.DateTimeField(_("creata il"), auto_now_add=True)
    # The transactional outbox (notifiche.consegna): how to deliver it, written in the same INSERT, cleared
    # once handed to the broker. A row still holding it a minute later is published again by the sweeper.
    da_consegnare = models.JSONField(_("consegna in attesa"), null=True, blank=True, editable=False)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("notifica")
        verbose_name_plural = _("notifiche")
        ordering = ["-creata_il", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "chiave"], condition=~Q(chiave=""), name="notifica_una_volta"),
        ]
        indexes = [
            models.Index(fields=["comune", "user", "letta"]),
            models.Index(fields=["creata_il"], condition=Q(da_consegnare__isnull=False), name="notifica_da_consegnare"),
        ]

    def __str__(self) -> str:
        return self.titolo


class PreferenzeCanali(models.Model):
    """Which channels a family wants its messages on (the portal's Messaggi always has them)."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferenze_canali")
    email = models.BooleanField(_("e-mail"), default=True)
    push = models.BooleanField(_("notifiche sul telefono (push)"), default=True)
    app_io = models.BooleanField(_("App IO"), default=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("preferenze dei canali")
        verbose_name_plural = _("preferenze dei canali")
        constraints = [models.UniqueConstraint(fields=["comune", "user"], name="preferenze_canali_una")]

    def __str__(self) -> str:
        return f"{self.user}: e-mail {self.email}, push {self.push}, App IO {self.app_io}"


class DispositivoPush(models.Model):
    """A browser or installed app that accepted push notifications (a Web Push subscription)."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dispositivi_push")
    endpoint = models.URLField(_("endpoint"), max_length=2048)
    p256dh = models.CharField(_("chiave pubblica del dispositivo"), max_length=100)
    auth = models.CharField(_("segreto di autenticazione"), max_length=50)
    nome = models.CharField(_("dispositivo"), max_length=120, blank=True)
    creato_il = models.DateTimeField(_("attivato il"), auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("dispositivo per le notifiche push")
        verbose_name_plural = _("dispositivi per le notifiche push")
        ordering = ["-creato_il"]
        constraints = [models.UniqueConstraint(fields=["comune", "user", "endpoint"], name="dispositivo_push_unico")]

    def __str__(self) -> str:
        return self.nome or self.endpoint[:60]

    @property
    def servizio_di_notifica(self) -> str:
        """The push service's host (e.g. fcm.googleapis.com), which tells a family's devices apart."""
        return urlsplit(self.endpoint).hostname or ""


class StatoInvio(models.TextChoices):
    DA_INVIARE = "da_inviare", _("da inviare")
    IN_INVIO = "in_invio", _("in invio")
    INVIATO = "inviato", _("inviato")
    FALLITO = "fallito", _("non consegnato")


class InvioPush(models.Model):
    """One notification pushed to one device: the unique key makes it once, however often the task runs."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    notifica = models.ForeignKey(Notifica, on_delete=models.CASCADE, related_name="invii_push")
    dispositivo = models.ForeignKey(DispositivoPush, on_delete=models.SET_NULL, null=True, related_name="invii")
    stato = models.CharField(_("stato"), max_length=10, choices=StatoInvio.choices, default=StatoInvio.DA_INVIARE)
    tentativi = models.PositiveSmallIntegerField(_("tentativi"), default=0)
    esito = models.CharField(_("esito"), max_length=200, blank=True)
    aggiornato_il = models.DateTimeField(_("aggiornato il"), auto_now=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("invio push")
        verbose_name_plural = _("invii push")
        constraints = [models.UniqueConstraint(fields=["notifica", "dispositivo"], name="invio_push_una_volta")]

    def __str__(self) -> str:
        return f"{self.notifica} → {self.dispositivo} ({self.stato})"


class StatoChiaveIO(models.TextChoices):
    NON_VERIFICATA = "non_verificata", _("non ancora usata")
    VALIDA = "valida", _("valida")
    RIFIUTATA = "rifiutata", _("rifiutata da IO (revocata o errata): inserire una nuova chiave")


class ServizioIO(models.Model):
    """A service of the comune on App IO, with the API key IO gave it (write-only in the admin)."""

    class Ambito(models.TextChoices):
        MENSA = "mensa", _("Refezione scolastica")
        TRASPORTO = "trasporto", _("Trasporto scolastico")

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="servizi_io")
    ambito = models.CharField(_("servizio"), max_length=10, choices=Ambito.choices)
    nome = models.CharField(_("nome del servizio su IO"), max_length=120)
    api_key = models.CharField(_("chiave API del servizio (Ocp-Apim-Subscription-Key)"), max_length=100)
    attivo = models.BooleanField(_("attivo"), default=True)
    stato_chiave = models.CharField(_("stato della chiave"), max_length=15, choices=StatoChiaveIO.choices,
                                    default=StatoChiaveIO.NON_VERIFICATA)
    stato_aggiornato_il = models.DateTimeField(_("stato aggiornato il"), null=True, blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("servizio su App IO")
        verbose_name_plural = _("servizi su App IO")
        constraints = [models.UniqueConstraint(fields=["comune", "ambito"], name="servizio_io_unico")]

    def __str__(self) -> str:
        return f"{self.nome} ({self.get_ambito_display()})"


class StatoMessaggioIO(models.TextChoices):
    DA_INVIARE = "da_inviare", _("da inviare")
    INVIATO = "inviato", _("inviato")
    NON_SU_IO = "non_su_io", _("il cittadino non usa IO")
    NON_CONSENTITO = "non_consentito", _("il cittadino ha disattivato il servizio su IO")
    SENZA_CF = "senza_cf", _("codice fiscale non verificato")
    CHIAVE = "chiave", _("chiave API mancante o rifiutata")
    FALLITO = "fallito", _("non inviato dopo i tentativi")


class MessaggioIO(models.Model):
    """The App IO message of one notification: at most one, whatever the retries (unique key)."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    notifica = models.OneToOneField(Notifica, on_delete=models.CASCADE, related_name="messaggio_io")
    servizio = models.ForeignKey(ServizioIO, on_delete=models.SET_NULL, null=True, related_name="messaggi")
    stato = models.CharField(_("stato"), max_length=15, choices=StatoMessaggioIO.choices,
                             default=StatoMessaggioIO.DA_INVIARE)
    io_id = models.CharField(_("identificativo IO del messaggio"), max_length=64, blank=True)
    tentativi = models.PositiveSmallIntegerField(_("tentativi"), default=0)
    esito = models.CharField(_("esito"), max_length=200, blank=True)
    aggiornato_il = models.DateTimeField(_("aggiornato il"), auto_now=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("messaggio App IO")
        verbose_name_plural = _("messaggi App IO")

    def __str__(self) -> str:
        return f"{self.notifica} – {self.get_stato_display()}"
