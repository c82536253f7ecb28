"""Debt positions and receipts: checkout, publication, crediting exactly once."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune, User
from consumatori.models import Consumatore
from omnibus import stamps
from omnibus.publish import publish
from pagamenti.conferme import pagamento_confirm
from pagamenti.models import (
    ConfigurazionePagamenti,
    EsitoRicevuta,
    Posizione,
    Ricevuta,
    RigaPosizione,
    StatoPosizione,
    TipoGateway,
    TipoMovimento,
)
from pagamenti.services import movimento_register

from .gateway import (
    EsitoRemoto,
    GatewayError,
    GatewayPaused,
    PosizioneNonAnnullabile,
    RicevutaGateway,
    SandboxGateway,
    gateway_for,
)
from .numero_avviso import iuv_of, notice_number_next

CARRELLO_VUOTO_ERROR = _("Il carrello è vuoto.")
CONFIGURAZIONE_MANCANTE_ERROR = _("Il comune non ha ancora attivato i pagamenti pagoPA.")
RICEVUTA_AVVISO_SCONOSCIUTO = _("Ricevuta per un avviso sconosciuto.")
RICEVUTA_IMPORTO_ERRATO = _("Importo della ricevuta diverso da quello dell'avviso.")
RICEVUTA_GIA_PAGATA = _("L'avviso risultava già pagato: possibile doppio pagamento, da rimborsare.")
RICEVUTA_POSIZIONE_CHIUSA = _("L'avviso era annullato o scaduto: non accreditato.")
POSIZIONE_NON_PUBBLICATA_ERROR = _("pagoPA non conosce (ancora) questa posizione: sarà pubblicata di nuovo.")
STATO_SCONOSCIUTO_ERROR = _("Stato pagoPA non gestito: %(stato)s. Verificare la posizione.")
SIMULAZIONE_NON_SANDBOX_ERROR = _("La simulazione del pagamento è disponibile solo con la sandbox.")


@dataclass(frozen=True)
class RigaCarrello:
    consumatore: Consumatore
    servizio: str
    importo: Decimal


def posizione_create(
    *, comune: Comune, utente: User, righe: list[RigaCarrello], modalita: str, chiave_carrello: str
) -> tuple[Posizione, bool]:
    """Turn a cart into a debt position with a new notice number; the same cart key gives the same one."""
    if not righe:
        raise ValueError(str(CARRELLO_VUOTO_ERROR))
    existing = Posizione.objects.filter(comune=comune, chiave_carrello=chiave_carrello).first()
    if existing is not None:
        return existing, False
    config = ConfigurazionePagamenti.objects.filter(comune=comune).first()
    if config is None:
        raise ValueError(str(CONFIGURAZIONE_MANCANTE_ERROR))
    try:
        with transaction.atomic():
            numero = notice_number_next(comune_id=comune.pk)
            posizione = Posizione.objects.create(
                comune=comune, utente=utente, numero_avviso=numero, iuv=iuv_of(numero),
                chiave_carrello=chiave_carrello, importo=sum((r.importo for r in righe), Decimal("0.00")),
                modalita=modalita, gateway=config.gateway,
                scadenza=timezone.localdate() + datetime.timedelta(days=config.giorni_scadenza_avviso),
            )
            RigaPosizione.objects.bulk_create([
                RigaPosizione(comune=comune, posizione=posizione, consumatore=r.consumatore, servizio=r.servizio,
                              importo=r.importo)
                for r in righe
            ])
    except IntegrityError:
        # Two tabs submitted the same cart at once: the other one made the position.
        return Posizione.objects.get(comune=comune, chiave_carrello=chiave_carrello), False
    transaction.on_commit(lambda: _enqueue_publish(posizione))
    return posizione, True


def _enqueue_publish(posizione: Posizione) -> None:
    from pagamenti.tasks import posizione_publish_task

    # With the broker down the position waits: the poll of pending positions publishes it first.
    publish(posizione_publish_task, posizione.comune_id, posizione.pk)


def _bumps_family_pages(fn):
    """The position's state is written with update() (no model signal): its account's pages change."""

    @functools.wraps(fn)
    def wrapper(*, posizione: Posizione, **kwargs):
        try:
            return fn(posizione=posizione, **kwargs)
        finally:
            stamps.utenti_changed([posizione.utente_id])

    return wrapper


@_bumps_family_pages
def posizione_publish(*, posizione: Posizione, interactive: bool = False) -> bool:
    """Publish the position on the comune's gateway; on failure it stays pending, unpayable, and is retried.
    `interactive`: the family waits (gateway_for); a call not made while pagoPA is paused is no attempt."""
    if posizione.pubblicata_il is not None:
        return True
    if posizione.stato != StatoPosizione.IN_ATTESA:
        return False  # cancelled meanwhile: never publish what the family gave up
    config = ConfigurazionePagamenti.objects.select_related("comune").get(comune_id=posizione.comune_id)
    try:
        gateway_for(config, interactive=interactive).publish(posizione)
    except GatewayPaused:
        return False
    except GatewayError as error:
        Posizione.objects.filter(pk=posizione.pk).update(
            tentativi=posizione.tentativi + 1, ultimo_errore=str(error)[:300]
        )
        posizione.tentativi += 1
        posizione.ultimo_errore = str(error)[:300]
        return False
    posizione.pubblicata_il = timezone.now()
    Posizione.objects.filter(pk=posizione.pk).update(pubblicata_il=posizione.pubblicata_il, ultimo_errore="")
    return True


@_bumps_family_pages
def posizione_poll(*, posizione: Posizione) -> Ricevuta | None:
    """Read a pending position's state at the gateway (publishing it first if needed) and act on it:
    credit a paid one once, close an expired or invalidated one, and keep any state we do not know in
    front of staff (`stato_remoto`, `ultimo_errore`), never taking it for "not paid yet"."""
    if posizione.stato != StatoPosizione.IN_ATTESA:
        return None
    if not posizione_publish(posizione=posizione):
        if posizione.gateway == TipoGateway.SANDBOX and posizione.scadenza < timezone.localdate():
            _close(posizione, StatoPosizione.SCADUTA, "EXPIRED")
        return None
    config = ConfigurazionePagamenti.objects.select_related("comune").get(comune_id=posizione.comune_id)
    gateway = gateway_for(config)
    stato = gateway.state(posizione)
    if stato.esito == EsitoRemoto.PAGATA and stato.ricevuta is not None:
        ricevuta = ricevuta_receive(comune=posizione.comune, ricevuta=stato.ricevuta, origine=gateway.origine)
        Posizione.objects.filter(pk=posizione.pk).update(stato_remoto=stato.stato_gateway[:30], ultimo_errore="")
        _keep_receipt_document(gateway, posizione, ricevuta)
        return ricevuta
    if stato.esito == EsitoRemoto.SCADUTA:
        _close(posizione, StatoPosizione.SCADUTA, stato.stato_gateway)
    elif stato.esito == EsitoRemoto.INVALIDATA:
        _close(posizione, StatoPosizione.ANNULLATA, stato.stato_gateway)
    elif stato.esito == EsitoRemoto.NON_PUBBLICATA:
        # GPD does not know it (or holds a draft): not payable; the next run publishes it again.
        Posizione.objects.filter(pk=posizione.pk).update(
            pubblicata_il=None, stato_remoto=stato.stato_gateway[:30],
            ultimo_errore=str(POSIZIONE_NON_PUBBLICATA_ERROR)[:300],
        )
    elif stato.esito == EsitoRemoto.SCONOSCIUTO:
        Posizione.objects.filter(pk=posizione.pk).update(
            stato_remoto=stato.stato_gateway[:30],
            ultimo_errore=str(STATO_SCONOSCIUTO_ERROR % {"stato": stato.stato_gateway})[:300],
        )
    else:
        Posizione.objects.filter(pk=posizione.pk).update(stato_remoto=stato.stato_gateway[:30], ultimo_errore="")
    return None


def _close(posizione: Posizione, stato: str, stato_remoto: str) -> None:
    Posizione.objects.filter(pk=posizione.pk, stato=StatoPosizione.IN_ATTESA).update(
        stato=stato, stato_remoto=stato_remoto[:30], ultimo_errore=""
    )
    posizione.stato = stato


def _keep_receipt_document(gateway, posizione: Posizione, ricevuta: Ricevuta) -> None:
    """Keep the receipt document when the comune set up the receipts service; a failure only waits."""
    fetch = getattr(gateway, "receipt_xml", None)
    if fetch is None or ricevuta.documento:
        return
    try:
        documento = fetch(posizione)
    except GatewayError:
        return
    if documento:
        Ricevuta.objects.filter(pk=ricevuta.pk).update(documento=documento)


@_bumps_family_pages
def posizione_cancel(*, posizione: Posizione, interactive: bool = False) -> bool:
    """Close a pending position (the family gave up, or staff cancel it). A published one is invalidated
    at the gateway first, so that it can no longer be paid at a PSP; if the gateway says it cannot be
    (paid meanwhile), its state is read instead. False if nothing was cancelled. `interactive`: someone
    waits for the answer (gateway_for)."""
    if posizione.stato != StatoPosizione.IN_ATTESA:
        return False
    config = ConfigurazionePagamenti.objects.select_related("comune").get(comune_id=posizione.comune_id)
    # Mark it first so that a publication racing with us does not publish it after the invalidation.
    closed = Posizione.objects.filter(pk=posizione.pk, stato=StatoPosizione.IN_ATTESA).update(
        stato=StatoPosizione.ANNULLATA
    )
    if not closed:
        return False
    if posizione.gateway == TipoGateway.SANDBOX:
        posizione.stato = StatoPosizione.ANNULLATA
        return True
    try:
        gateway_for(config, interactive=interactive).invalidate(posizione)
    except PosizioneNonAnnullabile:
        Posizione.objects.filter(pk=posizione.pk).update(stato=StatoPosizione.IN_ATTESA)
        posizione.stato = StatoPosizione.IN_ATTESA
        posizione_poll(posizione=posizione)
        return False
    except GatewayError as error:
        Posizione.objects.filter(pk=posizione.pk).update(stato=StatoPosizione.IN_ATTESA,
                                                         ultimo_errore=str(error)[:300])
        posizione.stato = StatoPosizione.IN_ATTESA
        raise
    Posizione.objects.filter(pk=posizione.pk).update(stato_remoto="INVALID")
    posizione.stato = StatoPosizione.ANNULLATA
    return True


@transaction.atomic
def ricevuta_receive(*, comune: Comune, ricevuta: RicevutaGateway, origine: str) -> Ricevuta:
    """Store a receipt and, if it is the expected one, credit every cart line exactly once.

    Lock-and-recheck: the position row is locked, its state read again; the unique receipt id and
    the ledger's unique key make a duplicate, late or concurrent receipt a no-op.
    """
    existing = Ricevuta.objects.filter(comune=comune, identificativo=ricevuta.identificativo).first()
    if existing is not None:
        return existing
    posizione = (
        Posizione.objects.select_for_update().filter(comune=comune, numero_avviso=ricevuta.numero_avviso).first()
    )
    motivo = ""
    if posizione is None:
        motivo = RICEVUTA_AVVISO_SCONOSCIUTO
    elif posizione.stato == StatoPosizione.PAGATA:
        motivo = RICEVUTA_GIA_PAGATA
    elif posizione.stato != StatoPosizione.IN_ATTESA or posizione.scadenza < timezone.localdate(ricevuta.pagata_il):
        motivo = RICEVUTA_POSIZIONE_CHIUSA
    elif ricevuta.importo != posizione.importo:
        motivo = RICEVUTA_IMPORTO_ERRATO
    try:
        with transaction.atomic():
            stored = Ricevuta.objects.create(
                comune=comune, posizione=posizione, identificativo=ricevuta.identificativo,
                numero_avviso=ricevuta.numero_avviso, importo=ricevuta.importo, psp=ricevuta.psp[:200],
                pagata_il=ricevuta.pagata_il, origine=origine,
                esito=EsitoRicevuta.INATTESA if motivo else EsitoRicevuta.ACCREDITATA, motivo=str(motivo),
            )
    except IntegrityError:
        return Ricevuta.objects.get(comune=comune, identificativo=ricevuta.identificativo)
    if motivo:
        return stored
    data_valuta = timezone.localdate(ricevuta.pagata_il)
    for riga in posizione.righe.select_related("consumatore"):
        movimento_register(
            consumatore=riga.consumatore, servizio=riga.servizio, tipo=TipoMovimento.RICARICA_PAGOPA,
            importo=riga.importo, data_valuta=data_valuta, chiave=f"avviso:{posizione.numero_avviso}",
            riferimento=posizione.numero_avviso, descrizione=f"Ricarica pagoPA – avviso {posizione.numero_avviso}",
            creato_da=posizione.utente,
        )
        pagamento_confirm(comune=comune, consumatore=riga.consumatore, servizio=riga.servizio, importo=riga.importo,
                          canale="pagoPA", riferimento=posizione.numero_avviso)
    posizione.stato = StatoPosizione.PAGATA
    posizione.pagata_il = ricevuta.pagata_il
    posizione.save(update_fields=["stato", "pagata_il"])
    return stored


def posizione_simulate_psp_payment(*, posizione: Posizione, psp: str = "PSP simulato (sandbox)") -> Ricevuta:
    """Sandbox only: a PSP (tobacconist, bank...) was paid for this avviso."""
    config = ConfigurazionePagamenti.objects.get(comune_id=posizione.comune_id)
    gateway = gateway_for(config)
    if not isinstance(gateway, SandboxGateway) or posizione.gateway != "sandbox":
        raise ValueError(str(SIMULAZIONE_NON_SANDBOX_ERROR))
    return ricevuta_receive(comune=posizione.comune, ricevuta=gateway.simulated_receipt(posizione, psp),
                            origine=gateway.origine)
