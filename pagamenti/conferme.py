"""The family is told when a top-up reaches the ledger: "Pagamento ricevuto" in Messaggi, on its phones
and on App IO, where it is the national model's payment confirmation (notifiche.io.modello, key
`pagamento:…`). Not by e-mail: pagoPA's Checkout and the PSP or tobacconist give the payer a receipt."""

from __future__ import annotations

from decimal import Decimal

from comuni.models import Comune
from consumatori.models import Consumatore, Tutore
from omnibus.formats import euro
from pagamenti.models import Servizio

PAGAMENTO_TITOLO = "Pagamento ricevuto: {importo}"
PAGAMENTO_TESTO = (
    "Abbiamo ricevuto il pagamento di {importo} per {servizio} di {nome} ({canale}). Il credito nel portale "
    "è già aggiornato.\n\n{comune}"
)


def pagamento_confirm(*, comune: Comune, consumatore: Consumatore, servizio: str, importo: Decimal, canale: str,
                      riferimento: str) -> int:
    """One message to each active account linked to the child (every guardian sees the credit); once per
    payment, child and service whatever the retries (the key). Returns how many were stored."""
    from notifiche.services import notifica_send

    tutori = Tutore.objects.filter(consumatore=consumatore, utente__isnull=False, utente__is_active=True)
    sent = 0
    for tutore in tutori.select_related("utente").order_by("pk"):
        sent += notifica_send(
            comune=comune, user=tutore.utente, consumatore=consumatore,
            titolo=PAGAMENTO_TITOLO.format(importo=euro(importo)),
            testo=PAGAMENTO_TESTO.format(importo=euro(importo), servizio=Servizio(servizio).label.lower(),
                                         nome=consumatore.nome_completo, canale=canale, comune=comune),
            chiave=f"pagamento:{riferimento}:{consumatore.pk}:{servizio}", email=False, ambito_io=servizio,
        ) is not None
    return sent
