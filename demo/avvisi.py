"""Demo avvisi pagoPA as the national model: Leporano prints the CBILL code and, having a postal current
account, the Bollettino Postale PA; Pulsano prints its avvisi in Italian and English (an English-speaking
community lives around the coast and the port of Taranto: the office asked for it). A Leporano family has
a bus fee to pay by avviso, beside its canteen top-ups and the reminder letters of the office's demo."""

from __future__ import annotations

from decimal import Decimal

from comuni.models import Comune
from pagamenti.models import ConfigurazionePagamenti, Servizio
from pagamenti.pagopa.services import RigaCarrello, posizione_create

AVVISI = {
    "leporano": {"codice_cbill": "A7LPN", "conto_postale": "1019748563",
                 "intestatario_conto_postale": "Comune di Leporano – Servizio Tesoreria",
                 "autorizzazione_poste": "AUT. DB/SISB/E 31567 DEL 14/03/2023"},
    "pulsano": {"codice_cbill": "B2PLS", "seconda_lingua": "en"},
}


def demo_avvisi_seed() -> None:
    """Idempotent: the avviso settings of the demo comuni and Leporano's bus-fee avviso."""
    for slug, fields in AVVISI.items():
        comune = Comune.objects.filter(slug=slug).first()
        if comune is None:
            continue
        config = ConfigurazionePagamenti.objects.get(comune=comune)
        for name, value in fields.items():
            setattr(config, name, value)
        config.full_clean()
        config.save()
    leporano = Comune.objects.filter(slug="leporano").first()
    if leporano is None:
        return
    from trasporto.models import Iscrizione

    iscrizione = (Iscrizione.objects.filter(comune=leporano, consumatore__tutori__utente__isnull=False)
                  .select_related("consumatore").order_by("pk").first())
    if iscrizione is None:
        return
    consumatore = iscrizione.consumatore
    utente = consumatore.tutori.filter(utente__isnull=False).order_by("pk").first().utente
    posizione_create(comune=leporano, utente=utente, modalita="avviso", chiave_carrello=f"demo-bus-{consumatore.pk}",
                     righe=[RigaCarrello(consumatore, Servizio.TRASPORTO, Decimal("22.00"))])
