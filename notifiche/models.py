"""Messages to families: stored in the portal and sent by e-mail, each at most once per key."""

from __future__ import annotations

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
    creata_il = models.DateTimeField(_("creata il"), auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("notifica")
        verbose_name_plural = _("notifiche")
        ordering = ["-creata_il", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "chiave"], condition=~Q(chiave=""), name="notifica_una_volta"),
        ]
        indexes = [models.Index(fields=["comune", "user", "letta"])]

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
