"""Crediting LIS top-ups: once per LIS transaction id."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune
from consumatori.models import Consumatore
from pagamenti.conferme import pagamento_confirm
from pagamenti.models import TipoMovimento, TransazioneLIS
from pagamenti.services import movimento_register

from .adapter import NotificaLIS

CODICE_PAGAMENTO_SCONOSCIUTO = _("Codice pagamento sconosciuto per questo comune.")


class CodiceSconosciutoError(Exception):
    pass


@transaction.atomic
def lis_ricarica_register(*, comune: Comune, notifica: NotificaLIS) -> tuple[TransazioneLIS, bool]:
    """Record a LIS top-up and credit the consumer; a replayed transaction id changes nothing."""
    existing = TransazioneLIS.objects.filter(comune=comune, identificativo=notifica.transaction_id).first()
    if existing is not None:
        return existing, False
    consumatore = Consumatore.objects.filter(comune=comune, codice_pagamento=notifica.payment_code).first()
    if consumatore is None:
        raise CodiceSconosciutoError(str(CODICE_PAGAMENTO_SCONOSCIUTO))
    try:
        with transaction.atomic():
            transazione = TransazioneLIS.objects.create(
                comune=comune, identificativo=notifica.transaction_id, consumatore=consumatore,
                servizio=notifica.service, importo=notifica.amount, pagata_il=notifica.paid_at,
            )
    except IntegrityError:
        return TransazioneLIS.objects.get(comune=comune, identificativo=notifica.transaction_id), False
    movimento_register(
        consumatore=consumatore, servizio=notifica.service, tipo=TipoMovimento.RICARICA_PUNTOLIS,
        importo=notifica.amount, data_valuta=timezone.localdate(notifica.paid_at),
        chiave=f"lis:{notifica.transaction_id}", riferimento=notifica.transaction_id[:100],
        descrizione="Ricarica PuntoLIS",
    )
    pagamento_confirm(comune=comune, consumatore=consumatore, servizio=notifica.service, importo=notifica.amount,
                      canale="PuntoLIS", riferimento=f"lis:{notifica.transaction_id}")
    return transazione, True
