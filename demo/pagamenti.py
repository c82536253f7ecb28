"""Demo payments: sandbox pagoPA configuration of the demo comuni and a few past top-ups."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from comuni.models import Comune
from consumatori.models import Consumatore
from pagamenti.models import ConfigurazionePagamenti, Servizio, TipoGateway
from pagamenti.pagopa.gateway import RicevutaGateway
from pagamenti.pagopa.services import RigaCarrello, posizione_create, ricevuta_receive

DEMO_LIS_SECRET = "demo-lis-segreto-{slug}"
SEGREGAZIONE = {"leporano": "02", "pulsano": "03"}


def demo_pagamenti_seed(comune: Comune) -> None:
    """Idempotent: the same configuration, and one paid canteen top-up for the eldest child of each
    family account (the other accounts keep the balances the canteen and bus demos give them)."""
    ConfigurazionePagamenti.objects.update_or_create(
        comune=comune,
        defaults={"gateway": TipoGateway.SANDBOX, "codice_segregazione": SEGREGAZIONE.get(comune.slug, "01"),
                  "iban": "IT60X0542811101000000123456", "lis_segreto": DEMO_LIS_SECRET.format(slug=comune.slug)},
    )
    consumatori = (Consumatore.objects.filter(comune=comune, tutori__utente__isnull=False)
                   .select_related("comune").prefetch_related("tutori__utente").distinct().order_by("pk"))
    when = timezone.now() - datetime.timedelta(days=20)
    seen_accounts = set()
    for consumatore in consumatori:
        utente = next(t.utente for t in consumatore.tutori.all() if t.utente_id)
        if utente.pk in seen_accounts:
            continue
        seen_accounts.add(utente.pk)
        posizione, _ = posizione_create(
            comune=comune, utente=utente, modalita="online", chiave_carrello=f"demo-{consumatore.pk}",
            righe=[RigaCarrello(consumatore, Servizio.MENSA, Decimal("40.00"))],
        )
        ricevuta_receive(comune=comune, origine="sandbox", ricevuta=RicevutaGateway(
            identificativo=f"DEMO-{posizione.numero_avviso}", numero_avviso=posizione.numero_avviso,
            importo=posizione.importo, psp="Checkout sandbox", pagata_il=when,
        ))
