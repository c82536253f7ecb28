"""The pagoPA gateway interface and its two implementations, chosen per comune.

`GpdGateway` (pagamenti.pagopa.gpd) speaks the GPD REST API: publish a debt position, read its state,
invalidate it, and send the family to pagoPA Checkout. `SandboxGateway` does the same inside the
project for development and demos. Both hand receipts to `pagamenti.pagopa.services.ricevuta_receive`,
the one path that credits the ledger.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from pagamenti.models import ConfigurazionePagamenti, Posizione, TipoGateway


class GatewayError(Exception):
    """The gateway did not answer or answered an error: the position stays pending and is retried."""


class GatewayPaused(GatewayError):
    """Not called: a moment ago the gateway did not answer, and a family is waiting
    (pagamenti.pagopa.gpd.PAUSE_SECONDS)."""


class PosizioneNonAnnullabile(GatewayError):
    """The gateway refuses to invalidate the position (it was paid meanwhile, or is closed already)."""


@dataclass(frozen=True)
class RicevutaGateway:
    identificativo: str
    numero_avviso: str
    importo: Decimal
    psp: str
    pagata_il: datetime.datetime


class EsitoRemoto(StrEnum):
    """What the gateway says of a position, in our words."""

    IN_ATTESA = "in_attesa"  # published, payable, not paid yet
    PAGATA = "pagata"  # paid: the receipt comes with it
    SCADUTA = "scaduta"  # expired at its due date, can no longer be paid
    INVALIDATA = "invalidata"  # cancelled at the gateway
    NON_PUBBLICATA = "non_pubblicata"  # unknown to the gateway or still a draft: publish it (again)
    SCONOSCIUTO = "sconosciuto"  # a state we do not handle: staff must look, never read as "not paid"


@dataclass(frozen=True)
class StatoRemoto:
    esito: EsitoRemoto
    stato_gateway: str = ""
    ricevuta: RicevutaGateway | None = None


class Gateway(Protocol):
    origine: str

    def publish(self, posizione: Posizione) -> None: ...

    def state(self, posizione: Posizione) -> StatoRemoto: ...

    def invalidate(self, posizione: Posizione) -> None: ...

    def checkout_url(self, posizione: Posizione, return_url: str, cancel_url: str = "") -> str: ...


class SandboxGateway:
    """Publishes locally; the local checkout page and the staff action produce the receipts."""

    origine = "sandbox"

    def publish(self, posizione: Posizione) -> None:
        return None

    def state(self, posizione: Posizione) -> StatoRemoto:
        # The sandbox pushes its receipts when someone pays; what is pending stays pending until its due date.
        if posizione.scadenza < timezone.localdate():
            return StatoRemoto(EsitoRemoto.SCADUTA, "EXPIRED")
        return StatoRemoto(EsitoRemoto.IN_ATTESA, "VALID")

    def invalidate(self, posizione: Posizione) -> None:
        return None

    def checkout_url(self, posizione: Posizione, return_url: str = "", cancel_url: str = "") -> str:
        return reverse("pagamenti:sandbox_checkout", kwargs={"comune": posizione.comune.slug,
                                                             "token": posizione.token})

    def simulated_receipt(self, posizione: Posizione, psp: str) -> RicevutaGateway:
        return RicevutaGateway(
            identificativo=f"SANDBOX-{posizione.numero_avviso}", numero_avviso=posizione.numero_avviso,
            importo=posizione.importo, psp=psp, pagata_il=timezone.now(),
        )


def gateway_for(config: ConfigurazionePagamenti, *, interactive: bool = False) -> Gateway:
    """The gateway of a comune; the sandbox is refused outright in production.

    `interactive`: a family or a clerk waits for the answer (a checkout, a cancellation). The call is tried
    once, and not at all while the gateway is paused after going unanswered (GpdGateway); background tasks
    keep their retries and end the pause when they get an answer."""
    if config.gateway == TipoGateway.GPD:
        from .gpd import GpdGateway

        return GpdGateway(config, interactive=interactive)
    if getattr(settings, "PRODUCTION", False):
        raise GatewayError("the pagoPA sandbox is disabled in production")
    return SandboxGateway()
