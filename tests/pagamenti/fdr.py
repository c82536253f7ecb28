"""Helpers for the reconciliation tests: paid positions, and FdR XML written by hand from the XSD.

The XML below follows `xsd-common/FlussoRiversamento_1_0_4.xsd` of pagopa/pagopa-api (namespace
http://www.digitpa.gov.it/schemas/2011/Pagamenti/, elements in that order); it is written here as a
PSP would send it, not produced by our own writer.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django_scopes import scope

from pagamenti.models import Posizione, Servizio
from pagamenti.pagopa.gateway import RicevutaGateway
from pagamenti.pagopa.services import RigaCarrello, posizione_create, ricevuta_receive


def paid_position(comune, utente, child, importo="25.00", days_ago=3, chiave=None, pay=True) -> Posizione:
    with scope(comune=comune):
        posizione, _ = posizione_create(
            comune=comune, utente=utente, modalita="avviso", chiave_carrello=chiave or f"k-{importo}-{days_ago}",
            righe=[RigaCarrello(child, Servizio.MENSA, Decimal(importo))],
        )
        if pay:
            ricevuta_receive(comune=comune, origine="sandbox", ricevuta=RicevutaGateway(
                identificativo=f"RT-{posizione.numero_avviso}", numero_avviso=posizione.numero_avviso,
                importo=posizione.importo, psp="PSP di prova",
                pagata_il=timezone.now() - datetime.timedelta(days=days_ago),
            ))
            posizione.refresh_from_db()
        return posizione


def voce(iuv, importo, iur=None, indice=1, esito="0", data="2026-11-25") -> str:
    return f"""
  <pay_i:datiSingoliPagamenti>
    <pay_i:identificativoUnivocoVersamento>{iuv}</pay_i:identificativoUnivocoVersamento>
    <pay_i:identificativoUnivocoRiscossione>{iur or 'IUR' + iuv[-8:]}</pay_i:identificativoUnivocoRiscossione>
    <pay_i:indiceDatiSingoloPagamento>{indice}</pay_i:indiceDatiSingoloPagamento>
    <pay_i:singoloImportoPagato>{importo}</pay_i:singoloImportoPagato>
    <pay_i:codiceEsitoSingoloPagamento>{esito}</pay_i:codiceEsitoSingoloPagamento>
    <pay_i:dataEsitoSingoloPagamento>{data}</pay_i:dataEsitoSingoloPagamento>
  </pay_i:datiSingoliPagamenti>"""


def flow_xml(voci: list[str], *, ente="80009290737", identificativo="2026-11-27UNCRITMM-0000001",
             numero=None, totale=None) -> bytes:
    if totale is None:
        totale = f'{sum(Decimal(v.split("<pay_i:singoloImportoPagato>")[1].split("<")[0]) for v in voci):.2f}'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<pay_i:FlussoRiversamento xmlns:pay_i="http://www.digitpa.gov.it/schemas/2011/Pagamenti/">
  <pay_i:versioneOggetto>1.0</pay_i:versioneOggetto>
  <pay_i:identificativoFlusso>{identificativo}</pay_i:identificativoFlusso>
  <pay_i:dataOraFlusso>2026-11-27T08:15:00</pay_i:dataOraFlusso>
  <pay_i:identificativoUnivocoRegolamento>SCT-20261126-0001</pay_i:identificativoUnivocoRegolamento>
  <pay_i:dataRegolamento>2026-11-26</pay_i:dataRegolamento>
  <pay_i:istitutoMittente>
    <pay_i:identificativoUnivocoMittente>
      <pay_i:tipoIdentificativoUnivoco>B</pay_i:tipoIdentificativoUnivoco>
      <pay_i:codiceIdentificativoUnivoco>UNCRITMM</pay_i:codiceIdentificativoUnivoco>
    </pay_i:identificativoUnivocoMittente>
    <pay_i:denominazioneMittente>Banca di prova S.p.A.</pay_i:denominazioneMittente>
  </pay_i:istitutoMittente>
  <pay_i:istitutoRicevente>
    <pay_i:identificativoUnivocoRicevente>
      <pay_i:tipoIdentificativoUnivoco>G</pay_i:tipoIdentificativoUnivoco>
      <pay_i:codiceIdentificativoUnivoco>{ente}</pay_i:codiceIdentificativoUnivoco>
    </pay_i:identificativoUnivocoRicevente>
    <pay_i:denominazioneRicevente>Comune di Leporano</pay_i:denominazioneRicevente>
  </pay_i:istitutoRicevente>
  <pay_i:numeroTotalePagamenti>{numero if numero is not None else len(voci)}</pay_i:numeroTotalePagamenti>
  <pay_i:importoTotalePagamenti>{totale}</pay_i:importoTotalePagamenti>
  {''.join(voci)}
</pay_i:FlussoRiversamento>""".encode()
