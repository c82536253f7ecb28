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
